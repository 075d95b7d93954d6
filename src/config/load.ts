import path from 'node:path';
import { LineCounter, isMap, isNode, isScalar, parseDocument } from 'yaml';
import { z } from 'zod';
import type { CollectorModule } from '../collector-module.js';
import { MAX_CONFIG_BYTES, readRegularFileSync, UnreadableFileError } from '../safe-file.js';
import { section, type SchemaContext } from './fields.js';

export interface HeadroomConfig {
  /** Path of the file it came from, or null when running on defaults. */
  readonly file: string | null;
  /** Enabled collector sections by collector name, validated and with defaults filled in. */
  readonly collectors: ReadonlyMap<string, unknown>;
  /** The other top-level sections (alerting, estate), validated. */
  readonly sections: Readonly<Record<string, unknown>>;
}

/** A top-level section other than `collectors` (alerting, estate): used by `headroom generate`. */
export interface ConfigSection {
  readonly key: string;
  schema(ctx: SchemaContext): z.ZodType;
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`${file}: invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export async function rootSchema(modules: readonly CollectorModule[], sections: readonly ConfigSection[], ctx: SchemaContext) {
  const collectorShape: Record<string, z.ZodType> = {};
  const schemas = await Promise.all(modules.map((m) => m.configSchema()));
  for (const [i, m] of modules.entries()) {
    const sectionSchema = schemas[i]!(ctx).extend({
      enabled: z.boolean().default(true),
      // Absent: the runtime's DEFAULT_SERIES_LIMIT (not filled in here, so defaults stay in one place).
      series_limit: z.number().int('must be a whole number').min(1, 'must be at least 1').optional(),
    });
    // `worker:` with nothing under it means "enabled, all defaults".
    collectorShape[m.name] = z.preprocess((v) => (v === null ? {} : v), sectionSchema).optional();
  }
  const shape: Record<string, z.ZodType> = {
    collectors: z.preprocess((v) => (v === null ? {} : v), section(collectorShape)).optional(),
  };
  for (const s of sections) shape[s.key] = s.schema(ctx).optional();
  return section(shape);
}

/** `a.b[0].c` from a zod issue path. */
function formatPath(p: readonly PropertyKey[]): string {
  return p.reduce<string>((out, k) => (typeof k === 'number' ? `${out}[${k}]` : out ? `${out}.${String(k)}` : String(k)), '');
}

/**
 * Reads a YAML file and validates it against `schema`. Throws ConfigError listing every
 * problem, each as `FILE:LINE:COL: key.path: what is wrong`. Shared by every file headroom
 * reads (the config, the web config).
 */
export function readYamlFile<S extends z.ZodType>(file: string, schema: S): z.output<S> {
  let text: string;
  try {
    text = readRegularFileSync(file, MAX_CONFIG_BYTES).toString('utf8');
  } catch (err) {
    if (err instanceof UnreadableFileError) throw new ConfigError(file, [`${file}: file ${err.reason}`]);
    throw err;
  }

  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        return `${file}${pos ? `:${pos.line}:${pos.col}` : ''}: YAML syntax error: ${e.message.split('\n')[0]}`;
      }),
    );
  }
  let raw: unknown;
  try {
    // The yaml library caps alias expansion (a "billion laughs" document) by throwing.
    raw = doc.toJS() ?? {};
  } catch (err) {
    throw new ConfigError(file, [`${file}: YAML cannot be expanded: ${err instanceof Error ? err.message : String(err)}`]);
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    const where = (p: readonly PropertyKey[]) => {
      // Point at the deepest node that exists: a missing key is reported at its parent.
      for (let n = p.length; n >= 0; n--) {
        const node = doc.getIn(p.slice(0, n) as unknown[], true);
        if (isNode(node) && node.range) {
          const pos = lineCounter.linePos(node.range[0]);
          return `${file}:${pos.line}:${pos.col}`;
        }
      }
      return file;
    };
    const whereKey = (parent: readonly PropertyKey[], key: string) => {
      const map = parent.length === 0 ? doc.contents : doc.getIn(parent as unknown[], true);
      const pair = isMap(map) ? map.items.find((p) => isScalar(p.key) && p.key.value === key) : undefined;
      if (pair && isNode(pair.key) && pair.key.range) {
        const pos = lineCounter.linePos(pair.key.range[0]);
        return `${file}:${pos.line}:${pos.col}`;
      }
      return where(parent);
    };
    const problems = result.error.issues.flatMap((issue) => {
      if (issue.code === 'unrecognized_keys') {
        // One line per unknown key, located at the key itself (section() writes one per line).
        const lines = issue.message.split('\n');
        return issue.keys.map((k, i) => {
          const keyPath = [...issue.path, k];
          return `${whereKey(issue.path, k)}: ${formatPath(keyPath)}: ${lines[i] ?? issue.message}`;
        });
      }
      const key = formatPath(issue.path) || '(top level)';
      return [`${where(issue.path)}: ${key}: ${issue.message}`];
    });
    throw new ConfigError(file, problems);
  }

  return result.data;
}

/** Reads and validates the headroom config file (see readYamlFile for the error format). */
export async function loadConfig(
  file: string,
  modules: readonly CollectorModule[],
  sections: readonly ConfigSection[] = [],
): Promise<HeadroomConfig> {
  const schema = await rootSchema(modules, sections, { baseDir: path.dirname(path.resolve(file)) });
  const parsed = readYamlFile(file, schema) as { collectors?: Record<string, { enabled: boolean } | undefined> } & Record<string, unknown>;
  const collectors = new Map<string, unknown>();
  for (const m of modules) {
    const sectionConfig = parsed.collectors?.[m.name];
    if (sectionConfig && sectionConfig.enabled) collectors.set(m.name, sectionConfig);
  }
  const others: Record<string, unknown> = {};
  for (const s of sections) if (parsed[s.key] !== undefined) others[s.key] = parsed[s.key];
  return { file, collectors, sections: others };
}

/** The section a module gets when there is no config file: its schema's defaults. */
export async function defaultSectionConfig(module: CollectorModule): Promise<unknown> {
  return (await module.configSchema())({ baseDir: process.cwd() }).parse({});
}
