// The issue's goals, judged from the rows of this run.
import type { BenchRow } from './report.js';

export interface Goal {
  goal: string;
  /** null when the scenario it needs did not run. */
  met: boolean | null;
  figures: string;
}

function find(rows: readonly BenchRow[], scenario: RegExp, measure: RegExp): BenchRow | undefined {
  return rows.find((r) => scenario.test(r.scenario) && measure.test(r.measure));
}

/** A goal on the ratio to the peer (headroom ÷ peer) of one row. */
function ratioGoal(rows: readonly BenchRow[], goal: string, scenario: RegExp, measure: RegExp, max: number): Goal {
  const r = find(rows, scenario, measure);
  if (!r || r.peer_value === null || r.ratio === null) return { goal, met: null, figures: 'not run' };
  return { goal, met: r.ratio <= max, figures: `${r.ratio}× (${r.headroom} vs ${r.peer_value} ${r.unit})` };
}

/** A goal on an absolute figure of headroom's. */
function limitGoal(rows: readonly BenchRow[], goal: string, scenario: RegExp, measure: RegExp, max: number): Goal {
  const r = find(rows, scenario, measure);
  if (!r) return { goal, met: null, figures: 'not run' };
  return { goal, met: r.headroom <= max, figures: `${r.headroom} ${r.unit}${r.peer_value !== null ? ` (${r.peer}: ${r.peer_value})` : ''}` };
}

export function judgeGoals(rows: readonly BenchRow[]): Goal[] {
  const goals: Goal[] = [
    ratioGoal(rows, "host scrape p50 ≤ 1.0× node_exporter's", /^host scrape/, /latency p50/, 1),
    ratioGoal(rows, "host scrape p99 ≤ 1.0× node_exporter's", /^host scrape/, /latency p99/, 1),
    ratioGoal(rows, "host CPU per scrape ≤ 1.0× node_exporter's", /^host scrape/, /^CPU time per scrape/, 1),
    // The load scenario's headroom runs worker, swap and vmhost; before the load it is idle.
    limitGoal(rows, 'RSS ≤ 50 MB idle (worker, swap, vmhost)', /^load/, /^RSS before the load$/, 50),
    limitGoal(rows, 'RSS ≤ 60 MB after the load scenario', /^load/, /^RSS after the load$/, 60),
    limitGoal(rows, 'RSS growth under load ≤ 10 MB', /^load/, /^RSS growth$/, 10),
    ratioGoal(rows, "vmhost collection time ≤ 1.0× prometheus-libvirt-exporter's (200 domains)", /^vm host/, /^collection time/, 1),
  ];
  const collect = find(rows, /10,000 workers/, /^fetch\+parse\+update/);
  goals.push(
    collect
      ? { goal: '10,000-worker OBS collection under 200 ms', met: collect.headroom < 200, figures: `${collect.headroom} ms (${collect.measure})` }
      : { goal: '10,000-worker OBS collection under 200 ms', met: null, figures: 'not run' },
  );
  const collect50k = find(rows, /50,000 workers/, /^fetch\+parse\+update/);
  goals.push(
    collect50k
      ? { goal: '50,000-worker OBS collection under 150 ms', met: collect50k.headroom < 150, figures: `${collect50k.headroom} ms (${collect50k.measure})` }
      : { goal: '50,000-worker OBS collection under 150 ms', met: null, figures: 'not run' },
  );
  // The delay a collection adds: the slowest scrape while polling, less the slowest scrape of
  // the same exporter between polls (bench/obs.ts measures both) when that baseline exists.
  const worstScrape = find(rows, /10,000 workers/, /latency max/);
  if (worstScrape) {
    const baseline = worstScrape.peer_value ?? 0;
    const delay = Math.max(0, worstScrape.headroom - baseline);
    goals.push({
      goal: 'no scrape delayed more than 20 ms by a 10,000-worker collection',
      met: delay <= 20,
      figures: `slowest scrape ${worstScrape.headroom} ms while polling vs ${baseline} ms between polls: ${Math.round(delay * 10) / 10} ms added`,
    });
  } else goals.push({ goal: 'no scrape delayed more than 20 ms by a 10,000-worker collection', met: null, figures: 'not run' });
  const loadErrors = find(rows, /^load/, /^errors$/);
  goals.push(
    loadErrors
      ? { goal: 'zero errors under load', met: loadErrors.headroom === 0, figures: `${loadErrors.headroom} errors` }
      : { goal: 'zero errors under load', met: null, figures: 'not run' },
  );
  return goals;
}

export function printGoals(goals: readonly Goal[], out: (line: string) => void = console.log): void {
  out('');
  out('## Goals');
  for (const g of goals) out(`${g.met === null ? '  n/a ' : g.met ? '  MET ' : 'MISSED'}  ${g.goal}: ${g.figures}`);
}
