// End to end: a real `headroom serve` polling the simulated OBS and reading a files backup
// target, scraped by a real Prometheus that loads the rules `headroom generate` wrote, alerting a
// real Alertmanager running the generated alertmanager.yml, mailing an SMTP sink on 127.0.0.1.
// A dead scheduler and a stale backup page on-call; repairing them sends the resolved mails.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startObsSimulator, type ObsSimulator } from '../../sim/obs/server.js';
import { startAlertmanager, startPrometheus, startSmtpSink, type AlertmanagerServer, type PrometheusServer, type SmtpSink } from '../../sim/stack.js';
import { cliPath, startExporterProcess } from '../support/exporter.js';
import { waitFor } from '../support/net.js';
import { tempDir } from '../support/tmp.js';

const ONCALL = 'oncall@example.test';
const TEAM = 'admins@example.test';

function workerStatus(schedulerState: 'running' | 'dead'): string {
  return `<workerstatus clients="2">
  <idle workerid="w1:1" hostarch="x86_64"/>
  <idle workerid="w1:2" hostarch="x86_64"/>
  <waiting arch="x86_64" jobs="0"/>
  <blocked arch="x86_64" jobs="0"/>
  <buildavg arch="x86_64" buildavg="1200"/>
  <partition>
    <daemon type="scheduler" arch="x86_64" state="${schedulerState}">
      <queue high="0" med="0" low="0" next="0"/>
    </daemon>
    <daemon type="dispatcher" state="running"/>
    <daemon type="publisher" state="running"/>
  </partition>
</workerstatus>
`;
}

