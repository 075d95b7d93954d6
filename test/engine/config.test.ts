import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { oneSourceCollector } from '../support/collectors.js';
import { defineCollectorModule } from '../../src/collector-module.js';
import { duration, schedule, secretFile, section, size } from '../../src/config/fields.js';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { tempDir } from '../support/tmp.js';

// A collector module of the test's own, so the loader is tested apart from the real sections.
const fakeModule = defineCollectorModule({
  name: 'fake',
  summary: 'test section',
  configSchema: async () => (ctx) =>
    section({
      url: z.string().url(),
      interval: duration().default(30_000),
      schedule: schedule().optional(),
      max_size: size().default(16 * 1024 * 1024),
      password_file: secretFile(ctx).optional(),
      targets: z.array(section({ name: z.string(), port: z.number().int() })).default([]),
    }),
  create: () => oneSourceCollector({ name: 'fake', metrics: [], timeoutMs: 1000, collect: async () => [] }),
});
const otherModule = defineCollectorModule({
  name: 'other',
  summary: 'another section',
  configSchema: async () => () => section({ level: z.number().default(3) }),
  create: () => oneSourceCollector({ name: 'other', metrics: [], timeoutMs: 1000, collect: async () => [] }),
});

const dir = tempDir();
let n = 0;
function configFile(text: string): string {
  const file = path.join(dir, `config-${++n}.yml`);
  writeFileSync(file, text);
  return file;
}
async function problemsOf(file: string): Promise<string[]> {
  try {
    await loadConfig(file, [fakeModule, otherModule]);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('config loader', () => {
  it('loads a valid file with defaults, relative secret paths resolved from the file\'s folder', async () => {
    writeFileSync(path.join(dir, 'secret.pass'), 's3cret\n');
    const file = configFile(
      'collectors:\n  fake:\n    url: https://obs.example.org\n    interval: 1h30m\n    schedule: "*/5 * * * *"\n    max_size: 2MiB\n    password_file: secret.pass\n',
    );
    const config = await loadConfig(file, [fakeModule, otherModule]);
    expect([...config.collectors.keys()]).toEqual(['fake']);
    expect(config.collectors.get('fake')).toEqual({
      url: 'https://obs.example.org',
      interval: 5_400_000,
      schedule: { kind: 'cron', expression: '*/5 * * * *' },
      max_size: 2 * 1024 * 1024,
      password_file: path.join(dir, 'secret.pass'),
      targets: [],
      enabled: true,
    });
  });

  it('runs exactly the sections present, an empty section meaning all defaults, enabled: false meaning off', async () => {
    const file = configFile('collectors:\n  other:\n  fake:\n    url: http://x.example\n    enabled: false\n');
    const config = await loadConfig(file, [fakeModule, otherModule]);
    expect([...config.collectors.entries()]).toEqual([['other', { level: 3, enabled: true }]]);
  });

  it('names the file when it is missing', async () => {
    const missing = path.join(dir, 'nope.yml');
    expect((await problemsOf(missing))).toEqual([`${missing}: file does not exist`]);
  });

  it('reports YAML syntax errors with their line', async () => {
    const file = configFile('collectors:\n  fake:\n    url: [unclosed\n');
    const [problem] = (await problemsOf(file));
    expect(problem).toMatch(new RegExp(`^${file}:\\d+:\\d+: YAML syntax error: `));
  });

  it('rejects duplicate keys', async () => {
    const file = configFile('collectors:\n  other:\n    level: 1\n    level: 2\n');
    expect((await problemsOf(file))[0]).toMatch(/YAML syntax error: Map keys must be unique/);
  });

  it('names file, line, key path and problem for a wrong type', async () => {
    const file = configFile('collectors:\n  fake:\n    url: https://x.example\n    targets:\n      - name: a\n        port: "eighty"\n');
    expect((await problemsOf(file))).toEqual([`${file}:6:15: collectors.fake.targets[0].port: Invalid input: expected number, received string`]);
  });

  it('suggests the right key for a misspelt one and lists every problem at once', async () => {
    const file = configFile('colectors:\n  fake: {}\n');
    expect((await problemsOf(file))).toEqual([
      `${file}:1:1: colectors: unknown key "colectors" (did you mean "collectors"?); allowed keys: collectors`,
    ]);
    const file2 = configFile('collectors:\n  fake:\n    url: https://x.example\n    intervall: 30s\n    max_size: lots\n  othr: {}\n');
    expect((await problemsOf(file2))).toEqual([
      `${file2}:5:15: collectors.fake.max_size: "lots" is not a size (use 16MiB, 600TB, or a number of bytes)`,
      `${file2}:4:5: collectors.fake.intervall: unknown key "intervall" (did you mean "interval"?); allowed keys: url, interval, schedule, max_size, password_file, targets, enabled, series_limit`,
      `${file2}:6:3: collectors.othr: unknown key "othr" (did you mean "other"?); allowed keys: fake, other`,
    ]);
  });

  it('reports a missing required key at its parent', async () => {
    const file = configFile('collectors:\n  fake:\n    interval: 10s\n');
    expect((await problemsOf(file))).toEqual([`${file}:3:5: collectors.fake.url: Invalid input: expected string, received undefined`]);
  });

  it('rejects bad durations and schedules with a hint', async () => {
    const file = configFile('collectors:\n  fake:\n    url: https://x.example\n    interval: 30 seconds\n    schedule: every day\n');
    expect((await problemsOf(file))).toEqual([
      `${file}:4:15: collectors.fake.interval: "30 seconds" is not a duration (use 30s, 15m, 26h, 7d)`,
      `${file}:5:15: collectors.fake.schedule: "every day" is neither a duration (like 30s, 15m, 1h) nor a cron expression (like "*/5 * * * *")`,
    ]);
  });

  it('rejects a secret file that does not exist or cannot be read, without reading it into the message', async () => {
    const file = configFile('collectors:\n  fake:\n    url: https://x.example\n    password_file: /nonexistent/obs.pass\n');
    expect((await problemsOf(file))).toEqual([`${file}:4:20: collectors.fake.password_file: secret file /nonexistent/obs.pass does not exist`]);
    const dirAsSecret = configFile(`collectors:\n  fake:\n    url: https://x.example\n    password_file: ${dir}\n`);
    // A directory is readable by access(2) but is no secret file: only regular files are.
    expect((await problemsOf(dirAsSecret))).toEqual([`${dirAsSecret}:4:20: collectors.fake.password_file: secret file ${dir} is a directory, not a regular file`]);
  });

  it('rejects an unreadable secret file when not root', async () => {
    if (process.getuid?.() === 0) return; // root reads everything; covered by the ENOENT case
    const secret = path.join(dir, 'locked.pass');
    writeFileSync(secret, 'x');
    chmodSync(secret, 0o000);
    const file = configFile(`collectors:\n  fake:\n    url: https://x.example\n    password_file: ${secret}\n`);
    expect((await problemsOf(file))[0]).toContain('is not readable');
  });

  it('accepts an empty file as no collectors', async () => {
    const config = await loadConfig(configFile(''), [fakeModule, otherModule]);
    expect(config.collectors.size).toBe(0);
  });
});
