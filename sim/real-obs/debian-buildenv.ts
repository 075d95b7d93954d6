// A Debian build environment for a real OBS back end's `Type: dsc` project: Debian's own
// packages, resolved and fetched by the host's apt from Debian's archive, cached outside the
// repository and put into the project's repository, plus the project config naming them.
//
//   const env = await debianBuildenv({ buildDepends: ['bc'] });   // resolve, download or reuse
//   await obs.createProject('deb', { archs: ['x86_64'], config: env.projectConfig });
//   await uploadBuildenv(obs, 'deb', 'standard', 'x86_64', env);
//
// Why it is done this way:
// - apt resolves the dependency closure against an empty dpkg status file, so the set is the
//   same whatever the host has installed; `--print-uris` only reads the host's package lists.
// - The cache directory is named after the resolved list (name_version_arch files): the same
//   list is downloaded once, a Debian point release gives a new list and a new directory.
// - obs-build's own Debian configs do not fit bookworm (they name packages that do not exist
//   there, e.g. libncurses5, or need debootstrap on the worker): the config is the project's own.
// - Preinstall is the closure of a small base (a shell, coreutils, dpkg, su...): obs-build unpacks
//   those before it can run dpkg in the chroot, so every library they need must be among them.
// - The scheduler's expander (BSSolv 0.17) does not know Debian's `:any` qualifier ("nothing
//   provides perl:any needed by dpkg-dev"): each such dependency is ignored for the package that
//   has it, and the package it names is required instead.
// - No build-essential (a compiler, ~70 MB): the test package compiles nothing, and
//   dpkg-buildpackage's own check would demand it, so the build command skips that check (-d);
//   the OBS scheduler still resolves Build-Depends from the repository itself.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { RealObs } from './backend.js';

/** What the chroot needs before dpkg can run in it: bookworm's essential tools, dash as sh, su. */
export const BUILDENV_PREINSTALL: readonly string[] = [
  'base-files', 'base-passwd', 'bash', 'coreutils', 'dash', 'debianutils', 'diffutils', 'dpkg',
  'findutils', 'grep', 'gzip', 'hostname', 'libc-bin', 'mawk', 'perl-base', 'sed', 'tar', 'util-linux',
];
/**
 * Dependencies the scheduler ignores (package:dependency). util-linux-extra (hwclock and the
 * like, needed by no build) runs update-rc.d in its postinst, which would bring
 * init-system-helpers and with it usrmerge | usr-is-merged: those convert /usr or refuse an
 * unmerged one, and obs-build's chroot from unpacked packages is unmerged.
 */
export const BUILDENV_IGNORE: readonly string[] = ['util-linux:util-linux-extra'];
/** What every build gets on top: dpkg-buildpackage, and the PAM modules su needs (obs-build builds as `su - abuild`). */
export const BUILDENV_REQUIRED: readonly string[] = ['dpkg-dev', 'libpam-modules', 'libpam-runtime'];

export interface DebianBuildenvOptions {
  /** The Build-Depends of the packages to build (names; apt resolves their closure). */
  buildDepends?: readonly string[];
  /** Where downloads are kept. Default `${XDG_CACHE_HOME:-$HOME/.cache}/headroom/obs-debian-buildenv`. */
  cacheRoot?: string;
}

export interface ResolvedDeb {
  /** Binary package name (the file name up to its first `_`). */
  name: string;
  /** apt's file name, name_version_arch.deb (an epoch's colon written %3a). */
  file: string;
  size: number;
}

/** A dependency written `name:any` by a package of the environment. */
export interface AnyQualifiedDep {
  package: string;
  dependency: string;
}

export interface DebianBuildenv {
  /** The cache directory holding every .deb of `debs`. */
  dir: string;
  debs: ResolvedDeb[];
  /** Names unpacked before dpkg runs (the closure of BUILDENV_PREINSTALL). */
  preinstall: string[];
  /** `:any` dependencies the scheduler cannot resolve by itself. */
  anyDeps: AnyQualifiedDep[];
  /** The project config (prjconf) of a dsc project built on these packages. */
  projectConfig: string;
  /** False when everything came from the cache. */
  downloaded: boolean;
}

