import type { Logger } from './log.js';
import type { z } from 'zod';
import type { Collector } from './collector.js';
import type { SchemaContext } from './config/fields.js';
import type { HostPaths } from './paths.js';

export interface CollectorEnv {
  readonly paths: HostPaths;
  readonly log: Logger;
}

/**
 * How a collector plugs into headroom: its config section (the key under `collectors:`), how it
 * is built from that section, and whether it runs when there is no config file at all.
 * Every module is listed once in exporters/index.ts: the one registration mechanism.
 */
export interface CollectorModule<Schema extends z.ZodObject = z.ZodObject> {
  readonly name: string;
  /** One line for --help, the status page and the README. */
  readonly summary: string;
  /**
   * Its config section's schema, imported on demand: validation runs in a short-lived child
   * (src/config/child.ts), so a serving process never loads zod or the schemas.
   */
  configSchema(): Promise<(ctx: SchemaContext) => Schema>;
  /**
   * Without a config file, host collectors run with their defaults where they work on this
   * machine. Absent = never runs without configuration (it needs targets or credentials).
   */
  autodetect?(env: CollectorEnv): Promise<boolean>;
  /**
   * True when the collector parses large documents and needs V8's optimising compiler, which
   * serve otherwise leaves off to save memory (src/node-flags.ts).
   */
  readonly needsOptimizingCompiler?: boolean;
  /** A Promise when the collector's code is imported on demand (collectors most hosts do not run). */
  create(config: z.output<Schema>, env: CollectorEnv): Collector | Promise<Collector>;
}

/** Keeps a module's config type tied to its schema at the definition site. */
export function defineCollectorModule<Schema extends z.ZodObject>(m: CollectorModule<Schema>): CollectorModule<Schema> {
  return m;
}
