// Faults against a real `headroom serve` with every collector on (issue 11, item 3): OBS replies
// that are huge, 100,000 elements deep, slow-drip or reset mid-body; /proc files that vanish;
// external programs that hang, print garbage or exit non-zero. Every time: the process stays
// up, /metrics answers, the other collectors keep succeeding, the affected one reports
// headroom_collector_success 0 and keeps its last good data, and it recovers when the fault ends.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEstate, type Estate } from '../../bench/soak.js';
import { startExporterProcess, type ExporterProcess } from '../support/exporter.js';
import { parseMetricsText, valueOf, type ParsedSeries } from '../support/metrics-text.js';
import { waitFor } from '../support/net.js';
import { tempDir } from '../support/tmp.js';
import { startObsFront, type ObsFront } from './obs-front.js';

const COLLECTORS = ['obs', 'worker', 'swap', 'vmhost', 'backup'] as const;
type CollectorName = (typeof COLLECTORS)[number];
const BACKUP_TARGETS = ['bugzilla', 'wiki', 'gerrit-dumps', 'etc'];
const GiB = 2 ** 30;

// Figures from the estate's construction (bench/soak.ts), written out here:
const HOST_CPUS = 1 * 1 * 4 * 2; // libvirt test driver: nodes × sockets × cores × threads
const HOST_MEMORY = 32 * GiB;
const RESTIC_TIME = Date.UTC(2024, 2, 2, 2, 0, 0) / 1000; // restic backup --time "2024-03-02 02:00:00" in UTC
const BORG_TIME = Date.UTC(2024, 2, 1, 9, 0, 0) / 1000; // borg create --timestamp 2024-03-01T09:00:00 in UTC
const COMMIT_TIME = Date.UTC(2024, 2, 1, 0, 0, 0) / 1000;
const OBS_WORKERS = 50 * 20; // generateWorkerStatus({ hosts: 50, instancesPerHost: 20 })
const MEMTOTAL_FIXTURE_KIB = 64 * 1024 * 1024; // obs-worker-64g/proc/meminfo: MemTotal 67108864 kB, no hugepages

let estate: Estate;
let front: ObsFront;
let exporter: ExporterProcess;
/** Every /metrics answer that was not a 200 with the build info in it. */
const badAnswers: string[] = [];

afterAll(async () => {
  await exporter?.stop('SIGKILL');
  await estate?.close();
  await front?.close();
});

beforeAll(async () => {
  const dir = tempDir('headroom-hardening-faults-');
  front = await startObsFront();
  estate = await buildEstate(dir, { scheduleSeconds: 2, backupScheduleSeconds: 3, maxResponseBytes: 4 * 1024 * 1024, obsUrl: front.url });
  front.target = estate.obs.url;
  exporter = await startExporterProcess([...estate.serveArgs]);
  await waitFor(async () => {
    const s = await metrics();
    // headroom_collector_success counts the sources that have finished a refresh: wait for each
    // background source's own health series too.
    const allSources =
      valueOf(s, 'headroom_collector_source_up', { collector: 'obs', source: 'sim' }) === 1 &&
      BACKUP_TARGETS.every((t) => valueOf(s, 'headroom_collector_source_up', { collector: 'backup', source: t }) === 1) &&
      valueOf(s, 'headroom_ssd_wear_used_ratio', { device: 'nvme0n1' }) !== undefined &&
      valueOf(s, 'headroom_vmhost_cpus') !== undefined;
    return allSources && COLLECTORS.every((c) => valueOf(s, 'headroom_collector_success', { collector: c }) === 1) ? true : undefined;
  }, 'every collector and source to succeed once', 60_000);
});

async function metrics(): Promise<ParsedSeries[]> {
  const res = await fetch(`${exporter.url}/metrics`);
  const text = await res.text();
  if (res.status !== 200 || !text.includes('headroom_build_info')) badAnswers.push(`${res.status}: ${text.slice(0, 200)}`);
  return parseMetricsText(text);
}

const success = (s: ParsedSeries[], c: CollectorName) => valueOf(s, 'headroom_collector_success', { collector: c });

/**
 * Injects a fault and waits for a scrape where `affected` reports 0 while every other collector
 * reports 1; runs `check` on that scrape; removes the fault and waits for recovery.
 */