export function defaultBuildenvCache(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  return path.join(base, 'headroom', 'obs-debian-buildenv');
}

/**
 * Reads `apt-get install --print-uris` output: one line per package to fetch,
 * `'URL' file size hash` (the hash may be missing). Throws on a line it does not understand.
 */
export function parsePrintUris(text: string): ResolvedDeb[] {
  const out: ResolvedDeb[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const m = /^'([^']+)' (\S+\.deb) (\d+)(?: \S*)?\s*$/.exec(line);
    if (!m) throw new Error(`unexpected apt --print-uris line: ${line}`);
    const file = m[2]!;
    out.push({ name: file.slice(0, file.indexOf('_')), file, size: Number(m[3]) });
  }
  return out;
}

/** The `name:any` dependencies in a package's Depends/Pre-Depends fields (as `dpkg-deb -f` prints them). */
export function anyQualifiedDeps(pkg: string, fields: string): AnyQualifiedDep[] {
  const names = new Set([...fields.matchAll(/([a-z0-9][a-z0-9.+-]*):any\b/g)].map((m) => m[1]!));
  return [...names].map((name) => ({ package: pkg, dependency: name }));
}

/** The project config of a `Type: dsc` project whose repository holds the build environment. */
export function debianProjectConfig(preinstall: readonly string[], anyDeps: readonly AnyQualifiedDep[] = [], required: readonly string[] = BUILDENV_REQUIRED): string {
  const requiredAll = [...new Set([...required, ...anyDeps.map((d) => d.dependency)])];
  return [
    '# a Debian bookworm build environment from the project repository (sim/real-obs/debian-buildenv.ts)',
    'Repotype: debian',
    'Type: dsc',
    // base-files' postinst chowns to root:root: /etc/passwd (base-passwd) must be there first.
    'Order: base-passwd:base-files',
    `Preinstall: ${preinstall.join(' ')}`,
    `Required: ${requiredAll.join(' ')}`,
    `Ignore: ${[...BUILDENV_IGNORE, ...anyDeps.map((d) => `${d.package}:${d.dependency}:any`)].join(' ')}`,
    // dpkg-checkbuilddeps would demand build-essential (a compiler) that is not in the repository.
    'Substitute: dsc:build_cmd dpkg-buildpackage -us -uc -b -d',
    '',
  ].join('\n');
}

const run = promisify(execFile);

