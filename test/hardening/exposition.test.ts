// The text format is written by headroom itself (issue 19, item 4; issue 15, item 1): checked
// against Prometheus' own tooling and parser. Hostile HELP texts and label values go through a
// real Prometheus scrape and must come back exactly as they went in; a render of hundreds of
// thousands of series must work (prom-client's path overflowed the stack).
import http from 'node:http';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Exposition } from '../../src/exposition.js';
import { counter, gauge, histogram, histogramSample, sample, type Sample } from '../../src/metrics.js';
import { validateSamples } from '../../src/runtime.js';
import { startPrometheus } from '../../sim/stack.js';
import { freePort } from '../support/net.js';
import { promtoolCheckMetrics } from '../support/programs.js';
import { tempDir } from '../support/tmp.js';

const hostileGauge = gauge('hardening_hostile', 'Help with a backslash \\ and a\nline feed, "quotes" and ünïcödé.', ['name', 'other']);
const plainCounter = counter('hardening_events_total', 'A counter.', []);
const emptyGauge = gauge('hardening_never_set', 'Has no series yet.', ['x']);
const durations = histogram('hardening_duration_seconds', 'A histogram.', ['kind'], [0.5, 60, 86_400]);
const sumAndCount = histogram('hardening_sum_count_seconds', 'A histogram without buckets.', [], []);
/** Observations, bucketed by brute force below: 0.25 s, 0.5 s, 3 s, 100 s. */
const OBSERVED = [0.25, 0.5, 3, 100];
const cumulative = [0.5, 60, 86_400].map((le) => OBSERVED.filter((x) => x <= le).length);
const histogramSamples = () => [
  histogramSample(durations, { kind: 'quote " and \\' }, cumulative, OBSERVED.reduce((a, b) => a + b, 0), OBSERVED.length),
  histogramSample(sumAndCount, {}, [], 7.5, 3),
];

/** Label values that need escaping, or look as if they did; each paired with a distinct value. */
const HOSTILE_VALUES = ['plain', 'back\\slash', 'double "quote"', 'line\nfeed', 'all \\"\n three', '', 'ünïcödé ✓', 'trailing \\', '{braces}=,'];
const VALUES = [1, -2.5, 1e-7, 123456789012, 0.1 + 0.2, NaN, Infinity, -Infinity, 0];

function hostileSamples(): Sample[] {
  return HOSTILE_VALUES.map((name, i) => sample(hostileGauge, { name, other: String(i) }, VALUES[i]!));
}

const render = () =>
  new Exposition([hostileGauge, plainCounter, emptyGauge, durations, sumAndCount]).render([...hostileSamples(), sample(plainCounter, {}, 42), ...histogramSamples()]);

describe('the exposition text format', () => {
  it('passes promtool check metrics', () => {
    const lint = promtoolCheckMetrics(render());
    expect(lint.stderr + lint.stdout).toBe('');
    expect(lint.status).toBe(0);
  });

  it('writes a histogram as _bucket (cumulative, +Inf last), _sum and _count', () => {
    const text = render();
    expect(text).toContain(
      '# TYPE hardening_duration_seconds histogram\n' +
        'hardening_duration_seconds_bucket{kind="quote \\" and \\\\",le="0.5"} 2\n' +
        'hardening_duration_seconds_bucket{kind="quote \\" and \\\\",le="60"} 3\n' +
        'hardening_duration_seconds_bucket{kind="quote \\" and \\\\",le="86400"} 4\n' +
        'hardening_duration_seconds_bucket{kind="quote \\" and \\\\",le="+Inf"} 4\n' +
        'hardening_duration_seconds_sum{kind="quote \\" and \\\\"} 103.75\n' +
        'hardening_duration_seconds_count{kind="quote \\" and \\\\"} 4\n',
    );
    expect(text).toContain('hardening_sum_count_seconds_bucket{le="+Inf"} 3\nhardening_sum_count_seconds_sum 7.5\nhardening_sum_count_seconds_count 3\n');
  });

  it('refuses histogram samples whose buckets are not cumulative counts', () => {
    const collector = { name: 'h', metrics: [durations] };
    expect(validateSamples(collector, histogramSamples().slice(0, 1))).toBeNull();
    const bad = (cum: number[], count: number) => validateSamples(collector, [histogramSample(durations, { kind: 'x' }, cum, 1, count)]);
    expect(bad([2, 1, 4], 4)).toMatch(/not cumulative/);
    expect(bad([1, 2, 3], 2)).toMatch(/not cumulative/);
    expect(bad([1, 2], 2)).toMatch(/2 bucket counts, expected 3/);
    expect(validateSamples(collector, [sample(durations, { kind: 'x' }, 1)])).toMatch(/no bucket counts/);
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
      // The histogram as Prometheus stored it: each bucket, sum and count, and a quantile from them.
      const buckets = await prom.query('hardening_duration_seconds_bucket');
      expect(new Map(buckets.map((r) => [r.metric['le'], Number(r.value[1])]))).toEqual(new Map([['0.5', 2], ['60', 3], ['86400', 4], ['+Inf', 4]]));
      expect(Number((await prom.query('hardening_duration_seconds_sum'))[0]!.value[1])).toBe(103.75);
      expect(Number((await prom.query('hardening_sum_count_seconds_count'))[0]!.value[1])).toBe(3);
      // Two of four observations at most 0.5 s: the median is the first bucket's upper bound.
      expect(Number((await prom.query('histogram_quantile(0.5, hardening_duration_seconds_bucket)'))[0]!.value[1])).toBe(0.5);
      const histMeta = (await (await fetch(`${prom.url}/api/v1/metadata?metric=hardening_duration_seconds`)).json()) as { data: Record<string, Array<{ type: string }>> };
      expect(histMeta.data['hardening_duration_seconds']?.[0]?.type).toBe('histogram');
      // Prometheus' own parser read the HELP text back unchanged.
      const meta = (await (await fetch(`${prom.url}/api/v1/metadata?metric=hardening_hostile`)).json()) as { data: Record<string, Array<{ help: string }>> };
      expect(meta.data['hardening_hostile']?.[0]?.help).toBe(hostileGauge.help);
    }, 120_000);
  });
});
