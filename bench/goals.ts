// The goals, judged from the rows of this run.
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

export function judgeGoals(rows: readonly BenchRow[], loadRssAfterMB: number | null): Goal[] {
  const goals: Goal[] = [];
  const hostP99 = find(rows, /^host scrape/, /latency p99/);
  goals.push(
    hostP99 && hostP99.peer_value !== null
      ? { goal: "host scrape p99 no worse than node_exporter's", met: hostP99.headroom <= hostP99.peer_value, figures: `${hostP99.headroom} ms vs ${hostP99.peer_value} ms` }
      : { goal: "host scrape p99 no worse than node_exporter's", met: null, figures: 'not run' },
  );
  goals.push(
    loadRssAfterMB !== null
      ? { goal: 'RSS under 80 MB after the load scenario', met: loadRssAfterMB < 80, figures: `${loadRssAfterMB} MB` }
      : { goal: 'RSS under 80 MB after the load scenario', met: null, figures: 'not run' },
  );
  const collect = find(rows, /10,000 workers/, /^fetch\+parse\+update/);
  goals.push(
    collect
      ? { goal: '10,000-worker OBS collection under 200 ms', met: collect.headroom < 200, figures: `${collect.headroom} ms (${collect.measure})` }
      : { goal: '10,000-worker OBS collection under 200 ms', met: null, figures: 'not run' },
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
