import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createLogger, silentLogger } from '../../src/log.js';
import { cliPath } from '../support/exporter.js';

function captured(level: Parameters<typeof createLogger>[0]) {
  const lines: string[] = [];
  const log = createLogger(level, (line) => lines.push(line));
  const parsed = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { log, lines, parsed };
}

describe('the JSON-lines logger', () => {
  it('writes one JSON document per line with level, time, service, bindings, fields and msg', () => {
    const { log, lines, parsed } = captured('info');
    const before = Date.now();
    log.child({ collector: 'swap' }).child({ source: 'host' }).warn({ err: 'boom', count: 3 }, 'collection failed');
    log.info('started');
    expect(lines.every((l) => l.endsWith('\n') && !l.slice(0, -1).includes('\n'))).toBe(true);
    const [first, second] = parsed();
    expect(first).toEqual({ level: 'warn', time: first!.time, service: 'headroom', collector: 'swap', source: 'host', err: 'boom', count: 3, msg: 'collection failed' });
    expect(Date.parse(first!.time as string)).toBeGreaterThanOrEqual(before - 1000);
    expect(second).toMatchObject({ level: 'info', service: 'headroom', msg: 'started' });
    expect(second).not.toHaveProperty('collector');
  });

  it('drops lines below its level', () => {
    const { log, parsed } = captured('warn');
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    log.fatal('f');
    expect(parsed().map((l) => l.level)).toEqual(['warn', 'error', 'fatal']);
  });

  it('writes nothing when silent', () => {
    const { log, lines } = captured('silent');
    log.fatal('f');
    expect(lines).toEqual([]);
    expect(() => silentLogger().error({ err: 'x' }, 'nothing')).not.toThrow();
  });

  it('censors passwords, passphrases and authorization headers at any depth', () => {
    const { log, lines, parsed } = captured('debug');
    log.info({ password: 'hunter2', target: { passphrase: 's3cret' }, req: { headers: { authorization: 'Basic abc' } } }, 'x');
    expect(lines[0]).not.toMatch(/hunter2|s3cret|Basic abc/);
    expect(parsed()[0]).toMatchObject({ password: '[redacted]', target: { passphrase: '[redacted]' }, req: { headers: { authorization: '[redacted]' } } });
  });

  it('logs an Error field as type, message and stack, and keeps the message of an unserialisable line', () => {
    const { log, parsed } = captured('debug');
    log.error({ err: new TypeError('bad input') }, 'failed');
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    log.warn({ cycle }, 'still logged');
    const [error, warned] = parsed();
    expect(error!.err).toMatchObject({ type: 'TypeError', message: 'bad input' });
    expect(String((error!.err as { stack: string }).stack)).toContain('bad input');
    expect(warned).toMatchObject({ level: 'warn', msg: 'still logged' });
    expect(warned!.logError).toContain('circular');
  });

  it('has written a line to stderr by the time the process exits right after it', () => {
    const logModule = pathToFileURL(path.resolve(path.dirname(cliPath), 'log.js')).href;
    const script = `const { createLogger } = await import(${JSON.stringify(logModule)}); createLogger('info').fatal({ err: 'x' }, 'bye'); process.exit(3);`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(3);
    expect(JSON.parse(r.stderr)).toMatchObject({ level: 'fatal', err: 'x', msg: 'bye', service: 'headroom' });
  });
});
