// Turns each configured target into a background source: read its metadata on its schedule,
// one call per repository at a time, and report what was found. The target's health is the
// runtime's (headroom_collector_source_*{collector="backup",source=<target>}).
import { defineCollector, type Collector, type Source } from '../../src/collector.js';
import { sample, type Sample } from '../../src/metrics.js';
import type { BackupSummary } from './backup-summary.js';
import { readBorg, borgRepository } from './borg.js';
import { backupTiming, type BackupConfig, type BackupTarget } from './config.js';
import { readFiles } from './files.js';
import { readGit } from './git.js';
import { coverageSamples } from './coverage.js';
import { runIntegrityCheck } from './integrity-check.js';
import { periodicTestSource } from './periodic-source.js';
import { runRestoreTest } from './restore-test.js';
import { backupMetrics, integrityCheck, lastSuccess, maxAge, newestSize, repositoryLocks, restoreTest, snapshots } from './metrics.js';
import type { ReadContext } from './read-context.js';
import { readRestic, resticRepository } from './restic.js';
import { PerKeySerialiser } from './serialise.js';

function read(t: BackupTarget, ctx: ReadContext): Promise<BackupSummary> {
  switch (t.kind) {
    case 'restic':
      return readRestic(t, ctx);
    case 'borg':
      return readBorg(t, ctx);
    case 'files':
      return readFiles(t, ctx);
    case 'git':
      return readGit(t, ctx);
  }
}

/** The repository a target's tool works on, for serialisation; null when reads cannot conflict. */
function repositoryKey(t: BackupTarget, ctx: Pick<ReadContext, 'paths'>): string | null {
  if (t.kind === 'restic') return resticRepository(t, ctx);
  if (t.kind === 'borg') return borgRepository(t, ctx);
  return null;
}

export function summarySamples(t: BackupTarget, s: BackupSummary): Sample[] {
  const target = { target: t.name };
  const out = [sample(lastSuccess, { target: t.name, kind: t.kind }, s.newestSeconds), sample(snapshots, target, s.count)];
  if (s.newestSizeBytes !== undefined) out.push(sample(newestSize, target, s.newestSizeBytes));
  if (s.locks !== undefined) out.push(sample(repositoryLocks, target, s.locks));
  return out;
}

// Process-wide, not per collector: after a config reload the old collector's read may still be
// running when the new one starts on the same repository.
const serialiser = new PerKeySerialiser();

// Slow tests (checks, restores) queue behind each other, not behind the quick metadata reads:
// those are lock-free and must not miss their deadline while a check runs for an hour.
const testSerialiser = new PerKeySerialiser();

function slowTestSources(t: BackupTarget): Source[] {
  // The configured repository names it well enough: tests of one target config share it.
  const key = t.kind === 'restic' || t.kind === 'borg' ? t.repository : null;
  const out: Source[] = [];
  if ((t.kind === 'restic' || t.kind === 'borg' || t.kind === 'git') && t.integrity_check) {
    const c = t.integrity_check;
    out.push(periodicTestSource(t, { name: 'integrity-check', metrics: integrityCheck, everyMs: c.every, timeoutMs: c.timeout, run: (ctx) => runIntegrityCheck(t, ctx) }, key, testSerialiser));
  }
  if ((t.kind === 'restic' || t.kind === 'borg') && t.restore_test) {
    const r = t.restore_test;
    out.push(periodicTestSource(t, { name: 'restore-test', metrics: restoreTest, everyMs: r.every, timeoutMs: r.timeout, run: (ctx) => runRestoreTest(t, ctx) }, key, testSerialiser));
  }
  return out;
}

export function createBackupCollector(config: BackupConfig): Collector {
  const reads = config.targets.map((t): Source => {
    const timing = backupTiming.resolve(t);
    return {
      id: t.name,
      ...timing,
      async collect(ctx) {
        const readCtx: ReadContext = { paths: ctx.paths, signal: ctx.signal, timeoutMs: timing.timeoutMs };
        const key = repositoryKey(t, readCtx);
        const summary = key === null ? await read(t, readCtx) : await serialiser.run(key, ctx.signal, () => read(t, readCtx));
        return summarySamples(t, summary);
      },
    };
  });
  const sources = [...reads, ...config.targets.flatMap(slowTestSources)];
  // The objective and what each target covers are configuration, not something a read finds:
  // served from startup, so a target that never succeeded still has its objective
  // (BackupNeverSucceeded relies on it) and coverage does not wait for a read.
  const constants = [...config.targets.map((t) => sample(maxAge, { target: t.name }, t.max_age / 1000)), ...config.targets.flatMap(coverageSamples)];
  return defineCollector({ name: 'backup', metrics: backupMetrics, sources, constants });
}
