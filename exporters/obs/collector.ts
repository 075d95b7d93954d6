// One Source per configured OBS instance: each polls its own API on its own schedule, and its
// samples (all labelled obs=<name>) are its last good snapshot.
import { defineCollector, type CollectContext, type Collector, type Source } from '../../src/collector.js';
import { errorMessage } from '../../src/errors.js';
import type { Sample } from '../../src/metrics.js';
import type { Schedule } from '../../src/schedule.js';
import { MAX_PEM_BYTES, readRegularFile, readSecretFile } from '../../src/safe-file.js';
import { obsTiming, type ObsConfig, type ObsInstanceConfig } from './config.js';
import { ObsClient, ObsHttpError } from './http.js';
import { obsMetrics } from './metrics.js';
import { ResultListParser } from './resultlist.js';
import { inflightSamples } from './inflight.js';
import { repositorySamples, workerStatusSamples } from './samples.js';
import { WatchedRepositories } from './watch.js';
import { WorkerStatusParser, type WorkerStatusSummary } from './workerstatus.js';

/** The official route since OBS 2.8, then the one older servers have. */
const WORKER_STATUS_PATHS = ['/worker/_status', '/build/_workerstatus'] as const;

export class ObsInstanceSource implements Source {
  readonly id: string;
  readonly schedule: Schedule;
  readonly timeoutMs: number;
  private client: ObsClient | null = null;
  /**
   * Index in WORKER_STATUS_PATHS of the route that answered last. Remembered so an old server
   * costs one 404 at startup, not one per poll; the other route is still tried whenever the
   * remembered one says 404 (the server was upgraded or moved).
   */
  private workerStatusRoute = 0;
  /** Job outcomes counted so far: kept across polls (they are counters). */
  private readonly watched: WatchedRepositories;

  constructor(private readonly config: ObsInstanceConfig) {
    this.id = config.name;
    ({ schedule: this.schedule, timeoutMs: this.timeoutMs } = obsTiming.resolve(config));
    this.watched = new WatchedRepositories(config);
  }

  async collect(ctx: CollectContext): Promise<Sample[]> {
    const secret = await this.readPassword();
    try {
      const authorization = secret === null ? undefined : basicAuth(this.config.username!, secret);
      const client = await this.getClient();
      const status = await this.fetchWorkerStatus(client, ctx.signal, authorization);
      const samples = [...workerStatusSamples(this.config.name, status), ...inflightSamples(this.config.name, status)];
      for (const project of this.config.projects) {
        const parser = new ResultListParser();
        const path = `/build/${encodeURIComponent(project)}/_result?view=summary`;
        try {
          await client.get(path, (text) => parser.write(text), ctx.signal, authorization);
        } catch (err) {
          if (err instanceof ObsHttpError && err.status === 404) throw new Error(`project ${JSON.stringify(project)}: ${err.message} (does the project exist and can the account see it?)`);
          if (err instanceof ObsHttpError) throw err;
          throw new Error(`project ${JSON.stringify(project)}: GET ${client.urlFor(path).href}: ${errorMessage(err)}`);
        }
        try {
          samples.push(...repositorySamples(this.config.name, parser.end()));
        } catch (err) {
          throw new Error(`project ${JSON.stringify(project)}: GET ${client.urlFor(path).href}: ${errorMessage(err)}`);
        }
      }
      if (this.watched.enabled) {
        samples.push(
          ...(await this.watched.poll(async (path, onText) => {
            try {
              await client.get(path, onText, ctx.signal, authorization);
            } catch (err) {
              if (err instanceof ObsHttpError) throw err;
              throw new Error(`GET ${client.urlFor(path).href}: ${errorMessage(err)}`);
            }
          })),
        );
      }
      return samples;
    } catch (err) {
      throw new Error(`OBS instance ${JSON.stringify(this.config.name)}: ${redact(errorMessage(err), this.config.username, secret)}`);
    }
  }

  close(): void {
    this.client?.close();
    this.client = null;
  }

  private async fetchWorkerStatus(client: ObsClient, signal: AbortSignal, authorization?: string): Promise<WorkerStatusSummary> {
    const first = this.workerStatusRoute;
    const order = [first, 1 - first];
    let notFound: ObsHttpError | null = null;
    for (const index of order) {
      const path = WORKER_STATUS_PATHS[index]!;
      const parser = new WorkerStatusParser({ runningBuilds: this.config.per_worker_builds });
      try {
        await client.get(path, (text) => parser.write(text), signal, authorization);
      } catch (err) {
        if (err instanceof ObsHttpError && err.status === 404) {
          notFound = err;
          continue;
        }
        if (err instanceof ObsHttpError) throw err;
        throw new Error(`GET ${client.urlFor(path).href}: ${errorMessage(err)}`);
      }
      let summary: WorkerStatusSummary;
      try {
        summary = parser.end();
      } catch (err) {
        throw new Error(`GET ${client.urlFor(path).href}: ${errorMessage(err)}`);
      }
      this.workerStatusRoute = index;
      return summary;
    }
    throw new Error(`neither ${WORKER_STATUS_PATHS.join(' nor ')} exists (HTTP 404): is ${this.config.url} the OBS API? (last: ${notFound?.message})`);
  }

  /** The password, read at every poll so a rotated file takes effect; null without auth. */
  private async readPassword(): Promise<string | null> {
    const file = this.config.password_file;
    if (file === undefined) return null;
    let password: string;
    try {
      password = await readSecretFile(file);
    } catch (err) {
      throw new Error(`OBS instance ${JSON.stringify(this.config.name)}: cannot read password_file: ${errorMessage(err)}`);
    }
    if (password === '') throw new Error(`OBS instance ${JSON.stringify(this.config.name)}: password_file ${file} is empty`);
    return password;
  }

  private async getClient(): Promise<ObsClient> {
    if (this.client) return this.client;
    const { ca_file: caFile, insecure_skip_verify: insecureSkipVerify } = this.config.tls_config;
    let ca: string | undefined;
    if (caFile !== undefined) {
      try {
        ca = (await readRegularFile(caFile, MAX_PEM_BYTES)).toString('utf8');
      } catch (err) {
        throw new Error(`cannot read tls_config.ca_file: ${errorMessage(err)}`);
      }
    }
    this.client = new ObsClient({
      url: this.config.url,
      maxResponseBytes: this.config.max_response_size,
      ...(ca !== undefined ? { ca } : {}),
      insecureSkipVerify,
    });
    return this.client;
  }
}

export function createObsCollector(config: ObsConfig): Collector {
  return defineCollector({ name: 'obs', metrics: obsMetrics, sources: config.instances.map((instance) => new ObsInstanceSource(instance)) });
}

function basicAuth(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

/**
 * Defence in depth: no message leaves with the password in it, even if a server echoed the
 * Authorization header back into an error page we quote.
 */
function redact(message: string, username: string | undefined, password: string | null): string {
  if (!password) return message;
  let out = message.split(password).join('[redacted]');
  if (username !== undefined) out = out.split(Buffer.from(`${username}:${password}`).toString('base64')).join('[redacted]');
  return out;
}
