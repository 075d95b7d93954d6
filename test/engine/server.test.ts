import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oneSourceCollector } from '../support/collectors.js';
import { silentLogger } from '../../src/log.js';
import { counter, gauge, sample } from '../../src/metrics.js';
import { defaultHostPaths } from '../../src/paths.js';
import { startExporter, type RunningExporter } from '../../src/serve.js';
import { parseMetricsText, valueOf } from '../support/metrics-text.js';
import { promtoolCheckMetrics } from '../support/programs.js';

const temperature = gauge('headroom_test_temperature_celsius', 'A label-less gauge.');
const jobs = gauge('headroom_test_jobs', 'Jobs per arch, with a "quoted" \\ help.', ['arch']);
const bytes = counter('headroom_test_written_bytes_total', 'Bytes written.', ['device']);

describe('exporter HTTP server', () => {
  let exporter: RunningExporter;
  let fail = false;

  beforeAll(async () => {
    const good = oneSourceCollector({
      name: 'good',
      metrics: [temperature, jobs, bytes],
      timeoutMs: 1000,
      async collect() {
        return [
          sample(temperature, {}, 21.5),
          sample(jobs, { arch: 'x86_64' }, 12),
          sample(jobs, { arch: 'odd "arch"\\\n' }, 3),
          sample(bytes, { device: 'nvme0n1' }, 2 ** 40),
        ];
      },
    });
    const broken = oneSourceCollector({
      name: 'broken',
      metrics: [gauge('headroom_test_never', 'Never collected.')],
      timeoutMs: 1000,
      async collect() {
        if (fail) throw new Error('<script>alert(1)</script> failed');
        throw new Error('not yet');
      },
    });
    exporter = await startExporter({
      collectors: [good, broken],
      paths: defaultHostPaths,
      log: silentLogger(),
      listenAddress: '127.0.0.1:0',
      telemetryPath: '/metrics',
    });
  });
  afterAll(() => exporter.close());

  it('serves the Prometheus text format with exact values and escaped labels', async () => {
    const res = await fetch(`${exporter.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const series = parseMetricsText(await res.text());
    expect(valueOf(series, 'headroom_test_temperature_celsius')).toBe(21.5);
    expect(valueOf(series, 'headroom_test_jobs', { arch: 'x86_64' })).toBe(12);
    expect(valueOf(series, 'headroom_test_jobs', { arch: 'odd "arch"\\\n' })).toBe(3);
    expect(valueOf(series, 'headroom_test_written_bytes_total', { device: 'nvme0n1' })).toBe(1099511627776);
    expect(valueOf(series, 'headroom_collector_success', { collector: 'good' })).toBe(1);
    expect(valueOf(series, 'headroom_collector_success', { collector: 'broken' })).toBe(0);
    expect(valueOf(series, 'headroom_test_never')).toBeUndefined(); // absent, never a fake 0
    expect(valueOf(series, 'headroom_build_info', { version: '0.1.0' })).toBe(1);
    expect(valueOf(series, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('compresses with gzip when the scraper accepts it', async () => {
    const res = await fetch(`${exporter.url}/metrics`, { headers: { 'accept-encoding': 'gzip' } });
    expect(res.headers.get('content-encoding')).toBe('gzip');
    // fetch decompresses transparently; check the raw form through node:http as well.
    const raw = await new Promise<Buffer>((resolve, reject) => {
      import('node:http').then(({ get }) =>
        get(`${exporter.url}/metrics`, { headers: { 'accept-encoding': 'gzip' } }, (r) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => resolve(Buffer.concat(chunks)));
        }).on('error', reject),
      );
    });
    expect(raw[0]).toBe(0x1f);
    expect(gunzipSync(raw).toString('utf8')).toContain('headroom_test_jobs{arch="x86_64"} 12');
    const plain = await fetch(`${exporter.url}/metrics`, { headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers.get('content-encoding')).toBeNull();
  });

  it('passes promtool check metrics with no warnings, failing collector included', async () => {
    const text = await (await fetch(`${exporter.url}/metrics`)).text();
    const lint = promtoolCheckMetrics(text);
    expect(lint.stderr + lint.stdout).toBe('');
    expect(lint.status).toBe(0);
  });

  it('answers /healthz', async () => {
    const res = await fetch(`${exporter.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok\n');
  });

  it('lists collectors with their last success and last error on /, HTML-escaped', async () => {
    fail = true;
    await exporter.runtime.refreshCollector('broken');
    const res = await fetch(`${exporter.url}/`);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('<td>good</td>');
    expect(html).toContain('<td>broken</td><td></td><td>failing</td>');
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62; failed');
    expect(html).not.toContain('<script>');
    expect(html).toMatch(/<td>good<\/td><td><\/td><td>ok<\/td><td>at scrape<\/td><td>\d{4}-\d\d-\d\dT/);
  });

  it('answers unknown paths with 404', async () => {
    expect((await fetch(`${exporter.url}/nope`)).status).toBe(404);
  });
});
