// Debian's obs-worker package: headroom's reading of /etc/default/obsworker against what the
// installed /etc/init.d/obsworker itself derives from the same settings. The script runs for
// real ("start"); only its defaults path is pointed at the test's file, and the three commands
// that would reach beyond the test (curl for the worker code, chown to the obsworker user,
// screen to launch the workers) are stand-ins on PATH. The bs_worker command lines it writes to
// its screenrc are the expected values.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_FILES, resolveWorkerSettings, type HostFacts } from '../../exporters/worker/obs-settings.js';
import { parseShellAssignments } from '../../exporters/worker/shell-vars.js';
import { tempDir } from '../support/tmp.js';

const INIT_SCRIPT = '/etc/init.d/obsworker';
const PACKAGED_DEFAULTS = '/etc/default/obsworker';
const MiB = 1024 * 1024;
const root = tempDir('headroom-obsworker-');
const available = existsSync(INIT_SCRIPT) && existsSync(PACKAGED_DEFAULTS) && !existsSync('/etc/buildhost.config');

/** The host facts the script tests, checked the way it checks them. */
function hostFacts(): HostFacts {
  const executable = (file: string) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  return {
    cpuCount: readdirSync('/sys/devices/system/cpu').filter((n) => /^cpu[0-9]/.test(n)).length,
    kvmAvailable: existsSync('/dev/kvm') && executable('/usr/bin/qemu-kvm'),
    xenAvailable: existsSync('/sys/hypervisor/type') && readFileSync('/sys/hypervisor/type', 'utf8').includes('xen') && (executable('/usr/sbin/xl') || executable('/usr/sbin/xm')),
  };
}

interface ScriptView {
  instances: number;
  workerDirectory: string;
  vmMemoryBytes: number | null;
  tmpfs: boolean;
  rootSizeBytes: number | null;
}

