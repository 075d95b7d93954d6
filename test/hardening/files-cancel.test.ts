// A `files` backup target's timeout stops the work (issue 15, item 6): the stat loop over the
// matches used to run on after the abort (14 s over 200,000 files). Every stat the reader makes
// is counted; the abort comes from inside the 100th, so exactly 100 happen, not one per file.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { readFiles } from '../../exporters/backup/files.js';
import type { FilesTarget } from '../../exporters/backup/config.js';
import { tempDir } from '../support/tmp.js';

const spy = vi.hoisted(() => ({ stats: 0, abortAt: Infinity, controller: null as AbortController | null }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const stat = (async (...args: Parameters<typeof real.stat>) => {
    if (++spy.stats === spy.abortAt) spy.controller!.abort(new Error('timed out after 1s'));
    return real.stat(...args);
  }) as typeof real.stat;
  return { ...real, default: { ...real, stat }, stat };
});

const FILES = 1000;

describe('a files target whose refresh is aborted', () => {
  it('stops stat-ing at the abort', async () => {
    const root = tempDir('headroom-hardening-files-cancel-');
    mkdirSync(path.join(root, 'dumps'));
    for (let i = 0; i < FILES; i++) writeFileSync(path.join(root, 'dumps', `db-${i}.sql.gz`), 'x');
    const target = { name: 'dumps', kind: 'files', path: '/dumps/db-*.sql.gz' } as FilesTarget;
    const paths = { procfs: '/proc', sysfs: '/sys', rootfs: root };

    // Without an abort: one stat of the folder and one per file, the count the tree gives.
    spy.stats = 0;
    spy.controller = new AbortController();
    const whole = await readFiles(target, { paths, signal: spy.controller.signal, timeoutMs: 60_000 });
    expect(whole.count).toBe(FILES);
    expect(spy.stats).toBe(1 + FILES);

    spy.stats = 0;
    spy.abortAt = 100;
    spy.controller = new AbortController();
    await expect(readFiles(target, { paths, signal: spy.controller.signal, timeoutMs: 60_000 })).rejects.toThrow('timed out after 1s');
    expect(spy.stats).toBe(100);
  });
});
