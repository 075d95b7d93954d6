import { describe, expect, it } from 'vitest';
import { defineCollector, type Collector, type Source } from '../../src/collector.js';
import { oneSourceCollector, testCollector } from '../support/collectors.js';
import { silentLogger } from '../../src/log.js';
import { counter, gauge, sample, type Sample } from '../../src/metrics.js';
import { defaultHostPaths } from '../../src/paths.js';
import { CollectorRuntime } from '../../src/runtime.js';

const log = silentLogger();
const widgets = gauge('headroom_test_widgets', 'Widgets.', ['colour']);
const events = counter('headroom_test_events_total', 'Events.');

function runtimeOf(...collectors: Collector[]) {
  return new CollectorRuntime(collectors, { paths: defaultHostPaths, log });
}

function find(samples: Sample[], name: string, labels: Record<string, string> = {}) {
  const found = samples.filter((s) => s.metric.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return found.length === 1 ? found[0]!.value : found.length === 0 ? undefined : NaN;
}

/** A promise with its resolver exposed, to hold a collector mid-collection. */
function gate<T = void>() {
  let open!: (v: T) => void;
  const promise = new Promise<T>((r) => (open = r));
  return { promise, open };
}

describe('collector runtime', () => {
  it('reports a collector that throws as failed, keeps its last good samples, and leaves the others alone', async () => {
    let fail = false;
    const flaky = oneSourceCollector({
      name: 'flaky',
      metrics: [widgets],
      timeoutMs: 1000,
      async collect() {
        if (fail) throw new Error('source exploded');
        return [sample(widgets, { colour: 'red' }, 7)];
      },
    });
    const steady = oneSourceCollector({
      name: 'steady',
      metrics: [events],
      timeoutMs: 1000,
      async collect() {
        return [sample(events, {}, 42)];
      },
    });
    const rt = runtimeOf(flaky, steady);
    let s = await rt.scrape();
    expect(find(s, 'headroom_collector_success', { collector: 'flaky' })).toBe(1);
    const firstSuccess = find(s, 'headroom_collector_last_success_timestamp_seconds', { collector: 'flaky' });
    expect(firstSuccess).toBeGreaterThan(0);

    fail = true;
    s = await rt.scrape();
    expect(find(s, 'headroom_collector_success', { collector: 'flaky' })).toBe(0);
    expect(find(s, 'headroom_test_widgets', { colour: 'red' })).toBe(7); // last good data kept
    expect(find(s, 'headroom_collector_last_success_timestamp_seconds', { collector: 'flaky' })).toBe(firstSuccess);
    expect(find(s, 'headroom_collector_success', { collector: 'steady' })).toBe(1);
    expect(find(s, 'headroom_test_events_total')).toBe(42);
    const status = rt.status().find((c) => c.name === 'flaky')!;
    expect(status.ok).toBe(false);
    expect(status.sources[0]!.lastError).toBe('source exploded');
  });

  it('treats a synchronous throw like a rejection', async () => {
    const c = testCollector('sync', [widgets], [
      {
        id: 'sync',
        timeoutMs: 1000,
        collect: (() => {
          throw new TypeError('not even a promise');
        }) as Source['collect'],
      },
    ]);
    const s = await runtimeOf(c).scrape();
    expect(find(s, 'headroom_collector_success', { collector: 'sync' })).toBe(0);
  });

  it('gives up on a collector that hangs past its timeout, aborts it, and does not pile up hung refreshes', async () => {
    let calls = 0;
    let aborted: unknown = null;
    const hung = oneSourceCollector({
      name: 'hung',
      metrics: [widgets],
      timeoutMs: 150,
      collect(ctx) {
        calls++;
        ctx.signal.addEventListener('abort', () => (aborted = ctx.signal.reason));
        return new Promise<Sample[]>(() => undefined); // never settles, ignores the abort
      },
    });
    const other = oneSourceCollector({
      name: 'other',
      metrics: [events],
      timeoutMs: 1000,
      collect: async () => [sample(events, {}, 1)],
    });
    const rt = runtimeOf(hung, other);
    let s = await rt.scrape();
    expect(find(s, 'headroom_collector_success', { collector: 'hung' })).toBe(0);
    expect(find(s, 'headroom_collector_success', { collector: 'other' })).toBe(1);
    expect(String(aborted)).toContain('timed out after 0.15s');
    expect(rt.status()[0]!.sources[0]!.lastError).toBe('timed out after 0.15s');

    // The first collect() never settled: the next scrape reports it instead of starting another.
    s = await rt.scrape();
    expect(calls).toBe(1);
    expect(find(s, 'headroom_collector_success', { collector: 'hung' })).toBe(0);
    expect(rt.status()[0]!.sources[0]!.lastError).toMatch(/^previous refresh still running after [\d.]+s/);
  });

  it('lets concurrent scrapes share one in-flight refresh of a slow collector', async () => {
    let calls = 0;
    const release = gate();
    const slow = oneSourceCollector({
      name: 'slow',
      metrics: [widgets],
      timeoutMs: 10_000,
      async collect() {
        calls++;
        await release.promise;
        return [sample(widgets, { colour: 'blue' }, calls)];
      },
    });
    const rt = runtimeOf(slow);
    const a = rt.scrape();
    const b = rt.scrape();
    release.open();
    const [sa, sb] = await Promise.all([a, b]);
    expect(calls).toBe(1);
    expect(find(sa, 'headroom_test_widgets', { colour: 'blue' })).toBe(1);
    expect(find(sb, 'headroom_test_widgets', { colour: 'blue' })).toBe(1);
    await rt.scrape(); // a later scrape refreshes again
    expect(calls).toBe(2);
  });

  it.each([
    ['a non-array', () => 'garbage' as unknown as Sample[], /expected an array/],
    ['a metric outside the catalog', () => [sample(gauge('headroom_test_other', 'x.'), {}, 1)], /not in the garbage catalog/],
    ['missing labels', () => [sample(widgets, {}, 1)], /has labels \{\}, expected \{colour\}/],
    ['extra labels', () => [sample(widgets, { colour: 'a', size: 'b' }, 1)], /expected \{colour\}/],
    ['a non-numeric value', () => [sample(widgets, { colour: 'a' }, '3' as unknown as number)], /non-numeric/],
    ['a negative counter', () => [sample(events, {}, -1)], /counter headroom_test_events_total has value -1/],
    ['a NaN counter', () => [sample(events, {}, NaN)], /value NaN/],
    ['duplicate series', () => [sample(widgets, { colour: 'a' }, 1), sample(widgets, { colour: 'a' }, 2)], /duplicate series/],
    ['a null sample', () => [null as unknown as Sample], /unknown metric/],
  ])('rejects %s as a failed refresh and keeps the last good samples', async (_what, garbage, message) => {
    let bad = false;
    const c = oneSourceCollector({
      name: 'garbage',
      metrics: [widgets, events],
      timeoutMs: 1000,
      async collect() {
        return bad ? garbage() : [sample(widgets, { colour: 'good' }, 5)];
      },
    });
    const rt = runtimeOf(c);
    await rt.scrape();
    bad = true;
    const s = await rt.scrape();
    expect(find(s, 'headroom_collector_success', { collector: 'garbage' })).toBe(0);
    expect(find(s, 'headroom_test_widgets', { colour: 'good' })).toBe(5);
    expect(rt.status()[0]!.sources[0]!.lastError).toMatch(message);
  });

  it('serves background collectors from their last snapshot without waiting, absent until the first refresh ends', async () => {
    const release = gate();
    let calls = 0;
    const bg = oneSourceCollector({
      name: 'bg',
      metrics: [widgets],
      timeoutMs: 10_000,
      schedule: { kind: 'interval', ms: 60_000 },
      async collect() {
        calls++;
        await release.promise;
        return [sample(widgets, { colour: 'green' }, 3)];
      },
    });
    const rt = runtimeOf(bg);
    rt.start();
    try {
      const before = await rt.scrape(); // must not wait for the refresh in flight
      expect(calls).toBe(1);
      expect(find(before, 'headroom_test_widgets', { colour: 'green' })).toBeUndefined();
      expect(find(before, 'headroom_collector_success', { collector: 'bg' })).toBeUndefined();
      release.open();
      await rt.refreshCollector('bg'); // joins the refresh in flight
      expect(calls).toBe(1);
      const after = await rt.scrape();
      expect(find(after, 'headroom_test_widgets', { colour: 'green' })).toBe(3);
      expect(find(after, 'headroom_collector_success', { collector: 'bg' })).toBe(1);
    } finally {
      await rt.stop();
    }
  });

  it('runs a background source again on its interval', async () => {
    let calls = 0;
    const bg = oneSourceCollector({
      name: 'ticker',
      metrics: [widgets],
      timeoutMs: 1000,
      schedule: { kind: 'interval', ms: 30 },
      async collect() {
        calls++;
        return [sample(widgets, { colour: 'x' }, calls)];
      },
    });
    const rt = runtimeOf(bg);
    rt.start();
    try {
      await expect.poll(() => calls, { timeout: 5000 }).toBeGreaterThanOrEqual(3);
    } finally {
      await rt.stop();
    }
  });

  it('reports each source of a multi-source collector on its own and fails the collector if any source fails', async () => {
    const site = (id: string, fail: boolean): Source => ({
      id,
      timeoutMs: 1000,
      async collect() {
        if (fail) throw new Error(`${id} unreachable`);
        return [sample(widgets, { colour: id }, 1)];
      },
    });
    const multi = testCollector('multi', [widgets], [site('north', false), site('south', true)]);
    const before = Date.now() / 1000;
    const s = await runtimeOf(multi).scrape();
    const north = { collector: 'multi', source: 'north' };
    const south = { collector: 'multi', source: 'south' };
    expect(find(s, 'headroom_collector_source_up', north)).toBe(1);
    expect(find(s, 'headroom_collector_source_up', south)).toBe(0);
    expect(find(s, 'headroom_test_widgets', { colour: 'north' })).toBe(1);
    expect(find(s, 'headroom_collector_source_last_success_timestamp_seconds', north)).toBeGreaterThanOrEqual(before);
    expect(find(s, 'headroom_collector_source_last_success_timestamp_seconds', south)).toBeUndefined();
    expect(find(s, 'headroom_collector_source_last_attempt_timestamp_seconds', south)).toBeGreaterThanOrEqual(before);
    expect(find(s, 'headroom_collector_success', { collector: 'multi' })).toBe(0);
    // No last-success for the collector while one of its sources never succeeded.
    expect(find(s, 'headroom_collector_last_success_timestamp_seconds', { collector: 'multi' })).toBeUndefined();
  });

  it('serves the last snapshot when Prometheus\' scrape deadline comes first, and uses the refresh once it lands', async () => {
    const release = gate();
    let round = 0;
    const slow = oneSourceCollector({
      name: 'slowscrape',
      metrics: [widgets],
      timeoutMs: 10_000,
      async collect() {
        round++;
        if (round === 2) await release.promise;
        return [sample(widgets, { colour: 'c' }, round)];
      },
    });
    const rt = runtimeOf(slow);
    await rt.scrape();
    const s = await rt.scrape(50); // the second refresh is held: the deadline wins
    expect(find(s, 'headroom_test_widgets', { colour: 'c' })).toBe(1);
    release.open();
    await rt.refreshCollector('slowscrape');
    expect(find(rt.snapshot(), 'headroom_test_widgets', { colour: 'c' })).toBe(2);
  });

  it('keeps the notes of a degraded but successful refresh for the status page', async () => {
    let degraded = true;
    const c = oneSourceCollector({
      name: 'noted',
      metrics: [widgets],
      timeoutMs: 1000,
      async collect(ctx) {
        if (degraded) ctx.note?.('libvirt unavailable: virsh not found');
        return [sample(widgets, { colour: 'n' }, 1)];
      },
    });
    const rt = runtimeOf(c);
    await rt.scrape();
    expect(rt.status()[0]!.ok).toBe(true);
    expect(rt.status()[0]!.sources[0]!.notes).toEqual(['libvirt unavailable: virsh not found']);
    degraded = false;
    await rt.scrape();
    expect(rt.status()[0]!.sources[0]!.notes).toEqual([]);
  });

  it('does not turn a timeout beyond Node\'s timer limit into an immediate one', async () => {
    const release = gate();
    const patient = oneSourceCollector({
      name: 'patient',
      metrics: [widgets],
      timeoutMs: 30 * 86_400_000, // 30d: longer than a Node timer holds
      async collect() {
        await release.promise;
        return [sample(widgets, { colour: 'p' }, 1)];
      },
    });
    const rt = runtimeOf(patient);
    const scraping = rt.scrape();
    await new Promise((r) => setTimeout(r, 50));
    release.open();
    const s = await scraping;
    expect(find(s, 'headroom_collector_success', { collector: 'patient' })).toBe(1);
  });

  it('leaves an optional source out of the collector\'s success, not out of its own health', async () => {
    const c = testCollector('opt', [widgets], [
      { id: 'main', timeoutMs: 1000, collect: async () => [sample(widgets, { colour: 'main' }, 1)] },
      { id: 'extra', optional: true, timeoutMs: 1000, collect: async () => Promise.reject(new Error('not on this host')) },
    ]);
    const s = await runtimeOf(c).scrape();
    expect(find(s, 'headroom_collector_success', { collector: 'opt' })).toBe(1);
    expect(find(s, 'headroom_collector_source_up', { collector: 'opt', source: 'extra' })).toBe(0);
  });

  it('serves a collector\'s constants from the start, before and whatever its sources do', async () => {
    const c = defineCollector({
      name: 'fixed',
      subsystems: ['test'],
      metrics: [widgets],
      sources: [{ id: 'fixed', timeoutMs: 1000, schedule: { kind: 'interval', ms: 3_600_000 }, collect: async () => Promise.reject(new Error('down')) }],
      constants: [sample(widgets, { colour: 'objective' }, 3)],
    });
    expect(find(runtimeOf(c).snapshot(), 'headroom_test_widgets', { colour: 'objective' })).toBe(3);
  });

  it('refuses a collector whose shape is wrong, naming the problem', () => {
    const base = { name: 'shape', metrics: [widgets], sources: [] as Source[] };
    expect(() => defineCollector(base)).toThrow('collector "shape": metric headroom_test_widgets is not under headroom_shape_*');
    const source = { id: 'a', timeoutMs: 1000, collect: async () => [] };
    expect(() => defineCollector({ ...base, subsystems: ['test'], sources: [source, source] })).toThrow('source "a" is defined twice');
    expect(() => defineCollector({ ...base, subsystems: ['test'], sources: [{ ...source, timeoutMs: 1 }] })).toThrow('below 100ms');
    expect(() => defineCollector({ ...base, subsystems: ['test'], constants: [sample(events, {}, 1)] })).toThrow(
      'constant headroom_test_events_total is not in the catalog',
    );
  });

  it('refuses two collectors that define the same metric', () => {
    const a = oneSourceCollector({ name: 'a', metrics: [widgets], timeoutMs: 1000, collect: async () => [] });
    const b = oneSourceCollector({ name: 'b', metrics: [widgets], timeoutMs: 1000, collect: async () => [] });
    expect(() => runtimeOf(a, b)).toThrow('metric headroom_test_widgets is defined by both a and b');
  });
});
