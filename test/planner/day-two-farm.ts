// The estate the day after an admin applied the planner's proposal, as OpenMetrics for
// promtool: every answer is known by construction (see the comments and plan-day-two.test.ts).
import { DAY, GiB, HOUR, MB, Writer, times, type Labels } from './farm.js';

/** When things happened, in seconds before the window's end. */
export const EVENTS = {
  /** web was live-migrated vm1 → vm2 (yesterday's proposal, applied). */
  webMigrated: 20 * 60,
  /** old-test was deleted from vm3. */
  oldTestDeleted: 30 * 60,
  /** git moved vm1 → vm2 two days ago: moving it back is what the move-back guard avoids. */
  gitMigrated: 2 * DAY,
};

/** Domain → [host before, host after, GiB, from (s before end) or undefined, until (s before end) or undefined]. */
export const DOMAINS: ReadonlyArray<{ name: string; host: string; memGiB: number; vcpus: number; from?: number; until?: number }> = [
  { name: 'web', host: 'vm1:9847', memGiB: 32, vcpus: 4, until: EVENTS.webMigrated },
  { name: 'web', host: 'vm2:9847', memGiB: 32, vcpus: 4, from: EVENTS.webMigrated },
  { name: 'db', host: 'vm1:9847', memGiB: 24, vcpus: 8 },
  { name: 'ci', host: 'vm1:9847', memGiB: 16, vcpus: 4 },
  { name: 'git', host: 'vm1:9847', memGiB: 16, vcpus: 4, until: EVENTS.gitMigrated },
  { name: 'git', host: 'vm2:9847', memGiB: 16, vcpus: 4, from: EVENTS.gitMigrated },
  { name: 'bugzilla', host: 'vm2:9847', memGiB: 16, vcpus: 4 },
  { name: 'obs-backend', host: 'vm3:9847', memGiB: 48, vcpus: 12 },
  { name: 'old-test', host: 'vm3:9847', memGiB: 24, vcpus: 4, until: EVENTS.oldTestDeleted },
];
export const VM_HOSTS = ['vm1:9847', 'vm2:9847', 'vm3:9847'];
/** Every VM host: 64 GiB, 16 CPUs. */
export const VM_HOST = { memGiB: 64, cpus: 16 };

/** w1 builds at (hour mod 9) instances: 0..8. */
export const level = (t: number, start: number) => Math.floor((t - start) / HOUR) % 9;
/** Swap churn 0.3 MB/s per instance above 2: a 2.1 MB/s budget is reached at exactly 2 + 7 = 9. */
export const churnOf = (l: number) => 0.3 * MB * Math.max(0, l - 2);
/** Memory stall (PSI full) 1 % of the time per instance above 4: a 5 % budget is reached at exactly 9. */
export const stallOf = (l: number) => 0.01 * Math.max(0, l - 4);
/** w1: 7 instances promising 0.7 × (64 + 32) GiB: the memory limit is exactly 10; 0.7 is not exact in binary. */
export const W1 = { instances: 7, ratio: 0.7, ramGiB: 64, swapGiB: 32 };

/** Backups of "wiki": daily at the window's start + k days; k = 2 missed; the exporter was down 12..15 h into day 2. */
export const WIKI = { maxAge: 26 * HOUR, missed: 2, gapFrom: 2 * DAY + 12 * HOUR, gapTo: 2 * DAY + 15 * HOUR };

