import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { serveNodeFlags } from '../../src/node-flags.js';
import { repoRoot } from '../support/exporter.js';

const read = (file: string) => readFileSync(path.join(repoRoot, file), 'utf8');

describe('production node flags', () => {
  it('are given everywhere headroom serve starts: the bin shebang, npm start and the systemd unit', () => {
    const flags = serveNodeFlags.join(' ');
    expect(read('src/cli.ts').split('\n')[0]).toBe(`#!/usr/bin/env -S node ${flags}`);
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(pkg.scripts['start']).toBe(`node ${flags} dist/src/cli.js serve`);
    expect(read('deploy/headroom-exporter.service')).toMatch(new RegExp(`^ExecStart=/usr/bin/node ${flags} `, 'm'));
  });
});
