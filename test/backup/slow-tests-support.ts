// Helpers for the integrity-check and restore-test files: copies of a real repository to damage,
// byte corruption in place, a tool kept running (a backup reading a stdin that stays open), and
// what a directory tree holds, measured with node:fs (independently of the code under test).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, cpSync, mkdirSync, openSync, readdirSync, statSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { afterAll } from 'vitest';

/** Overwrites `bytes` bytes in the middle of `file` (size unchanged), as bit rot would. */
export function corruptMiddle(file: string, bytes = 16): void {
  chmodSync(file, 0o600);
  const size = statSync(file).size;
  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.alloc(bytes, 0x5a), 0, bytes, Math.floor(size / 2));
  closeSync(fd);
}

/** Every regular file below `dir`, recursively. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

export function totalSize(dir: string): number {
  return filesUnder(dir).reduce((sum, f) => sum + statSync(f).size, 0);
}

export function copyRepository(from: string, to: string): string {
  cpSync(from, to, { recursive: true });
  return to;
}

/** Starts `program` in its own process group with stdin open (a backup waiting for data); killed after the file. */
export function startHolder(program: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(program, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'ignore', 'pipe'], detached: true });
  afterAll(() => {
    if (child.pid && child.exitCode === null && child.signalCode === null) process.kill(-child.pid, 'SIGKILL');
  });
  return child;
}

/** Feeds the holder a little data and closes its stdin; resolves with its exit status. */
export function finishHolder(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.on('exit', (code) => resolve(code));
    child.stdin!.end('the rest of the backup\n');
  });
}

/** The tree the tests back up: a small etc/ to restore, and a dump large enough to span packs/chunks. */
export function writeBackedUpTree(data: string, hostname: string): void {
  mkdirSync(path.join(data, 'etc', 'ssh'), { recursive: true });
  writeFileSync(path.join(data, 'etc', 'hostname'), `${hostname}\n`);
  writeFileSync(path.join(data, 'etc', 'ssh', 'sshd_config'), 'PermitRootLogin no\n'.repeat(40));
  writeFileSync(path.join(data, 'dump.bin'), randomBytes(400_000));
}
