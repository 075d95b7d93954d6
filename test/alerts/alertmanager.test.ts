// `headroom generate` for alerting: alertmanager.yml passes amtool, each severity routes where
// the issue says, the password stays in its file, and the alerting section is validated.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { cliPath } from '../support/exporter.js';
import { runTool } from '../support/programs.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir('headroom-alertmanager-');
let n = 0;

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Writes the config and runs `headroom generate` into a fresh folder. */
function generate(configText: string) {
  const base = path.join(dir, `case${++n}`);
  const configFile = `${base}.yml`;
  writeFileSync(configFile, configText);
  const out = path.join(base, 'out');
  return { ...cli('generate', '--config', configFile, '--out', out), out, configFile };
}

const FULL = `alerting:
  smtp:
    smarthost: mail.example.org:587
    from: alerts@example.org
    username: alerts
    password_file: /etc/headroom/smtp.pass
    tls_config: { ca_file: /etc/ssl/mail-ca.pem, server_name: mail.example.org }
  oncall_email: oncall@example.org
  team_email: admins@example.org
`;

function routeOf(file: string, ...labels: string[]): string {
  const r = runTool('amtool', ['config', 'routes', 'test', `--config.file=${file}`, ...labels]);
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trim();
}

describe('headroom generate: alertmanager.yml', () => {
  const full = generate(FULL);
  const amFile = path.join(full.out, 'alertmanager.yml');

  it('writes the rule file, alertmanager.yml and its e-mail templates', () => {
    expect(full.stderr).toBe('');
    expect(full.status).toBe(0);
    for (const f of ['rules/headroom.rules.yml', 'alertmanager.yml', 'headroom-email.tmpl']) {
      expect(full.stdout).toContain(`wrote ${path.join(full.out, f)}`);
      expect(existsSync(path.join(full.out, f))).toBe(true);
    }
  });

  it('passes amtool check-config, templates included', () => {
    const r = runTool('amtool', ['check-config', amFile]);
    expect(r.stdout).toContain('SUCCESS');
    expect(r.stdout).toContain(' - 1 inhibit rules');
    expect(r.stdout).toContain(' - 3 receivers');
    expect(r.stdout).toContain(' - 1 templates');
    expect(r.status).toBe(0);
  });

  it('routes critical to on-call, warning to the team, info nowhere, and the unknown to the team', () => {
    expect(routeOf(amFile, 'alertname=OBSApiDown', 'severity=critical')).toBe('oncall-email');
    expect(routeOf(amFile, 'alertname=OBSWorkersDown', 'severity=warning')).toBe('team-email');
    expect(routeOf(amFile, 'alertname=Anything', 'severity=info')).toBe('null');
    expect(routeOf(amFile, 'alertname=SomeoneElsesAlert')).toBe('team-email');
  });

  it('sends on-call to the on-call address and warnings to the team, grouped and repeated less often, with resolved mails', () => {
    const am = parse(readFileSync(amFile, 'utf8')) as {
      global: Record<string, unknown>;
      route: { routes: Array<{ receiver: string; group_by?: string[]; repeat_interval?: string; group_interval?: string }> };
      receivers: Array<{ name: string; email_configs?: Array<Record<string, unknown>> }>;
      inhibit_rules: unknown[];
    };
    const receiver = (name: string) => am.receivers.find((r) => r.name === name)!;
    expect(receiver('oncall-email').email_configs![0]!.to).toBe('oncall@example.org');
    expect(receiver('team-email').email_configs![0]!.to).toBe('admins@example.org');
    expect(receiver('null').email_configs).toBeUndefined();
    for (const r of ['oncall-email', 'team-email']) {
      const email = receiver(r).email_configs![0]!;
      expect(email.send_resolved).toBe(true);
      // A plain-text part as well as the HTML one, and the summary in the subject.
      expect(email.text).toBe('{{ template "headroom.email.text" . }}');
      expect(email.html).toBe('{{ template "headroom.email.html" . }}');
      expect(email.headers).toEqual({ Subject: '{{ template "headroom.email.subject" . }}' });
      expect(email.tls_config).toEqual({ ca_file: '/etc/ssl/mail-ca.pem', server_name: 'mail.example.org', insecure_skip_verify: false });
    }
    const [critical, warning] = am.route.routes;
    expect(critical!.group_by).toEqual(['alertname', 'instance']);
    expect(critical!.repeat_interval).toBe('4h');
    // Warnings: one mail per alert name listing every instance, repeated daily.
    expect(warning!.group_by).toEqual(['alertname']);
    expect(warning!.group_interval).toBe('30m');
    expect(warning!.repeat_interval).toBe('1d');
    expect(am.inhibit_rules).toEqual([
      { source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['alertname', 'instance'] },
    ]);
    expect(am.global).toEqual({
      smtp_smarthost: 'mail.example.org:587',
      smtp_from: 'alerts@example.org',
      smtp_auth_username: 'alerts',
      smtp_auth_password_file: '/etc/headroom/smtp.pass',
      smtp_require_tls: true,
    });
  });

  it('the e-mail templates render with amtool (subject with the summary)', () => {
    const r = runTool('amtool', [
      'template',
      'render',
      `--template.glob=${path.join(full.out, 'headroom-email.tmpl')}`,
      '--template.text={{ template "headroom.email.subject" . }}',
    ]);
    expect(r.status, r.stderr).toBe(0);
    // amtool's example data: status "alertstatus", group labels grouplabelvalue1/2.
    expect(r.stdout).toContain('[ALERTSTATUS]');
  });
});