describe('alert pipeline end to end', () => {
  const dir = tempDir('headroom-alerts-e2e-');
  const dumps = path.join(dir, 'dumps');
  const dumpFile = path.join(dumps, 'db-nightly.sql.gz');
  let obs: ObsSimulator;
  let sink: SmtpSink;
  let am: AlertmanagerServer | undefined;
  let prom: PrometheusServer | undefined;

  afterAll(async () => {
    await prom?.stop();
    await am?.stop();
    await sink?.stop();
    await obs?.close();
  });

  /** Backup made `ageSeconds` ago: the files target reads the newest mtime. */
  function backupAged(ageSeconds: number) {
    const t = Date.now() / 1000 - ageSeconds;
    utimesSync(dumpFile, t, t);
  }

  it('pages on-call for a dead scheduler and a stale backup, then sends the resolved mails', async () => {
    obs = await startObsSimulator({ workerStatus: workerStatus('running') });
    sink = await startSmtpSink(path.join(dir, 'mail'));
    mkdirSync(dumps);
    writeFileSync(dumpFile, 'dump');
    backupAged(60);
    const smtpPassword = path.join(dir, 'smtp.pass');
    writeFileSync(smtpPassword, 'not-a-real-password\n');

    // One config for the exporter and for `headroom generate`; fast timings come from the same
    // alerting section a production config uses.
    const configFile = path.join(dir, 'headroom.yml');
    writeFileSync(
      configFile,
      `collectors:
  obs:
    instances:
      - { name: sim, url: "${obs.url}", schedule: 1s, timeout: 1s }
  backup:
    targets:
      - { name: nightly-db, kind: files, path: "${dumps}/db-*.sql.gz", max_age: 1h, schedule: 1s, timeout: 1s }
alerting:
  smtp:
    smarthost: "${sink.address}"
    from: alertmanager@example.test
    username: alerts
    password_file: ${smtpPassword}
    require_tls: false
  oncall_email: ${ONCALL}
  team_email: ${TEAM}
  critical: { group_wait: 0s, group_interval: 1s, repeat_interval: 1h }
  warning: { group_wait: 0s, group_interval: 1s, repeat_interval: 1h }
  rules:
    for: { OBSSchedulerNotRunning: 0s, BackupStale: 0s }
`,
    );

    const out = path.join(dir, 'generated');
    const gen = spawnSync(process.execPath, [cliPath, 'generate', '--config', configFile, '--out', out], { encoding: 'utf8', timeout: 30_000 });
    expect(gen.stderr).toBe('');
    expect(gen.status).toBe(0);
    expect(gen.stdout).toContain(path.join(out, 'rules/headroom.rules.yml'));
    expect(gen.stdout).toContain(path.join(out, 'alertmanager.yml'));

    const exporter = await startExporterProcess(['--config', configFile]);
    const exporterAddress = new URL(exporter.url).host;

    // startAlertmanager writes the same alertmanager.yml into the generated folder, beside
    // the e-mail templates it names by a relative path.
    am = await startAlertmanager(out, readFileSync(path.join(out, 'alertmanager.yml'), 'utf8'));
    prom = await startPrometheus(
      path.join(dir, 'prometheus'),
      `global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - ${path.join(out, 'rules/headroom.rules.yml')}
alerting:
  alertmanagers:
    - static_configs:
        - targets: ['${new URL(am.url).host}']
scrape_configs:
  - job_name: headroom
    static_configs:
      - targets: ['${exporterAddress}']
`,
    );
    const p = prom;
    await p.waitForTargetsUp(1, 30_000);
    // Healthy first: the scheduler series reads running and the backup is an hour inside max_age.
    await waitFor(
      async () => {
        const running = await p.query('headroom_obs_daemon_state{type="scheduler",state="running"} == 1');
        const age = await p.query('target:headroom_backup_age:seconds{target="nightly-db"} < 3600');
        return running.length === 1 && age.length === 1 ? true : undefined;
      },
      'the healthy scheduler and fresh backup in Prometheus',
      30_000,
    );

    // Break both: the scheduler dies, and the newest dump is 2 h old against a 1 h max_age.
    obs.setWorkerStatus(workerStatus('dead'));
    backupAged(2 * 3600);

    const schedulerMail = await sink.waitForMail(
      (m) => m.to.includes(ONCALL) && m.subject.startsWith('[FIRING:1] OBSSchedulerNotRunning'),
      'the OBSSchedulerNotRunning page',
      30_000,
    );
    expect(schedulerMail.subject).toBe(`[FIRING:1] OBSSchedulerNotRunning: An OBS scheduler is not running. (${exporterAddress})`);
    expect(schedulerMail.from).toBe('alertmanager@example.test');
    expect(schedulerMail.text).toContain(
      'The x86_64 scheduler of OBS instance sim (partition main) is not running: nothing new for x86_64 gets scheduled.',
    );
    expect(schedulerMail.text).toContain('Runbook: https://headroom.example.org/docs/runbooks.md#obsschedulernotrunning');
    expect(schedulerMail.html).toContain('<b>OBSSchedulerNotRunning</b>');
    expect(schedulerMail.html).toContain('The x86_64 scheduler of OBS instance sim (partition main) is not running');

    const backupMail = await sink.waitForMail(
      (m) => m.to.includes(ONCALL) && m.subject.startsWith('[FIRING:1] BackupStale'),
      'the BackupStale page',
      30_000,
    );
    expect(backupMail.subject).toBe(`[FIRING:1] BackupStale: A backup is older than its max_age. (${exporterAddress})`);
    expect(backupMail.text).toMatch(/The newest backup of target nightly-db \(files\) on \S+ is 2h 0m \d+s old, older than its max_age\./);
    expect(backupMail.text).toContain('target=nightly-db');
    expect(backupMail.html).toContain('nightly-db');

    // Repair both: resolved mails follow.
    obs.setWorkerStatus(workerStatus('running'));
    backupAged(0);
    const resolvedScheduler = await sink.waitForMail(
      (m) => m.to.includes(ONCALL) && m.subject.startsWith('[RESOLVED] OBSSchedulerNotRunning'),
      'the OBSSchedulerNotRunning resolved mail',
      30_000,
    );
    expect(resolvedScheduler.text).toContain('Resolved:');
    expect(resolvedScheduler.text).toContain('OBSSchedulerNotRunning [critical] RESOLVED');
    const resolvedBackup = await sink.waitForMail(
      (m) => m.to.includes(ONCALL) && m.subject.startsWith('[RESOLVED] BackupStale'),
      'the BackupStale resolved mail',
      30_000,
    );
    expect(resolvedBackup.text).toContain('target nightly-db (files)');

    // Critical alerts page on-call only: the team address received none of them.
    const toTeam = sink.mails.filter((m) => m.to.includes(TEAM) && /OBSSchedulerNotRunning|BackupStale/.test(m.subject));
    expect(toTeam).toEqual([]);
    await exporter.stop();
  }, 90_000);
});