export function dayTwoOpenMetrics({ end, days }: { end: number; days: number }): string {
  const start = end - days * DAY;
  const minute = times(start, end, 60);
  const slow = times(start, end, 240);
  const w = new Writer();
  const constant = (instance: string, value: number, labels: Labels = {}, when = slow) => ({ labels: { instance, ...labels }, points: when.map((t): [number, number] => [t, value]) });
  const i = 'w1:9847';
  w.family('headroom_tmpfs_mounts', 'gauge', [{ labels: { instance: i }, points: minute.map((t): [number, number] => [t, level(t, start)]) }]);
  // Each minute adds its rate × 60 s.
  const counter = (name: string, perSecond: (l: number) => number) => {
    let total = 0;
    w.family(name, 'counter', [{
      labels: { instance: i },
      points: minute.map((t): [number, number] => {
        const p: [number, number] = [t, total];
        total += perSecond(level(t, start)) * 60;
        return p;
      }),
    }]);
  };
  counter('headroom_swap_in_bytes_total', (l) => churnOf(l) / 2);
  counter('headroom_swap_out_bytes_total', (l) => churnOf(l) / 2);
  counter('headroom_pressure_memory_stalled_seconds_total', stallOf);
  w.family('headroom_worker_instances', 'gauge', [constant(i, W1.instances)]);
  w.family('headroom_memory_ram_bytes', 'gauge', [constant(i, W1.ramGiB * GiB)]);
  w.family('headroom_memory_swap_bytes', 'gauge', [constant(i, W1.swapGiB * GiB)]);
  w.family('headroom_memory_overcommit_ratio', 'gauge', [constant(i, W1.ratio)]);

  // A domain's series exists while it is on the host: written every 4 minutes, and at its
  // last moment, so it ends exactly when the domain left.
  const onHost = (d: (typeof DOMAINS)[number], t: number) => t >= end - (d.from ?? days * DAY) && (d.until === undefined || t < end - d.until);
  const during = (d: (typeof DOMAINS)[number]) => {
    const from = d.from === undefined ? start : end - d.from;
    const until = d.until === undefined ? end : end - d.until;
    return [...slow.filter((t) => t >= from && t < until), until];
  };
  w.family('headroom_vmhost_cpus', 'gauge', VM_HOSTS.map((h) => constant(h, VM_HOST.cpus)));
  w.family('headroom_vmhost_memory_bytes', 'gauge', VM_HOSTS.map((h) => constant(h, VM_HOST.memGiB * GiB)));
  w.family('headroom_vmhost_qemu_vcpus', 'gauge', VM_HOSTS.map((h) => constant(h, 0)));
  w.family('headroom_vmhost_qemu_memory_bytes', 'gauge', VM_HOSTS.map((h) => constant(h, 0)));
  w.family('headroom_vmhost_memory_allocated_bytes', 'gauge', VM_HOSTS.map((h) => ({
    labels: { instance: h },
    points: slow.map((t): [number, number] => [t, DOMAINS.filter((d) => d.host === h && onHost(d, t)).reduce((a, d) => a + d.memGiB * GiB, 0)]),
  })));
  w.family('headroom_vmhost_domain_vcpus', 'gauge', DOMAINS.map((d) => constant(d.host, d.vcpus, { domain: d.name }, during(d))));
  w.family('headroom_vmhost_domain_memory_bytes', 'gauge', DOMAINS.map((d) => constant(d.host, d.memGiB * GiB, { domain: d.name }, during(d))));
  w.family('headroom_vmhost_domain_state', 'gauge', DOMAINS.map((d) => constant(d.host, 0, { domain: d.name, state: 'shutoff' }, during(d))));

  const seen = slow.filter((t) => t - start < WIKI.gapFrom || t - start > WIKI.gapTo);
  const lastBackup = (t: number) => {
    let k = Math.floor((t - start) / DAY);
    if (k === WIKI.missed) k--;
    return start + k * DAY;
  };
  w.family('headroom_backup_last_success_timestamp_seconds', 'gauge', [{ labels: { instance: 'b1:9847', target: 'wiki', kind: 'restic' }, points: seen.map((t): [number, number] => [t, lastBackup(t)]) }]);
  w.family('headroom_backup_max_age_seconds', 'gauge', [constant('b1:9847', WIKI.maxAge, { target: 'wiki' }, seen)]);
  w.lines.push('# EOF', '');
  return w.lines.join('\n');
}
