// Reading the files a user names (config, web config, secrets, certificates) so that nothing
// they point at can hang or swamp the process: only regular files, opened non-blocking (a FIFO
// would otherwise park a thread-pool thread in open() for ever), and never more than a cap.
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';

/** Caps by kind of file: far above any real one, far below what could hurt the process. */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;
export const MAX_SECRET_BYTES = 64 * 1024;
/** A PEM certificate, key or CA bundle (a full system bundle is ~200 KiB). */
export const MAX_PEM_BYTES = 1024 * 1024;

// O_NONBLOCK: open() of a FIFO returns at once instead of waiting for a writer; it changes
// nothing for a regular file. O_NOCTTY: a terminal device never becomes the controlling one.
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY;

/** Why a file cannot be read; `message` says so in words, without the file's content. */
export class UnreadableFileError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file} ${reason}`);
    this.name = 'UnreadableFileError';
  }
}

function kindOf(info: Stats): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a FIFO';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSocket()) return 'a socket';
  return 'not a regular file';
}

function sizeInWords(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MiB` : `${bytes / 1024} KiB`;
}

/** The problem with a file's stat for reading it whole, or null when it is fine. */
function statProblem(info: Stats, maxBytes: number): string | null {
  if (!info.isFile()) return `is ${kindOf(info)}, not a regular file`;
  if (info.size > maxBytes) return `is ${info.size} bytes, over the limit of ${sizeInWords(maxBytes)}`;
  return null;
}

function errnoReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'does not exist';
  if (code === 'EACCES' || code === 'EPERM') return 'is not readable';
  if (code === 'ENOTDIR') return 'does not exist (a parent is not a directory)';
  return `cannot be read (${code ?? String(err)})`;
}

/**
 * Checks without opening (stat never blocks on a FIFO): for config validation, so that
 * `check-config` reports a secret file that `serve` could not read.
 */
export function regularFileProblem(file: string, maxBytes: number): string | null {
  try {
    return statProblem(statSync(file), maxBytes);
  } catch (err) {
    return errnoReason(err);
  }
}

/** Reads a whole regular file of at most `maxBytes`; throws UnreadableFileError otherwise. */
export function readRegularFileSync(file: string, maxBytes: number): Buffer {
  const early = regularFileProblem(file, maxBytes);
  if (early) throw new UnreadableFileError(file, early);
  let fd: number;
  try {
    fd = openSync(file, OPEN_FLAGS);
  } catch (err) {
    throw new UnreadableFileError(file, errnoReason(err));
  }
  try {
    // Checked again on what was opened: the path may have been swapped since the stat.
    const problem = statProblem(fstatSync(fd), maxBytes);
    if (problem) throw new UnreadableFileError(file, problem);
    // One byte more than allowed tells a file that grew past the cap after the fstat.
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    for (let n; length < buffer.length && (n = readSync(fd, buffer, length, buffer.length - length, null)) > 0; ) length += n;
    if (length > maxBytes) throw new UnreadableFileError(file, `is over the limit of ${sizeInWords(maxBytes)}`);
    return Buffer.from(buffer.subarray(0, length));
  } finally {
    closeSync(fd);
  }
}

/** The asynchronous readRegularFileSync, for files read while serving (secrets at every poll). */
export async function readRegularFile(file: string, maxBytes: number): Promise<Buffer> {
  let handle;
  try {
    const early = statProblem(await stat(file), maxBytes);
    if (early) throw new UnreadableFileError(file, early);
    handle = await open(file, OPEN_FLAGS);
  } catch (err) {
    if (err instanceof UnreadableFileError) throw err;
    throw new UnreadableFileError(file, errnoReason(err));
  }
  try {
    const problem = statProblem(await handle.stat(), maxBytes);
    if (problem) throw new UnreadableFileError(file, problem);
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    for (let n; length < buffer.length && (n = (await handle.read(buffer, length, buffer.length - length, null)).bytesRead) > 0; ) length += n;
    if (length > maxBytes) throw new UnreadableFileError(file, `is over the limit of ${sizeInWords(maxBytes)}`);
    return Buffer.from(buffer.subarray(0, length));
  } finally {
    await handle.close();
  }
}

/** A secret file's text without its final line break (how every secret file is written). */
export async function readSecretFile(file: string): Promise<string> {
  return (await readRegularFile(file, MAX_SECRET_BYTES)).toString('utf8').replace(/\r?\n$/, '');
}