async function underFault(
  affected: CollectorName,
  inject: () => () => void,
  check: (s: ParsedSeries[], page: string) => void,
  hit: (s: ParsedSeries[]) => boolean = () => true,
): Promise<void> {
  const undo = inject();
  let failure: unknown = null;
  try {
    const during = await waitFor(async () => {
      const s = await metrics();
      if (success(s, affected) !== 0 || !hit(s)) return undefined;
      return COLLECTORS.filter((c) => c !== affected).every((c) => success(s, c) === 1) ? s : undefined;
    }, `${affected} to fail while the others succeed`, 30_000);
    const page = await (await fetch(`${exporter.url}/`)).text();
    check(during, page);
  } catch (err) {
    failure = err;
  } finally {
    undo();
  }
  // Recovered even when the check failed: the next test must not start under this fault.
  const recovered = waitFor(async () => (success(await metrics(), affected) === 1 ? true : undefined), `${affected} to recover`, 30_000);
  if (failure) {
    await recovered.catch(() => undefined);
    throw failure;
  }
  await recovered;
  expect(exporter.child.exitCode).toBeNull();
  expect(badAnswers).toEqual([]);
}

/** The last good data each collector must keep while failing. */
function expectLastGood(s: ParsedSeries[], c: CollectorName): void {
  switch (c) {
    case 'obs': {
      const workers = s.filter((x) => x.name === 'headroom_obs_workers' && x.labels.obs === 'sim').reduce((sum, x) => sum + x.value, 0);
      expect(workers).toBe(OBS_WORKERS);
      break;
    }
    case 'vmhost':
      expect(valueOf(s, 'headroom_vmhost_cpus')).toBe(HOST_CPUS);
      expect(valueOf(s, 'headroom_vmhost_memory_bytes')).toBe(HOST_MEMORY);
      break;
    case 'backup':
      expect(valueOf(s, 'headroom_backup_last_success_timestamp_seconds', { target: 'bugzilla', kind: 'restic' })).toBe(RESTIC_TIME);
      expect(valueOf(s, 'headroom_backup_last_success_timestamp_seconds', { target: 'wiki', kind: 'borg' })).toBe(BORG_TIME);
      expect(valueOf(s, 'headroom_backup_last_success_timestamp_seconds', { target: 'etc', kind: 'git' })).toBe(COMMIT_TIME);
      break;
    case 'swap':
      expect(valueOf(s, 'headroom_ssd_wear_used_ratio', { device: 'nvme0n1' })).toBe(0.07);
      break;
    case 'worker':
      expect(valueOf(s, 'headroom_memory_ram_bytes')).toBe(MEMTOTAL_FIXTURE_KIB * 1024);
      break;
  }
}

