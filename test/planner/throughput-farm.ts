// Two OBS worker hosts whose throughput is known by construction, as OpenMetrics for promtool,
// with the per-minute history they were written from so a test can work out the answers itself.
// w1 (instance w1:9847) finishes 12 jobs/h per building instance up to 5, then no more (a little
// less at 7 and 8) and its builds take longer; its swap churn rises above 4 instances.
// build2 is OBS' name for the host Prometheus scrapes as w2:9847: planner.obs_worker_hosts
// joins them. It finishes 10 jobs/h per instance at every count seen (0..6): no saturation.
import { HOST_BUILD_TIME_BUCKETS } from '../../planner/queries.js';
import { DAY, HOUR, MB, Writer, times } from './farm.js';

/** The per-host duration buckets the obs collector writes, seconds. */
export const BUCKETS = [60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400, 28800, 86400, Infinity];

export interface ObsHost {
  /** OBS' worker host name (the `host` label). */
  readonly obsHost: string;
  /** The worker host's Prometheus instance. */
  readonly instance: string;
  readonly building: (t: number, start: number) => number;
  readonly jobsPerHour: (building: number) => number;
  /** How long every build finishing at this count takes, seconds. */
  readonly buildSeconds: (building: number) => number;
  /** Swap-in + swap-out, bytes per second. */
  readonly churn: (building: number) => number;
}

export const HOSTS: readonly ObsHost[] = [
  {
    obsHost: 'w1',
    instance: 'w1:9847',
    building: (t, start) => Math.floor((t - start) / HOUR) % 9,
    jobsPerHour: (b) => [0, 12, 24, 36, 48, 60, 60, 58, 55][b]!,
    buildSeconds: (b) => (b <= 5 ? 250 : b <= 7 ? 900 : 1500),
    churn: (b) => 8 * MB * Math.max(0, b - 4),
  },
  {
    obsHost: 'build2',
    instance: 'w2:9847',
    building: (t, start) => Math.floor((t - start) / HOUR) % 7,
    jobsPerHour: (b) => 10 * b,
    buildSeconds: () => 500,
    churn: () => 0,
  },
];

/** What happened in one minute on one host: the count building and the jobs that finished. */
export interface Minute {
  readonly host: ObsHost;
  readonly t: number;
  readonly building: number;
  readonly jobs: number;
  readonly buildSeconds: number;
}

export function throughputFarm({ end, days }: { end: number; days: number }): { openMetrics: string; minutes: Minute[] } {
  const start = end - days * DAY;
  const minutes: Minute[] = [];
  for (const host of HOSTS) {
    for (const t of times(start, end, 60)) {
      const b = host.building(t, start);
      minutes.push({ host, t, building: b, jobs: host.jobsPerHour(b) / 60, buildSeconds: host.buildSeconds(b) });
    }
  }
  const w = new Writer();
  const of = (h: ObsHost) => minutes.filter((m) => m.host === h);
  // A counter's sample at t holds what finished before t: each minute adds its jobs after it.
  const counter = (h: ObsHost, add: (m: Minute) => number): Array<[number, number]> => {
    let total = 0;
    return of(h).map((m) => {
      const p: [number, number] = [m.t, total];
      total += add(m);
      return p;
    });
  };
  w.family('headroom_obs_worker_host_instances', 'gauge', HOSTS.flatMap((h) => [
    { labels: { obs: 'main', host: h.obsHost, state: 'building' }, points: of(h).map((m): [number, number] => [m.t, m.building]) },
    // Idle instances must not count as building.
    { labels: { obs: 'main', host: h.obsHost, state: 'idle' }, points: of(h).map((m): [number, number] => [m.t, 10 - m.building]) },
  ]));
  // Two workers per host: two thirds succeed on the first, a third fail on the second; the planner sums them.
  w.family('headroom_obs_jobs_finished_total', 'counter', HOSTS.flatMap((h) => [
    { labels: { obs: 'main', worker: `${h.obsHost}:1`, host: h.obsHost, arch: 'x86_64', code: 'succeeded' }, points: counter(h, (m) => (m.jobs * 2) / 3) },
    { labels: { obs: 'main', worker: `${h.obsHost}:2`, host: h.obsHost, arch: 'x86_64', code: 'failed' }, points: counter(h, (m) => m.jobs / 3) },
  ]));
  // A histogram's `…_bucket` series: no OpenMetrics counter samples (those end in _total), so
  // they go in as untyped; Prometheus stores them alike.
  w.family(HOST_BUILD_TIME_BUCKETS, 'unknown', HOSTS.flatMap((h) => BUCKETS.map((le) => ({
    labels: { obs: 'main', host: h.obsHost, le: le === Infinity ? '+Inf' : String(le) },
    points: counter(h, (m) => (m.buildSeconds <= le ? m.jobs : 0)),
  }))));
  w.family('headroom_tmpfs_mounts', 'gauge', HOSTS.map((h) => ({ labels: { instance: h.instance }, points: of(h).map((m): [number, number] => [m.t, m.building]) })));
  for (const name of ['headroom_swap_in_bytes_total', 'headroom_swap_out_bytes_total']) {
    w.family(name, 'counter', HOSTS.map((h) => ({ labels: { instance: h.instance }, points: counter(h, (m) => (h.churn(m.building) / 2) * 60) })));
  }
  w.lines.push('# EOF', '');
  return { openMetrics: w.lines.join('\n'), minutes };
}
