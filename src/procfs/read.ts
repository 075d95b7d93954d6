import { accessSync, constants, readFileSync } from 'node:fs';
import { procPath, type HostPaths } from '../paths.js';

/**
 * Reads a /proc or /sys file. The kernel generates these in memory, so a synchronous read takes
 * microseconds, where fs.promises.readFile costs four thread-pool round trips (open, fstat,
 * read, close) per file — most of a scrape's latency on a busy host. Errors still arrive as
 * rejections. Not for files on disks or network mounts, and not for /proc/<pid>/cmdline (it can
 * block behind a process' memory lock): read those asynchronously.
 */
export async function readKernelFile(file: string): Promise<string> {
  return readFileSync(file, 'utf8');
}

/** Whether /proc/<name> can be read under the configured procfs: what host collectors autodetect on. */
export function procFileReadable(paths: HostPaths, name: string): boolean {
  try {
    accessSync(procPath(paths, name), constants.R_OK);
    return true;
  } catch {
    return false;
  }
}
