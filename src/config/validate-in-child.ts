// A serving process never loads zod, yaml or the config schemas (about 7 MB resident that it
// would keep for its whole life): a short-lived child validates the files and sends back the
// result, structured-cloned over IPC. Reloads ask a new child.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { WebConfig } from '../web-config.js';
import type { HeadroomConfig } from './load.js';

export interface ConfigRequest {
  /** The config file, or none: then the defaults of every collector that autodetects. */
  readonly configFile?: string | undefined;
  readonly webConfigFile?: string | undefined;
}

export interface ValidatedConfig {
  readonly config: HeadroomConfig | null;
  /** Without a config file: each autodetecting collector's section with its defaults. */
  readonly defaults: ReadonlyMap<string, unknown>;
  readonly web: WebConfig | null;
}

export type ConfigReply = ({ readonly ok: true } & ValidatedConfig) | { readonly ok: false; readonly problem: string };

/** The files are invalid: `message` names the file, the field and the problem (exit 2). */
export class InvalidConfigError extends Error {
  override readonly name = 'InvalidConfigError';
}

const childModule = fileURLToPath(new URL('./child.js', import.meta.url));
/** Reading a secret file on a hung NFS mount must not hang serve's start or a reload forever. */
const CHILD_TIMEOUT_MS = 60_000;
const MAX_STDERR = 8192;

export function validateInChild(request: ConfigRequest, timeoutMs = CHILD_TIMEOUT_MS): Promise<ValidatedConfig> {
  return new Promise((resolve, reject) => {
    // No node flags of the parent's (its heap limits, a debugger port); NODE_OPTIONS still applies.
    const child = fork(childModule, [], { execArgv: [], serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    let reply: ConfigReply | undefined;
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-MAX_STDERR);
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`config validation did not finish within ${timeoutMs / 1000}s (a config or secret file on a hung file system?)`));
    }, timeoutMs);
    child.once('message', (message: ConfigReply) => {
      reply = message;
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot start config validation: ${err.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (reply?.ok) {
        resolve({ config: reply.config, defaults: reply.defaults, web: reply.web });
      } else if (reply) {
        reject(new InvalidConfigError(reply.problem));
      } else {
        reject(new Error(`config validation exited with ${signal ?? code} and no answer${stderr ? `:\n${stderr.trim()}` : ''}`));
      }
    });
    child.send(request);
  });
}
