import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { HeadroomConfig } from './config/load.js';

export interface GeneratedFile {
  /** Relative to the output folder, e.g. `rules/headroom.rules.yml`. */
  readonly path: string;
  readonly content: string;
}

/**
 * One part of what `headroom generate` writes (alert rules, Alertmanager config, dashboards,
 * Prometheus config...). A part whose config section is absent is skipped, with the reason.
 */
export interface ArtifactGenerator {
  readonly name: string;
  generate(config: HeadroomConfig): readonly GeneratedFile[] | { readonly skipped: string };
}

export interface GenerateReport {
  written: string[];
  skipped: Array<{ name: string; reason: string }>;
}

/** Runs every generator and writes its files under `outDir`; pure apart from the writes. */
export function generateAll(generators: readonly ArtifactGenerator[], config: HeadroomConfig, outDir: string): GenerateReport {
  const report: GenerateReport = { written: [], skipped: [] };
  for (const g of generators) {
    const result = g.generate(config);
    if ('skipped' in result) {
      report.skipped.push({ name: g.name, reason: result.skipped });
      continue;
    }
    for (const file of result) {
      const target = path.join(outDir, file.path);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, file.content);
      report.written.push(target);
    }
  }
  return report;
}
