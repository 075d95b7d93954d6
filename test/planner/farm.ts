// A farm whose capacity answers are known by construction, written as OpenMetrics text for
// `promtool tsdb create-blocks-from openmetrics`. Every figure below is chosen so a test can
// state the expected answer as arithmetic (see the comments and the tests).

export const GiB = 2 ** 30;
export const MB = 1e6;
export const HOUR = 3600;
export const DAY = 86400;

export interface FarmOptions {
  /** Last sample time (Unix seconds); the history covers [end − days, end]. */
  readonly end: number;
  readonly days: number;
}

/** Worker w1 builds at load level (hour mod 9): 0..8 instances. */
export const w1Level = (t: number, start: number) => Math.floor((t - start) / HOUR) % 9;
/** Worker w2 at (hour mod 5): 0..4 instances, never churning. */
export const w2Level = (t: number, start: number) => Math.floor((t - start) / HOUR) % 5;
/** w1's churn: nothing up to 4 building instances, then 8 MB/s per instance above 4. */
export const w1Churn = (level: number) => 8 * MB * Math.max(0, level - 4);

export const VM_DOMAINS: ReadonlyArray<{ host: string; name: string; memGiB: number; vcpus: number; shutoff?: boolean }> = [
  { host: 'vm1:9847', name: 'web', memGiB: 32, vcpus: 4 },
  { host: 'vm1:9847', name: 'db', memGiB: 24, vcpus: 8 },
  { host: 'vm1:9847', name: 'ci', memGiB: 16, vcpus: 4 },
  { host: 'vm1:9847', name: 'mail', memGiB: 8, vcpus: 2 },
  { host: 'vm1:9847', name: 'dns', memGiB: 8, vcpus: 2 },
  { host: 'vm1:9847', name: 'ldap', memGiB: 8, vcpus: 2 },
  // Shut off: allocates nothing, must not be counted or moved.
  { host: 'vm1:9847', name: 'old-jenkins', memGiB: 16, vcpus: 4, shutoff: true },
  { host: 'vm2:9847', name: 'git', memGiB: 16, vcpus: 4 },
  { host: 'vm2:9847', name: 'bugzilla', memGiB: 16, vcpus: 4 },
  { host: 'vm3:9847', name: 'obs-backend', memGiB: 48, vcpus: 24 },
];
export const VM_HOSTS = ['vm1:9847', 'vm2:9847', 'vm3:9847'];

/** SSD on w1: 100 TB written at the start, 1 TB a day, rated for 600 TB. */
export const SSD = { startWritten: 100e12, perDay: 1e12, endurance: 600e12 };

/** Backups: daily at 23 h past the window start's offset; wiki misses the 5th (k = 4). */
export const BACKUP = { maxAge: 26 * HOUR, firstOffset: -23 * HOUR, missed: 4 };

export type Labels = Record<string, string>;

export class Writer {
  readonly lines: string[] = [];
  family(name: string, type: 'gauge' | 'counter' | 'unknown', series: Array<{ labels: Labels; points: Array<[number, number]> }>) {
    // OpenMetrics names a counter family without its _total suffix.
    this.lines.push(`# TYPE ${type === 'counter' ? name.replace(/_total$/, '') : name} ${type}`);
    for (const s of series) {
      const l = Object.entries({ job: 'headroom', ...s.labels }).map(([k, v]) => `${k}="${v}"`).join(',');
      for (const [t, v] of s.points) this.lines.push(`${name}{${l}} ${v} ${t}`);
    }
  }
}

export function times(start: number, end: number, every: number): number[] {
  const out: number[] = [];
  for (let t = start; t <= end; t += every) out.push(t);
  return out;
}

