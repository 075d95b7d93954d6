// The text format is written by headroom itself (issue 19, item 4; issue 15, item 1): checked
// against Prometheus' own tooling and parser. Hostile HELP texts and label values go through a
// real Prometheus scrape and must come back exactly as they went in; a render of hundreds of
// thousands of series must work (prom-client's path overflowed the stack).
import http from 'node:http';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Exposition } from '../../src/exposition.js';
import { counter, gauge, sample, type Sample } from '../../src/metrics.js';
import { startPrometheus } from '../../sim/stack.js';
import { freePort } from '../support/net.js';
import { promtoolCheckMetrics } from '../support/programs.js';
import { tempDir } from '../support/tmp.js';

const hostileGauge = gauge('hardening_hostile', 'Help with a backslash \\ and a\nline feed, "quotes" and ünïcödé.', ['name', 'other']);
const plainCounter = counter('hardening_events_total', 'A counter.', []);
const emptyGauge = gauge('hardening_never_set', 'Has no series yet.', ['x']);

/** Label values that need escaping, or look as if they did; each paired with a distinct value. */
const HOSTILE_VALUES = ['plain', 'back\\slash', 'double "quote"', 'line\nfeed', 'all \\"\n three', '', 'ünïcödé ✓', 'trailing \\', '{braces}=,'];
const VALUES = [1, -2.5, 1e-7, 123456789012, 0.1 + 0.2, NaN, Infinity, -Infinity, 0];

function hostileSamples(): Sample[] {
  return HOSTILE_VALUES.map((name, i) => sample(hostileGauge, { name, other: String(i) }, VALUES[i]!));
}

const render = () => new Exposition([hostileGauge, plainCounter, emptyGauge]).render([...hostileSamples(), sample(plainCounter, {}, 42)]);

describe('the exposition text format', () => {
  it('passes promtool check metrics', () => {
    const lint = promtoolCheckMetrics(render());
    expect(lint.stderr + lint.stdout).toBe('');
    expect(lint.status).toBe(0);
  });

  it('renders 300,000 series of one source without failing', () => {
    const g = gauge('hardening_many', 'Many series.', ['i']);
    const many: Sample[] = [];
    for (let i = 0; i < 300_000; i++) many.push(sample(g, { i: String(i) }, i));
    const text = new Exposition([g]).render(many);
    let lines = 0;
    for (let at = text.indexOf('\nhardening_many{'); at >= 0; at = text.indexOf('\nhardening_many{', at + 1)) lines++;
    expect(lines).toBe(300_000);
    expect(text.endsWith('hardening_many{i="299999"} 299999\n')).toBe(true);
  });

  describe('scraped by a real Prometheus', () => {
    const dir = tempDir('headroom-hardening-exposition-');
    const stops: Array<() => Promise<unknown>> = [];
    afterAll(async () => {
      for (const stop of stops.reverse()) await stop();
    });

    it('keeps every hostile label value and every value exactly', async () => {
      const body = render();
      const port = await freePort();
      const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(body));
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
      stops.push(() => new Promise((resolve) => server.close(resolve)));
      const prom = await startPrometheus(
        path.join(dir, 'prom'),
        `global: { scrape_interval: 1s, evaluation_interval: 1s }\nscrape_configs:\n  - job_name: exposition\n    static_configs: [ { targets: ['127.0.0.1:${port}'] } ]\n`,
      );
      stops.push(() => prom.stop());
      await prom.waitForTargetsUp(1);
      const got = await prom.query('hardening_hostile');
      const byOther = new Map(got.map((r) => [r.metric['other'], r]));
      // Prometheus drops an empty label; it comes back as absent.
      HOSTILE_VALUES.forEach((name, i) => {
        const r = byOther.get(String(i));
        expect(r, `series ${i}`).toBeDefined();
        expect(r!.metric['name'] ?? '').toBe(name);
        const expected = VALUES[i]!;
        // Prometheus' API spells infinities the Go way; JavaScript's Number() does not read "+Inf".
        const text = r!.value[1];
        const value = text === '+Inf' ? Infinity : text === '-Inf' ? -Infinity : Number(text);
        if (Number.isNaN(expected)) expect(value).toBeNaN();
        else expect(value).toBe(expected);
      });
      expect(got).toHaveLength(HOSTILE_VALUES.length);
      const counterValue = await prom.query('hardening_events_total');
      expect(Number(counterValue[0]!.value[1])).toBe(42);
      // Prometheus' own parser read the HELP text back unchanged.
      const meta = (await (await fetch(`${prom.url}/api/v1/metadata?metric=hardening_hostile`)).json()) as { data: Record<string, Array<{ help: string }>> };
      expect(meta.data['hardening_hostile']?.[0]?.help).toBe(hostileGauge.help);
    }, 120_000);
  });
});