/** Runs apt-get; a failure becomes an Error that says `what` and apt's own message. */
async function aptGet(args: string[], what: string, cwd?: string): Promise<string> {
  try {
    return (await run('apt-get', args, { cwd, encoding: 'utf8', maxBuffer: 16 << 20 })).stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${what}: ${(e.stderr || e.message).trim()}`);
  }
}

/**
 * apt options for resolving as if nothing were installed or downloaded: an empty dpkg status
 * file, and an empty archives directory (`--print-uris` leaves out what is already in the
 * host's /var/cache/apt/archives). Nothing of the host's apt state is written.
 */
function emptyAptState(): { options: string[]; remove: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'headroom-apt-'));
  const status = path.join(dir, 'status');
  writeFileSync(status, '');
  mkdirSync(path.join(dir, 'archives', 'partial'), { recursive: true });
  const options = [
    `Dir::State::status=${status}`, `Dir::Cache::archives=${path.join(dir, 'archives')}`,
    'Dir::Cache::pkgcache=', 'Dir::Cache::srcpkgcache=', 'Debug::NoLocking=1',
  ].flatMap((o) => ['-o', o]);
  return { options, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** apt's choice of the packages (and versions) `names` need on an empty system, from the host's package lists. */
export async function resolveDebianPackages(names: readonly string[]): Promise<ResolvedDeb[]> {
  const state = emptyAptState();
  try {
    const out = await aptGet(
      [...state.options, '-qq', '--no-install-recommends', 'install', '--print-uris', ...names],
      `apt-get cannot resolve ${names.join(' ')} (are the package lists there? apt-get update)`,
    );
    const debs = parsePrintUris(out);
    if (debs.length === 0) throw new Error(`apt-get resolved nothing for ${names.join(' ')}`);
    return debs;
  } finally {
    state.remove();
  }
}

function listHash(debs: readonly ResolvedDeb[]): string {
  return createHash('sha256').update(debs.map((d) => d.file).sort().join('\n')).digest('hex').slice(0, 16);
}

function complete(dir: string, debs: readonly ResolvedDeb[]): boolean {
  return debs.every((d) => {
    const file = path.join(dir, d.file);
    return existsSync(file) && statSync(file).size === d.size;
  });
}

/** Downloads `debs` with `apt-get download` (the host's sources and proxy settings) into `dir`, all or nothing. */
async function download(debs: readonly ResolvedDeb[], dir: string): Promise<void> {
  const root = path.dirname(dir);
  mkdirSync(root, { recursive: true });
  const partial = mkdtempSync(path.join(root, '.partial-'));
  try {
    // apt-get download takes name=version; apt's file names carry the version (epoch as %3a).
    const wanted = debs.map((d) => `${d.name}=${decodeURIComponent(d.file.split('_')[1]!)}`);
    await aptGet(['-qq', 'download', ...wanted], "apt-get download failed (is Debian's archive reachable?)", partial);
    if (!complete(partial, debs)) throw new Error(`apt-get download left files missing or of the wrong size in ${partial}`);
    // Another process may have finished the same list meanwhile: its copy is as good.
    if (!complete(dir, debs)) {
      rmSync(dir, { recursive: true, force: true });
      renameSync(partial, dir);
    }
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
}

/**
 * Resolves the build environment (BUILDENV_PREINSTALL + BUILDENV_REQUIRED + `buildDepends` and
 * everything they depend on), downloads it into the cache unless the same list is there already,
 * and returns it with the project config that names it.
 */
export async function debianBuildenv(options: DebianBuildenvOptions = {}): Promise<DebianBuildenv> {
  // An ignored dependency is left out altogether: apt would still resolve it.
  const ignored = new Set(BUILDENV_IGNORE.map((i) => i.slice(i.indexOf(':') + 1)));
  const wanted = (debs: ResolvedDeb[]) => debs.filter((d) => !ignored.has(d.name));
  const preinstall = wanted(await resolveDebianPackages(BUILDENV_PREINSTALL)).map((d) => d.name);
  const debs = wanted(await resolveDebianPackages([...BUILDENV_PREINSTALL, ...BUILDENV_REQUIRED, ...(options.buildDepends ?? [])]));
  const dir = path.join(options.cacheRoot ?? defaultBuildenvCache(), listHash(debs));
  const cached = complete(dir, debs);
  if (!cached) await download(debs, dir);
  const anyDeps: AnyQualifiedDep[] = [];
  for (const d of debs) {
    const { stdout } = await run('dpkg-deb', ['-f', path.join(dir, d.file), 'Pre-Depends', 'Depends'], { encoding: 'utf8' });
    anyDeps.push(...anyQualifiedDeps(d.name, stdout));
  }
  return { dir, debs, preinstall, anyDeps, projectConfig: debianProjectConfig(preinstall, anyDeps), downloaded: !cached };
}

/** Puts every package of the build environment into a repository as `<name>.deb` (as OBS names them in :full). */
export async function uploadBuildenv(obs: RealObs, project: string, repository: string, arch: string, env: DebianBuildenv): Promise<void> {
  for (const d of env.debs) await obs.putBinary(project, repository, arch, `${d.name}.deb`, readFileSync(path.join(env.dir, d.file)));
}