/** The farm's whole history as OpenMetrics text (ends with # EOF). */
export function farmOpenMetrics({ end, days }: FarmOptions): string {
  const start = end - days * DAY;
  const minute = times(start, end, 60);
  // Values that do not change are written every 4 minutes: inside Prometheus' 5-minute lookback.
  const slow = times(start, end, 240);
  const w = new Writer();
  const constant = (name: string, instance: string, value: number, labels: Labels = {}) => ({ labels: { instance, ...labels }, points: slow.map((t): [number, number] => [t, value]) });

  const levels: Record<string, (t: number) => number> = { 'w1:9847': (t) => w1Level(t, start), 'w2:9847': (t) => w2Level(t, start) };
  const churnOf: Record<string, (level: number) => number> = { 'w1:9847': w1Churn, 'w2:9847': () => 0 };
  const workers = Object.keys(levels);
  w.family('headroom_tmpfs_mounts', 'gauge', workers.map((i) => ({ labels: { instance: i }, points: minute.map((t): [number, number] => [t, levels[i]!(t)]) })));
  // 1.5 GiB of tmpfs per building instance.
  w.family('headroom_tmpfs_used_bytes', 'gauge', workers.map((i) => ({ labels: { instance: i }, points: minute.map((t): [number, number] => [t, levels[i]!(t) * 1.5 * GiB]) })));
  // Counters: a quarter of the churn is swap-in, three quarters swap-out; each minute adds churn x 60 s.
  for (const [name, share] of [['headroom_swap_in_bytes_total', 0.25], ['headroom_swap_out_bytes_total', 0.75]] as const) {
    w.family(name, 'counter', workers.map((i) => {
      let total = 0;
      return {
        labels: { instance: i },
        points: minute.map((t): [number, number] => {
          const p: [number, number] = [t, total];
          total += churnOf[i]!(levels[i]!(t)) * share * 60;
          return p;
        }),
      };
    }));
  }
  // w1: 8 instances; w2: 4. Both 64 GiB RAM + 32 GiB swap, 4 GiB root + 2 GiB VM memory per instance.
  w.family('headroom_worker_instances', 'gauge', [constant('headroom_worker_instances', 'w1:9847', 8), constant('headroom_worker_instances', 'w2:9847', 4)]);
  w.family('headroom_memory_ram_bytes', 'gauge', workers.map((i) => constant('', i, 64 * GiB)));
  w.family('headroom_memory_swap_bytes', 'gauge', workers.map((i) => constant('', i, 32 * GiB)));
  w.family('headroom_memory_overcommit_ratio', 'gauge', [constant('', 'w1:9847', (8 * 6) / 96), constant('', 'w2:9847', (4 * 6) / 96)]);
  const ssdHours = times(start, end, 240);
  w.family('headroom_ssd_written_bytes_total', 'counter', [{ labels: { instance: 'w1:9847', device: 'nvme0n1' }, points: ssdHours.map((t): [number, number] => [t, SSD.startWritten + (SSD.perDay * (t - start)) / DAY]) }]);
  w.family('headroom_ssd_endurance_bytes', 'gauge', [constant('', 'w1:9847', SSD.endurance, { device: 'nvme0n1' })]);

  w.family('headroom_vmhost_cpus', 'gauge', VM_HOSTS.map((h) => constant('', h, 16)));
  w.family('headroom_vmhost_memory_bytes', 'gauge', VM_HOSTS.map((h) => constant('', h, 64 * GiB)));
  w.family('headroom_vmhost_qemu_vcpus', 'gauge', VM_HOSTS.map((h) => constant('', h, 0)));
  w.family('headroom_vmhost_qemu_memory_bytes', 'gauge', VM_HOSTS.map((h) => constant('', h, 0)));
  w.family('headroom_vmhost_memory_allocated_bytes', 'gauge', VM_HOSTS.map((h) =>
    constant('', h, VM_DOMAINS.filter((d) => d.host === h && !d.shutoff).reduce((a, d) => a + d.memGiB * GiB, 0))));
  w.family('headroom_vmhost_domain_vcpus', 'gauge', VM_DOMAINS.map((d) => constant('', d.host, d.vcpus, { domain: d.name })));
  w.family('headroom_vmhost_domain_memory_bytes', 'gauge', VM_DOMAINS.map((d) => constant('', d.host, d.memGiB * GiB, { domain: d.name })));
  w.family('headroom_vmhost_domain_state', 'gauge', VM_DOMAINS.flatMap((d) => [
    constant('', d.host, d.shutoff ? 0 : 1, { domain: d.name, state: 'running' }),
    constant('', d.host, d.shutoff ? 1 : 0, { domain: d.name, state: 'shutoff' }),
  ]));

  // Backups on host b1: "etc" every 6 hours (always fresh); "wiki" daily with one day missed.
  const lastBefore = (t: number, first: number, every: number, skip?: number) => {
    let k = Math.floor((t - first) / every);
    if (k === skip) k--;
    return first + k * every;
  };
  w.family('headroom_backup_last_success_timestamp_seconds', 'gauge', [
    { labels: { instance: 'b1:9847', target: 'etc', kind: 'git' }, points: slow.map((t): [number, number] => [t, lastBefore(t, start - HOUR, 6 * HOUR)]) },
    { labels: { instance: 'b1:9847', target: 'wiki', kind: 'restic' }, points: slow.map((t): [number, number] => [t, lastBefore(t, start + BACKUP.firstOffset, DAY, BACKUP.missed)]) },
  ]);
  w.family('headroom_backup_max_age_seconds', 'gauge', [constant('', 'b1:9847', BACKUP.maxAge, { target: 'etc' }), constant('', 'b1:9847', BACKUP.maxAge, { target: 'wiki' })]);
  w.lines.push('# EOF', '');
  return w.lines.join('\n');
}
