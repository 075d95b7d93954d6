import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../support/exporter.js';

export function fixture(name: string): string {
  return readFileSync(path.join(repoRoot, 'test/fixtures/obs', name), 'utf8');
}

/** Plain object of a map, for readable equality assertions. */
export function obj<V>(map: ReadonlyMap<string, V>): Record<string, V> {
  return Object.fromEntries(map);
}
