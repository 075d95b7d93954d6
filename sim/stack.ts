// The real monitoring stack on 127.0.0.1, for tests and the demo: Prometheus and Alertmanager
// from Debian's packages, and an SMTP sink that keeps the mails it receives.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { freePort, waitFor } from './net.js';
import { startProcess, type ManagedProcess } from './processes.js';

export interface PrometheusServer {
  readonly url: string;
  readonly process: ManagedProcess;
  /** Instant query; resolves with the result vector, rejects on a query error. */
  query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  /** Waits until every target is up (or the timeout), returns the targets. */
  waitForTargetsUp(count: number, timeoutMs?: number): Promise<unknown[]>;
  stop(): Promise<void>;
}

async function ready(url: string, proc: ManagedProcess, what: string, headers: Record<string, string> = {}): Promise<void> {
  await waitFor(
    async () => {
      if (proc.child.exitCode !== null) throw new Error(`${what} exited:\n${proc.output()}`);
      const res = await fetch(`${url}/-/ready`, { headers });
      return res.ok ? true : undefined;
    },
    `${what} to be ready`,
    30_000,
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n${proc.output()}`);
  });
}

/**
 * Starts Prometheus with `configYaml` written to `dir/prometheus.yml` (rule files named in it
 * are resolved from `dir`). Lifecycle API on, for reloads.
 */
export async function startPrometheus(
  dir: string,
  configYaml: string,
  extraArgs: string[] = [],
  /** Credentials for the readiness check when extraArgs give Prometheus a --web.config.file with users. */
  opts: { authorization?: string } = {},
): Promise<PrometheusServer> {
  mkdirSync(dir, { recursive: true });
  const configFile = path.join(dir, 'prometheus.yml');
  writeFileSync(configFile, configYaml);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = startProcess(
    'prometheus',
    'prometheus',
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-lifecycle',
      ...extraArgs,
    ],
    { logFile: path.join(dir, 'prometheus.log') },
  );
  await ready(url, proc, 'prometheus', opts.authorization ? { authorization: opts.authorization } : {});
  const query: PrometheusServer['query'] = async (expr) => {
    const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await res.json()) as { status: string; error?: string; data?: { result: never } };
    if (body.status !== 'success') throw new Error(`query ${expr} failed: ${body.error}`);
    return body.data!.result;
  };
  return {
    url,
    process: proc,
    query,
    async waitForTargetsUp(count, timeoutMs = 30_000) {
      return waitFor(
        async () => {
          const res = (await (await fetch(`${url}/api/v1/targets`)).json()) as { data: { activeTargets: Array<{ health: string }> } };
          const targets = res.data.activeTargets;
          return targets.length >= count && targets.every((t) => t.health === 'up') ? targets : undefined;
        },
        `${count} targets up in prometheus`,
        timeoutMs,
      );
    },
    stop: () => proc.stop(),
  };
}

export interface AlertmanagerServer {
  readonly url: string;
  readonly process: ManagedProcess;
  stop(): Promise<void>;
}

/** Starts Alertmanager (Debian's `prometheus-alertmanager`) without cluster gossip. */
export async function startAlertmanager(dir: string, configYaml: string): Promise<AlertmanagerServer> {
  mkdirSync(dir, { recursive: true });
  const configFile = path.join(dir, 'alertmanager.yml');
  writeFileSync(configFile, configYaml);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = startProcess(
    'alertmanager',
    'prometheus-alertmanager',
    [
      `--config.file=${configFile}`,
      `--storage.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // Gossip would bind 0.0.0.0:9094 and wait 10 s to settle.
      '--cluster.listen-address=',
    ],
    { logFile: path.join(dir, 'alertmanager.log') },
  );
  await ready(url, proc, 'alertmanager');
  return { url, process: proc, stop: () => proc.stop() };
}

export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  raw: string;
}

export interface SmtpSink {
  readonly port: number;
  readonly address: string;
  readonly mails: ReceivedMail[];
  /** Resolves with the first mail (received so far or later) that matches. */
  waitForMail(match: (m: ReceivedMail) => boolean, what: string, timeoutMs?: number): Promise<ReceivedMail>;
  stop(): Promise<void>;
}

/**
 * An SMTP server on 127.0.0.1 that accepts every mail (no TLS, optional auth) and keeps it,
 * parsed; with `dir`, each mail is also written there as N.eml.
 */
export async function startSmtpSink(dir?: string): Promise<SmtpSink> {
  const mails: ReceivedMail[] = [];
  if (dir) mkdirSync(dir, { recursive: true });
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(_auth, _session, cb) {
      cb(null, { user: 'sink' });
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw).then(
          (parsed) => {
            mails.push({
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : '',
              raw,
            });
            if (dir) writeFileSync(path.join(dir, `${mails.length}.eml`), raw);
            cb();
          },
          (err: Error) => cb(err),
        );
      });
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    port,
    address: `127.0.0.1:${port}`,
    mails,
    waitForMail: (match, what, timeoutMs = 60_000) => waitFor(() => mails.find(match), what, timeoutMs),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