describe('the alerting section', () => {
  it('without it, the rules are written with the defaults and alertmanager.yml is skipped with the reason', () => {
    const r = generate('collectors: {}\n');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('skipped alertmanager: no alerting section in the config');
    expect(readFileSync(path.join(r.out, 'rules/headroom.rules.yml'), 'utf8')).toBe(
      readFileSync(path.join(path.dirname(cliPath), '../../alerts/headroom.rules.yml'), 'utf8'),
    );
  });

  it('rule overrides alone change the rules and skip alertmanager.yml', () => {
    const r = generate(`alerting:
  rules:
    thresholds: { obs_queue_backlog_jobs: 250, obs_build_stuck_age: 2d }
    for: { BackupStale: 1h }
    selectors: { headroom_job: 'job="exporters"' }
`);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('skipped alertmanager: alerting has no smtp, oncall_email and team_email');
    const rules = readFileSync(path.join(r.out, 'rules/headroom.rules.yml'), 'utf8');
    expect(rules).toContain('obs:headroom_obs_jobs_waiting:sum > 250 and');
    expect(rules).toContain('> 172800'); // 2 days in seconds
    expect(rules).toContain('up{job="exporters"} == 0');
    expect(runTool('promtool', ['check', 'rules', path.join(r.out, 'rules/headroom.rules.yml')]).status).toBe(0);
  });

  it.each([
    ['a misspelt threshold, with a suggestion', 'alerting:\n  rules:\n    thresholds: { obs_queue_backlog_job: 3 }\n', /obs_queue_backlog_job.*did you mean "obs_queue_backlog_jobs"/],
    ['an unknown alert in for', 'alerting:\n  rules:\n    for: { OBSApiDwn: 1m }\n', /OBSApiDwn.*did you mean "OBSApiDown"/],
    ['a bad duration', 'alerting:\n  rules:\n    for: { OBSApiDown: soon }\n', /"soon" is not a duration/],
    ['braces in a selector', "alerting:\n  rules:\n    selectors: { obs: '{cluster=\"a\"}' }\n", /without braces/],
    ['mail without smtp', 'alerting:\n  oncall_email: a@example.org\n  team_email: b@example.org\n', /alerting\.smtp: smtp is required/],
    ['a password file without a username', 'alerting:\n  smtp: { smarthost: "m:25", from: a@example.org, password_file: /p }\n  oncall_email: a@example.org\n  team_email: b@example.org\n', /password_file needs a username/],
    ['a relative password file', 'alerting:\n  smtp: { smarthost: "m:25", from: a@example.org, username: u, password_file: p }\n  oncall_email: a@example.org\n  team_email: b@example.org\n', /absolute path/],
    ['a smarthost without a port', 'alerting:\n  smtp: { smarthost: mail.example.org, from: a@example.org }\n  oncall_email: a@example.org\n  team_email: b@example.org\n', /host:port/],
  ])('rejects %s with exit status 2 and the key', (_what, text, message) => {
    const r = generate(text);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain(`${path.basename(r.configFile)}:`);
  });
});
