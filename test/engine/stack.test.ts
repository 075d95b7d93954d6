import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startPrometheus, startSmtpSink } from '../../sim/stack.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startExporterProcess } from '../support/exporter.js';
import { tempDir } from '../support/tmp.js';

describe('a real Prometheus scraping a real headroom exporter', () => {
  const dir = tempDir();
  const stops: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
  });

  it('scrapes it, every sample accepted', async () => {
    const exporter = await startExporterProcess([]);
    stops.push(() => exporter.stop());
    const target = new URL(exporter.url).host;
    const prom = await startPrometheus(
      path.join(dir, 'prom'),
      `global: { scrape_interval: 1s, evaluation_interval: 1s }\nscrape_configs:\n  - job_name: headroom\n    static_configs: [ { targets: ['${target}'] } ]\n`,
    );
    stops.push(() => prom.stop());
    await prom.waitForTargetsUp(1);
    const info = await prom.query('headroom_build_info');
    expect(info).toHaveLength(1);
    expect(info[0]!.metric).toMatchObject({ job: 'headroom', instance: target, version: '0.1.0' });
    // Prometheus' own accounting: nothing it scraped was rejected.
    const rejected = await prom.query('scrape_samples_scraped{job="headroom"} - scrape_samples_post_metric_relabeling{job="headroom"}');
    expect(Number(rejected[0]!.value[1])).toBe(0);
  });

  it('has an SMTP sink that receives and parses a mail', async () => {
    const sink = await startSmtpSink();
    stops.push(() => sink.stop());
    // Python's smtplib as an independent client (async: the sink runs in this process).
    await promisify(execFile)('python3', [
      '-c',
      `import smtplib; s=smtplib.SMTP('127.0.0.1', ${sink.port}); s.sendmail('a@example.test', ['b@example.test'], 'Subject: hello sink\\r\\n\\r\\nbody text\\r\\n'); s.quit()`,
    ]);
    const mail = await sink.waitForMail((m) => m.subject === 'hello sink', 'the test mail');
    expect(mail.to).toEqual(['b@example.test']);
    expect(mail.text.trim()).toBe('body text');
  });
});
