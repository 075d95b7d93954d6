// The real `headroom serve` with a config file, scraped while the simulated OBS misbehaves.
// Needs the built CLI (npx tsc -p tsconfig.json).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExporterProcess } from '../support/exporter.js';
import { scrape, valueOf } from '../support/metrics-text.js';
import { waitFor } from '../support/net.js';
import { promtoolCheckMetrics } from '../support/programs.js';
import { tempDir } from '../support/tmp.js';
import { startObsSimulator, type ObsSimulator } from '../../sim/obs/server.js';
import { fixture } from './helpers.js';

const PASSWORD = 'cli-Pa55word';
let community: ObsSimulator;
let qa: ObsSimulator;

beforeAll(async () => {
  community = await startObsSimulator({
    credentials: { username: 'monitor', password: PASSWORD },
    workerStatus: fixture('workerstatus.docs-example.xml'),
    results: { 'openSUSE:Factory': fixture('resultlist.api-opensuse-org-2020.openSUSE_Factory.view-summary.xml') },
  });
  qa = await startObsSimulator({ workerStatus: fixture('workerstatus.cassette-2016-dead-daemons.xml') });
});
afterAll(async () => {
  await community?.close();
  await qa?.close();
});

describe('headroom serve with two OBS instances', () => {
  it('serves both, and keeps serving the last good data while one misbehaves', async () => {
    const dir = tempDir('headroom-obs-cli-');
    writeFileSync(path.join(dir, 'community.pass'), `${PASSWORD}\n`);
    const config = path.join(dir, 'headroom.yml');
    writeFileSync(
      config,
      [
        'collectors:',
        '  obs:',
        '    instances:',
        '      - name: community',
        `        url: ${community.url}`,
        '        username: monitor',
        '        password_file: community.pass',
        '        schedule: 3s',
        '        timeout: 3s',
        '        projects: [ "openSUSE:Factory" ]',
        '      - name: qa',
        `        url: ${qa.url}`,
        '        schedule: 3s',
        '',
      ].join('\n'),
    );
    const exporter = await startExporterProcess(['--config', config]);
    const metricsUrl = `${exporter.url}/metrics`;

    const first = await waitFor(async () => {
      const r = await scrape(metricsUrl);
      return valueOf(r.series, 'headroom_collector_source_up', { collector: 'obs', source: 'community' }) === 1 && valueOf(r.series, 'headroom_collector_source_up', { collector: 'obs', source: 'qa' }) === 1 ? r : undefined;
    }, 'both OBS instances up');
    expect(valueOf(first.series, 'headroom_obs_jobs_waiting', { obs: 'community', arch: 'i586' })).toBe(2160);
    expect(valueOf(first.series, 'headroom_obs_jobs_blocked', { obs: 'community', arch: 'i586' })).toBe(7215);
    expect(valueOf(first.series, 'headroom_obs_packages', { obs: 'community', repository: 'standard', arch: 'i586', code: 'failed' })).toBe(136);
    expect(valueOf(first.series, 'headroom_obs_daemon_state', { obs: 'qa', type: 'publisher', state: 'dead' })).toBe(1);
    expect(valueOf(first.series, 'headroom_obs_scheduler_queue', { obs: 'qa', arch: 'x86_64', queue: 'low' })).toBe(6);
    expect(valueOf(first.series, 'headroom_collector_success', { collector: 'obs' })).toBe(1);
    expect(first.text).toContain('# HELP headroom_obs_jobs_blocked OBS\'s "blocked" count');
    const lint = promtoolCheckMetrics(first.text);
    expect(lint.status, lint.stdout + lint.stderr).toBe(0);

    for (const fault of ['html', 'stall'] as const) {
      community.setFault(fault);
      const failing = await waitFor(async () => {
        const r = await scrape(metricsUrl);
        return valueOf(r.series, 'headroom_collector_source_up', { collector: 'obs', source: 'community' }) === 0 ? r : undefined;
      }, `community down after ${fault}`);
      expect(valueOf(failing.series, 'headroom_obs_jobs_waiting', { obs: 'community', arch: 'i586' })).toBe(2160);
      expect(valueOf(failing.series, 'headroom_collector_source_last_success_timestamp_seconds', { collector: 'obs', source: 'community' })).toBeGreaterThan(0);
      expect(valueOf(failing.series, 'headroom_collector_source_up', { collector: 'obs', source: 'qa' })).toBe(1);
      expect(valueOf(failing.series, 'headroom_collector_success', { collector: 'obs' })).toBe(0);
      community.setFault(null);
      await waitFor(async () => {
        const r = await scrape(metricsUrl);
        return valueOf(r.series, 'headroom_collector_source_up', { collector: 'obs', source: 'community' }) === 1 ? true : undefined;
      }, `community back after ${fault}`);
    }

    const failures = exporter.logs.filter((l) => l.includes('collection failed'));
    expect(failures.some((l) => l.includes('"source":"community"') && l.includes('HTML page'))).toBe(true);
    expect(failures.some((l) => l.includes('"source":"community"') && l.includes('timed out after 3s'))).toBe(true);
    for (const line of exporter.logs) expect(line).not.toContain(PASSWORD);
    expect(await exporter.stop()).toBe(0);
  });
});