/** Runs the installed init script's "start" on a defaults file and reads what it would launch. */
function runInitScript(dir: string, defaults: string): ScriptView {
  const bin = path.join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  // curl hands over a one-file cpio archive (the worker code), chown and screen do nothing.
  writeFileSync(path.join(bin, 'curl'), '#!/bin/sh\nd=$(mktemp -d) && cd "$d" && touch bs_worker && echo bs_worker | cpio --quiet -o && rm -rf "$d"\n', { mode: 0o755 });
  writeFileSync(path.join(bin, 'chown'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  writeFileSync(path.join(bin, 'screen'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  const defaultsFile = path.join(dir, 'obsworker.defaults');
  writeFileSync(defaultsFile, defaults);
  const script = readFileSync(INIT_SCRIPT, 'utf8');
  expect(script).toContain(`DEFAULTS="${PACKAGED_DEFAULTS}"`);
  const scriptCopy = path.join(dir, 'obsworker');
  writeFileSync(scriptCopy, script.replace(`DEFAULTS="${PACKAGED_DEFAULTS}"`, `DEFAULTS="${defaultsFile}"`), { mode: 0o755 });
  const r = spawnSync('bash', [scriptCopy, 'start'], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, timeout: 30_000 });
  expect(r.status, r.stderr).toBe(0);
  const runDir = parseShellAssignments(defaults).get('OBS_RUN_DIR')!;
  const workers = readFileSync(path.join(runDir, 'worker/boot/screenrc'), 'utf8').split('\n').filter((l) => l.startsWith('screen -t'));
  const first = workers[0] ?? '';
  const number = (re: RegExp) => (re.exec(first) ? Number(re.exec(first)![1]) * MiB : null);
  return {
    instances: workers.length,
    workerDirectory: /^Run \d+ obsworker using (.*)$/m.exec(r.stdout)![1]!,
    vmMemoryBytes: number(/--vm-memory (\d+)/),
    tmpfs: / --tmpfs /.test(first),
    rootSizeBytes: number(/--vmdisk-rootsize (\d+)/),
  };
}

describe('worker settings on Debian\'s obs-worker package', () => {
  it('reads /etc/default/obsworker by default, as well as openSUSE\'s /etc/sysconfig/obs-server', () => {
    expect(DEFAULT_CONFIG_FILES).toContain('/etc/default/obsworker');
    expect(DEFAULT_CONFIG_FILES).toContain('/etc/sysconfig/obs-server');
  });

  const cases: Array<[string, (dirs: string) => string]> = [
    // The packaged file as installed, only its directories moved into the test's.
    ['the packaged defaults', (d) => readFileSync(PACKAGED_DEFAULTS, 'utf8')
      .replace(/^OBS_WORKER_DIRECTORY=.*$/m, `OBS_WORKER_DIRECTORY="${d}/worker"`)
      .replace(/^OBS_RUN_DIR=.*$/m, `OBS_RUN_DIR="${d}/run"`)
      .replace(/^OBS_CACHE_DIR=.*$/m, `OBS_CACHE_DIR="${d}/cache"`)],
    ['kvm, tmpfs, 2 GiB per VM, 8 GiB roots', (d) => `OBS_WORKER_INSTANCES="3"\nOBS_WORKER_DIRECTORY="${d}/w"\nOBS_RUN_DIR="${d}/run"\nOBS_VM_TYPE="kvm"\nOBS_INSTANCE_MEMORY="2048"\nOBS_VM_USE_TMPFS="yes"\nOBS_VM_DISK_AUTOSETUP_ROOT_FILESIZE="8192"\nOBS_VM_DISK_AUTOSETUP_SWAP_FILESIZE="1024"\n`],
    ['kvm with the memory default', (d) => `OBS_WORKER_INSTANCES="2"\nOBS_WORKER_DIRECTORY="${d}/w/"\nOBS_RUN_DIR="${d}/run"\nOBS_VM_TYPE="kvm"\nOBS_VM_DISK_AUTOSETUP_ROOT_FILESIZE="4096"\n`],
    ['lxc ignores OBS_VM_USE_TMPFS', (d) => `OBS_WORKER_INSTANCES="4"\nOBS_WORKER_DIRECTORY="${d}/w"\nOBS_RUN_DIR="${d}/run"\nOBS_VM_TYPE="lxc"\nOBS_VM_USE_TMPFS="yes"\nOBS_INSTANCE_MEMORY="4096"\n`],
    ['an emulator with tmpfs', (d) => `OBS_WORKER_INSTANCES="1"\nOBS_WORKER_DIRECTORY="${d}/w"\nOBS_RUN_DIR="${d}/run"\nOBS_VM_TYPE="emulator:aarch64"\nOBS_VM_USE_TMPFS="1"\nOBS_INSTANCE_MEMORY="1024"\nOBS_VM_DISK_AUTOSETUP_ROOT_FILESIZE="2048"\n`],
  ];
  cases.forEach(([name, text], i) => {
    it.skipIf(!available)(`${name}: instances, VM memory, tmpfs, root size and directory as the init script derives them`, () => {
      const dir = path.join(root, String(i));
      mkdirSync(dir);
      const defaults = text(dir);
      const script = runInitScript(dir, defaults);
      const headroom = resolveWorkerSettings(parseShellAssignments(defaults), hostFacts());
      expect(headroom.instances).toBe(script.instances);
      expect(headroom.usesVm).toBe(script.vmMemoryBytes !== null);
      if (script.vmMemoryBytes !== null) expect(headroom.instanceMemoryBytes).toBe(script.vmMemoryBytes);
      expect(headroom.tmpfs).toBe(script.tmpfs);
      if (script.rootSizeBytes !== null) expect(headroom.rootSizeBytes).toBe(script.rootSizeBytes);
      expect(headroom.workerDirectory).toBe(script.workerDirectory.replace(/\/+$/, ''));
    });
  });
});
