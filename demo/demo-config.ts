// The demo's headroom config: one demo host (127.0.0.1) that is an OBS worker, a VM host, a
// backup host and the monitoring host at once, so every collector has something to show.
// Pure: where things run in, YAML text out.
import { stringify } from 'yaml';

export interface DemoSetup {
  obsUrl: string;
  /** The simulated API's password (user monitor); absent for a real back end, polled without auth. */
  obsPasswordFile?: string;
  /** Projects whose build results are exported. */
  obsProjects?: string[];
  /** Poll schedule and timeout; default 5s and 4s (the simulator answers at once). */
  obsSchedule?: string;
  obsTimeout?: string;
  /** libvirt's test driver as a libvirtd started by the demo serves it (test+unix:///default?socket=...). */
  libvirtUri: string;
  resticRepository: string;
  resticPasswordFile: string;
  resticCacheDir: string;
  exporterPort: number;
  /** host:port, absent before the Alertmanager runs (the first generation makes its config). */
  alertmanager?: string;
  smtpAddress: string;
  /** host:port of a blackbox exporter, when one runs. */
  blackbox?: string;
  /** Include the `alerting` section (only when this build knows it). */
  withAlerting: boolean;
}

export const DEMO_HOST = 'demo-host';

export function demoConfig(s: DemoSetup): Record<string, unknown> {
  const config: Record<string, unknown> = {
    collectors: {
      obs: {
        instances: [
          {
            name: 'demo',
            url: s.obsUrl,
            ...(s.obsPasswordFile ? { username: 'monitor', password_file: s.obsPasswordFile } : {}),
            ...(s.obsProjects?.length ? { projects: s.obsProjects } : {}),
            schedule: s.obsSchedule ?? '5s',
            timeout: s.obsTimeout ?? '4s',
          },
        ],
      },
      worker: {},
      swap: { smartctl: false },
      // libvirt's test driver, served by the demo's own libvirtd: a VM host without VMs.
      vmhost: { libvirt_uri: s.libvirtUri, schedule: '10s' },
      backup: {
        targets: [
          {
            name: 'demo-restic',
            kind: 'restic',
            // Host paths are read under --path.rootfs, here the fixture worker tree; restic's own
            // `local:` spelling is passed through as is, so the repository stays in the demo's folder.
            repository: `local:${s.resticRepository}`,
            password_file: s.resticPasswordFile,
            cache_dir: s.resticCacheDir,
            max_age: '26h',
            schedule: '30s',
            timeout: '20s',
          },
        ],
      },
    },
  };
  if (s.withAlerting) {
    config['alerting'] = {
      // The sink speaks plain SMTP without login, as a local relay would.
      smtp: { smarthost: s.smtpAddress, from: 'alertmanager@demo.example.org', require_tls: false },
      oncall_email: 'oncall@demo.example.org',
      team_email: 'admins@demo.example.org',
    };
  }
  const services: Array<Record<string, string>> = [];
  if (s.blackbox) {
    // Probes of what the demo itself runs: the exporter's health page and the Alertmanager's port.
    services.push({ name: 'headroom-healthz', probe: 'http', target: `http://127.0.0.1:${s.exporterPort}/healthz` });
    if (s.alertmanager) services.push({ name: 'alertmanager-port', probe: 'tcp', target: s.alertmanager });
  }
  config['estate'] = {
    alertmanagers: s.alertmanager ? [s.alertmanager] : [],
    exporter_port: s.exporterPort,
    ...(s.blackbox ? { blackbox: { address: s.blackbox } } : {}),
    prometheus: { scrape_interval: '5s', scrape_timeout: '4s', evaluation_interval: '5s', external_labels: { estate: 'demo' } },
    hosts: [{ name: DEMO_HOST, address: '127.0.0.1', roles: ['obs-worker', 'vm-host', 'backup', 'monitoring'] }],
    services,
  };
  return config;
}

export function renderDemoConfig(s: DemoSetup): string {
  return `# headroom demo config, written by npm run demo\n${stringify(demoConfig(s))}`;
}
