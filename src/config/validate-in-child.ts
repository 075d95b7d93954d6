// A serving process never loads zod, yaml or the config schemas (about 7 MB resident that it
// would keep for its whole life): a short-lived child validates the files and sends back the
// result, structured-cloned over IPC. Reloads ask a new child.
import { fileURLToPath } from 'node:url';
import { errorMessage } from '../errors.js';
import { askNodeModule, RunError } from '../exec.js';
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

export async function validateInChild(request: ConfigRequest, timeoutMs = CHILD_TIMEOUT_MS): Promise<ValidatedConfig> {
  let reply: ConfigReply;
  try {
    reply = await askNodeModule<ConfigReply>(childModule, request, { timeoutMs });
  } catch (err) {
    if (err instanceof RunError && err.reason === 'timeout') {
      throw new Error(`config validation did not finish within ${timeoutMs / 1000}s (a config or secret file on a hung file system?)`);
    }
    throw new Error(`config validation failed: ${errorMessage(err)}`);
  }
  if (!reply.ok) throw new InvalidConfigError(reply.problem);
  return { config: reply.config, defaults: reply.defaults, web: reply.web };
}
