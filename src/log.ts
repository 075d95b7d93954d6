import { writeSync } from 'node:fs';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export const logLevels: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** Fields of a log line: JSON-serialisable values (an Error becomes type, message and stack). */
export type LogFields = Record<string, unknown>;

type LogMethod = {
  (msg: string): void;
  (fields: LogFields, msg: string): void;
};

/** What every part of the exporter logs through. */
export interface Logger {
  debug: LogMethod;
  info: LogMethod;
  warn: LogMethod;
  error: LogMethod;
  fatal: LogMethod;
  /** A logger adding `bindings` to every line. */
  child(bindings: LogFields): Logger;
  /** Lines are written synchronously; kept so that callers about to exit need not know that. */
  flush(): void;
}

/** Where finished lines go: one JSON document plus a newline per call. */
export type LogSink = (line: string) => void;

const severity = { debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity } as const;

// Secrets never reach a log call; censoring these keys at any depth is a second line of
// defence for fields that might carry them.
const SECRET_KEYS = new Set(['password', 'passphrase', 'authorization']);

function censor(key: string, value: unknown): unknown {
  if (SECRET_KEYS.has(key)) return '[redacted]';
  if (value instanceof Error) return { type: value.name, message: value.message, stack: value.stack };
  return value;
}

/**
 * Synchronous writes to stderr: a log line is never lost when the process exits right after
 * it, and a broken stderr (closed pipe, full non-blocking pipe) drops the line rather than
 * taking the exporter down.
 */
const stderrSink: LogSink = (line) => {
  try {
    writeSync(2, line);
  } catch {
    // Nowhere left to report it.
  }
};

class JsonLinesLogger implements Logger {
  readonly debug: LogMethod;
  readonly info: LogMethod;
  readonly warn: LogMethod;
  readonly error: LogMethod;
  readonly fatal: LogMethod;

  constructor(
    private readonly threshold: number,
    private readonly bindings: LogFields,
    private readonly sink: LogSink,
  ) {
    this.debug = this.method('debug');
    this.info = this.method('info');
    this.warn = this.method('warn');
    this.error = this.method('error');
    this.fatal = this.method('fatal');
  }

  child(bindings: LogFields): Logger {
    return new JsonLinesLogger(this.threshold, { ...this.bindings, ...bindings }, this.sink);
  }

  flush(): void {}

  private method(level: keyof typeof severity): LogMethod {
    if (severity[level] < this.threshold) return () => undefined;
    return ((fieldsOrMsg: LogFields | string, msg?: string) => {
      const fields = typeof fieldsOrMsg === 'string' ? {} : fieldsOrMsg;
      const text = typeof fieldsOrMsg === 'string' ? fieldsOrMsg : msg;
      const line = { level, time: new Date().toISOString(), ...this.bindings, ...fields, msg: text };
      let json: string;
      try {
        json = JSON.stringify(line, censor);
      } catch (err) {
        // A field that cannot be serialised (a cycle, a BigInt) must not lose the message.
        json = JSON.stringify({ level, time: line.time, ...this.bindings, msg: text, logError: String(err) }, censor);
      }
      this.sink(`${json}\n`);
    }) as LogMethod;
  }
}

/**
 * Structured JSON lines on stderr (stdout stays free for command output): level, time,
 * service, the child bindings, the call's fields, msg.
 */
export function createLogger(level: LogLevel | 'silent' = 'info', sink: LogSink = stderrSink): Logger {
  return new JsonLinesLogger(severity[level], { service: 'headroom' }, sink);
}

export function silentLogger(): Logger {
  return createLogger('silent');
}
