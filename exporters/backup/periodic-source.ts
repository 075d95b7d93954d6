// A slow per-target test (integrity check or restore test) as a source of its own: polled
// often, run only when due (cadence.ts), one test at a time per repository, and reported as
// explicit result series whatever the outcome (a failed check is data, not a broken source).
import type { Source } from '../../src/collector.js';
import { sample, type Sample } from '../../src/metrics.js';
import { afterRun, afterSkip, initialCadence, isDue, RETRY_MIN_MS, type CadenceState } from './cadence.js';
import type { BackupTarget } from './config.js';
import { restoredBytes, type PeriodicTestMetrics } from './metrics.js';
import type { ReadContext } from './read-context.js';
import type { PerKeySerialiser } from './serialise.js';
import type { TestOutcome } from './test-outcome.js';

export interface PeriodicTest {
  /** `integrity-check` or `restore-test`: the source id is `<target>/<name>` ('/' is never in a target name). */
  readonly name: string;
  readonly metrics: PeriodicTestMetrics;
  readonly everyMs: number;
  readonly timeoutMs: number;
  run(ctx: ReadContext): Promise<TestOutcome>;
}

interface TestState {
  cadence: CadenceState;
  samples: Sample[];
}

// Process-wide, keyed by the test and the target's whole configuration: a config reload that
// keeps a target as it was does not rerun a weekly check; one that changes it starts afresh.
const states = new Map<string, TestState>();

/** Grace beyond the test's own deadline so the tool is killed by runTool, not abandoned by the runtime. */
const GRACE_MS = 30_000;

export function periodicTestSource(t: BackupTarget, test: PeriodicTest, repositoryKey: string | null, serialiser: PerKeySerialiser): Source {
  const key = `${test.name}\0${JSON.stringify(t)}`;
  const target = { target: t.name };
  const m = test.metrics;
  return {
    id: `${t.name}/${test.name}`,
    schedule: { kind: 'interval', ms: Math.min(RETRY_MIN_MS, test.everyMs) },
    timeoutMs: test.timeoutMs + GRACE_MS,
    async collect(ctx) {
      const state = states.get(key) ?? { cadence: initialCadence, samples: [sample(m.interval, target, test.everyMs / 1000)] };
      states.set(key, state);
      if (!isDue(state.cadence, Date.now(), test.everyMs)) return state.samples;

      const readCtx: ReadContext = { paths: ctx.paths, signal: ctx.signal, timeoutMs: test.timeoutMs };
      const started = Date.now();
      const run = () => test.run(readCtx);
      const outcome = repositoryKey === null ? await run() : await serialiser.run(repositoryKey, ctx.signal, run);
      const ended = Date.now();
      const log = { collector: 'backup', source: `${t.name}/${test.name}` };
      if (outcome.kind === 'skipped') {
        ctx.log.info(log, `${test.name} skipped: ${outcome.reason}`);
        ctx.note?.(`skipped: ${outcome.reason}`);
        state.cadence = afterSkip(state.cadence, ended);
        state.samples = [...state.samples.filter((s) => s.metric !== m.skipped), sample(m.skipped, target, 1)];
        return state.samples;
      }
      if (outcome.kind === 'failed') ctx.log.warn(log, `${test.name} failed: ${outcome.reason}`);
      state.cadence = afterRun(ended);
      state.samples = [
        sample(m.interval, target, test.everyMs / 1000),
        sample(m.success, target, outcome.kind === 'passed' ? 1 : 0),
        sample(m.lastRun, target, ended / 1000),
        sample(m.duration, target, (ended - started) / 1000),
        sample(m.skipped, target, 0),
        ...(outcome.kind === 'passed' && outcome.restoredBytes !== undefined ? [sample(restoredBytes, target, outcome.restoredBytes)] : []),
      ];
      if (outcome.kind === 'failed') ctx.note?.(`${test.name} failed: ${outcome.reason}`);
      return state.samples;
    },
  };
}