describe('headroom serve under faults, every collector on', () => {
  it('starts with every collector succeeding on the estate', async () => {
    const s = await metrics();
    for (const c of COLLECTORS) expectLastGood(s, c);
    expect(valueOf(s, 'headroom_collector_source_up', { collector: 'obs', source: 'sim' })).toBe(1);
    // Two qemu processes; PID 4199 is listed but its cmdline is gone, PID 4103 is a shell.
    expect(valueOf(s, 'headroom_vmhost_qemu_processes')).toBe(2);
  });

  it('OBS reply over max_response_size: refused as hostile', async () => {
    await underFault(
      'obs',
      () => {
        estate.obs.setFault('huge', { hugeBytes: 8 * 1024 * 1024 });
        return () => estate.obs.setFault(null);
      },
      (s, page) => {
        expectLastGood(s, 'obs');
        expect(valueOf(s, 'headroom_collector_source_up', { collector: 'obs', source: 'sim' })).toBe(0);
        expect(page).toMatch(/max_response_size/);
      },
    );
  });

  it('OBS reply 100,000 elements deep: refused, no stack overflow', async () => {
    await underFault(
      'obs',
      () => {
        estate.obs.setWorkerStatus(`<workerstatus>${'<partition>'.repeat(100_000)}${'</partition>'.repeat(100_000)}</workerstatus>`);
        return () => estate.obs.setWorkerStatus(estate.workerStatusXml);
      },
      (s, page) => {
        expectLastGood(s, 'obs');
        expect(valueOf(s, 'headroom_collector_source_up', { collector: 'obs', source: 'sim' })).toBe(0);
        expect(page).toMatch(/nested deeper than 16 levels/);
      },
    );
  });

  it('OBS reply dripping a byte every 100 ms: cut off at the timeout', async () => {
    await underFault(
      'obs',
      () => {
        front.mode = 'drip';
        return () => (front.mode = 'pass');
      },
      (s, page) => {
        expectLastGood(s, 'obs');
        expect(valueOf(s, 'headroom_collector_source_up', { collector: 'obs', source: 'sim' })).toBe(0);
        expect(front.dripped).toBeGreaterThan(0);
        expect(page).toMatch(/timed out after 2s|request cancelled/);
      },
    );
  });

  it('OBS connection reset mid-body', async () => {
    await underFault(
      'obs',
      () => {
        estate.obs.setFault('reset');
        return () => estate.obs.setFault(null);
      },
      (s, page) => {
        expectLastGood(s, 'obs');
        expect(valueOf(s, 'headroom_collector_source_up', { collector: 'obs', source: 'sim' })).toBe(0);
        expect(page).toMatch(/connection (lost|closed|reset)/);
      },
    );
  });

  it('libvirt hangs: the refresh is cut off at the timeout', async () => {
    await underFault(
      'vmhost',
      () => {
        estate.setLibvirtFault('hang');
        return () => estate.setLibvirtFault('pass');
      },
      (s, page) => {
        expectLastGood(s, 'vmhost');
        expect(page).toMatch(/timed out/);
      },
    );
  });

  it('libvirt answers garbage', async () => {
    await underFault(
      'vmhost',
      () => {
        estate.setLibvirtFault('garbage');
        return () => estate.setLibvirtFault('pass');
      },
      (s) => expectLastGood(s, 'vmhost'),
    );
  });

  it.each([
    ['restic', 'garbage', 'bugzilla'],
    ['borg', 'fail', 'wiki'],
    ['git', 'hang', 'etc'],
  ] as const)('%s %s: only its target fails', async (tool, fault, target) => {
    await underFault(
      'backup',
      () => {
        estate.setToolFault(tool, fault);
        return () => estate.setToolFault(tool, null);
      },
      (s) => {
        expectLastGood(s, 'backup');
        expect(valueOf(s, 'headroom_collector_source_up', { collector: 'backup', source: target })).toBe(0);
        for (const other of BACKUP_TARGETS.filter((t) => t !== target)) {
          expect(valueOf(s, 'headroom_collector_source_up', { collector: 'backup', source: other }), other).toBe(1);
        }
      },
      (s) => valueOf(s, 'headroom_collector_source_up', { collector: 'backup', source: target }) === 0,
    );
  });

  it.each(['garbage', 'hang'] as const)('smartctl %s', async (fault) => {
    await underFault(
      'swap',
      () => {
        estate.setToolFault('smartctl', fault);
        return () => estate.setToolFault('smartctl', null);
      },
      (s) => {
        expectLastGood(s, 'swap');
        // The scrape-time part of swap (from /proc) is still fresh.
        expect(valueOf(s, 'headroom_swap_device_size_bytes', { device: '/dev/nvme0n1p2' })).toBe(100_663_292 * 1024);
      },
    );
  });

  it('/proc/meminfo vanishes', async () => {
    await underFault('worker', () => estate.hideHostFile('proc/meminfo'), (s, page) => {
      expect(page).toMatch(/meminfo/);
      // A scrape-time collector keeps its last good data too.
      expectLastGood(s, 'worker');
    });
  });

  it('/proc/swaps vanishes', async () => {
    await underFault('swap', () => estate.hideHostFile('proc/swaps'), (_s, page) => expect(page).toMatch(/swaps/));
  });

  it('/proc/<pid>/cmdline entries that vanish while the qemu scan runs are skipped, not failures', async () => {
    // Processes come and go as fast as the file system allows while vmhost scans every second.
    const proc = estate.host.procfs;
    const deadline = Date.now() + 4000;
    let churned = 0;
    while (Date.now() < deadline) {
      for (let pid = 6000; pid < 6050; pid++) {
        const dir = path.join(proc, String(pid));
        mkdirSync(dir, { recursive: true });
        writeFileSync(path.join(dir, 'cmdline'), ['/usr/bin/qemu-kvm', '-m', '1024', '-smp', '1'].join('\0') + '\0');
      }
      for (let pid = 6000; pid < 6050; pid++) rmSync(path.join(proc, String(pid)), { recursive: true, force: true });
      churned += 50;
      await new Promise((r) => setImmediate(r));
    }
    expect(churned).toBeGreaterThan(0);
    // The next scan after the churn sees the estate's two qemu processes again.
    const s = await waitFor(async () => {
      const m = await metrics();
      return valueOf(m, 'headroom_vmhost_qemu_processes') === 2 ? m : undefined;
    }, 'a vmhost scan after the churn');
    expect(success(s, 'vmhost')).toBe(1);
    const churnFailures = exporter.logs.filter((l) => l.includes('"collector":"vmhost"') && /cmdline|ENOENT|ESRCH/.test(l));
    expect(churnFailures).toEqual([]);
  });

  it('served every scrape with 200 throughout, and the process is still running', () => {
    expect(badAnswers).toEqual([]);
    expect(exporter.child.exitCode).toBeNull();
  });
});
