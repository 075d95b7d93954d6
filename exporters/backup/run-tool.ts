// Runs a backup tool through src/exec.ts and turns every way it can fail into one message
// that names the operation and the reason, never the secret.
import { RunError, runProgram, type RunOptions, type RunResult } from '../../src/exec.js';
import { describeToolFailure, scrubSecret } from './tool-errors.js';

/** A read of a target that failed; the message is what the status page and the log show. */
export class BackupReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupReadError';
  }
}

export interface ToolCall {
  readonly program: string;
  readonly args: readonly string[];
  /** What is being done, for messages: `restic snapshots of /srv/backup/bz`. */
  readonly what: string;
  readonly options: RunOptions;
  /** A secret passed to the tool (on stdin), scrubbed from any message. */
  readonly secret?: string;
}

export async function runTool(call: ToolCall): Promise<RunResult> {
  try {
    return await runProgram(call.program, call.args, call.options);
  } catch (err) {
    throw new BackupReadError(scrubSecret(`${call.what}: ${reasonOf(call.program, err)}`, call.secret));
  }
}

function reasonOf(program: string, err: unknown): string {
  if (!(err instanceof RunError)) return err instanceof Error ? err.message : String(err);
  switch (err.reason) {
    case 'not-found':
      return `${program} is not installed (not found on PATH)`;
    case 'timeout':
    case 'aborted':
    case 'too-much-output':
    case 'spawn':
      return err.message;
    case 'exit': {
      const r = err.result;
      return `${describeToolFailure(r?.stderr ?? '', r?.stdout ?? '')} (${program} exited with status ${r?.exitCode ?? '?'})`;
    }
  }
}

/** The exporter's environment without the variables that would override a target's settings. */
export function cleanEnv(drop: readonly string[], set: Readonly<Record<string, string | undefined>>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of drop) delete env[k];
  for (const [k, v] of Object.entries(set)) if (v !== undefined) env[k] = v;
  return env;
}
