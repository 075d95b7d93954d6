import { describe, expect, it } from 'vitest';
import { globMatcher } from '../../src/glob.js';
import { resolveWorkerSettings, WorkerConfigError, type HostFacts } from '../../exporters/worker/obs-settings.js';
import { parseShellAssignments, ShellSyntaxError } from '../../exporters/worker/shell-vars.js';
import { tmpfsSizeLimit } from '../../exporters/worker/tmpfs.js';
import { GiB, MiB } from '../procfs/harness.js';

describe('parseShellAssignments', () => {
  it('reads quoted, unquoted and exported assignments with comments, as data', () => {
    const vars = parseShellAssignments(
      [
        '# comment OBS_WORKER_INSTANCES="99"',
        'OBS_WORKER_INSTANCES="16"',
        "OBS_VM_TYPE='kvm' # trailing comment",
        'export OBS_INSTANCE_MEMORY=6144',
        'OBS_VM_USE_TMPFS=',
        'OBS_VM_CUSTOM_OPTION="-cpu host \\"quoted\\" $HOME"',
        'OBS_RUN_DIR=$(rm -rf /)', // a command, not an assignment: skipped, never executed
        'OBS_LOG_DIR=$(date)', // a command substitution stays text
        'OBS_WORKER_JOBS=2 some_command', // sets it for one command only
        'if [ -e /x ]; then',
        '  OBS_WORKER_DIRECTORY="/srv/obs"',
        'fi',
        '   OBS_A=1; OBS_B=2',
        'OBS_MULTI="line one',
        'line two"',
        'OBS_INSTANCE_MEMORY=8192', // later wins, as when sourced
      ].join('\n'),
    );
    expect(Object.fromEntries(vars)).toEqual({
      OBS_WORKER_INSTANCES: '16',
      OBS_VM_TYPE: 'kvm',
      OBS_INSTANCE_MEMORY: '8192',
      OBS_VM_USE_TMPFS: '',
      OBS_VM_CUSTOM_OPTION: '-cpu host "quoted" $HOME',
      OBS_WORKER_DIRECTORY: '/srv/obs',
      OBS_A: '1',
      OBS_LOG_DIR: '$(date)',
      OBS_MULTI: 'line one\nline two',
    });
  });

  it('names the line of an unterminated quote', () => {
    expect(() => parseShellAssignments("A=1\nB='open\n")).toThrow(ShellSyntaxError);
    expect(() => parseShellAssignments("A=1\nB='open\n")).toThrow(/line 2/);
  });

  it('reads CRLF files and empty input', () => {
    expect(parseShellAssignments('A="x"\r\nB=y\r\n').get('B')).toBe('y');
    expect(parseShellAssignments('').size).toBe(0);
  });
});

describe('resolveWorkerSettings', () => {
  const kvmHost: HostFacts = { cpuCount: 8, kvmAvailable: true, xenAvailable: false };
  const bareHost: HostFacts = { cpuCount: 8, kvmAvailable: false, xenAvailable: false };

  it("applies obsworker's defaults to an empty configuration", () => {
    const s = resolveWorkerSettings(new Map(), bareHost);
    expect(s).toEqual({
      instances: 8,
      instanceMemoryBytes: 512 * MiB,
      rootSizeBytes: 4096 * MiB,
      swapSizeBytes: 1024 * MiB,
      vmType: 'chroot',
      usesVm: false,
      tmpfs: false,
      hugetlbfs: false,
      workerDirectory: '/var/cache/obs/worker',
    });
  });

  it('picks kvm for auto where kvm exists, and enables tmpfs only for VM types that use it', () => {
    const vars = new Map([['OBS_VM_TYPE', 'auto'], ['OBS_VM_USE_TMPFS', 'yes']]);
    expect(resolveWorkerSettings(vars, kvmHost)).toMatchObject({ vmType: 'kvm', usesVm: true, tmpfs: true });
    expect(resolveWorkerSettings(vars, { ...bareHost, xenAvailable: true })).toMatchObject({ vmType: 'xen', tmpfs: true });
    expect(resolveWorkerSettings(vars, bareHost)).toMatchObject({ vmType: 'chroot', tmpfs: false });
    for (const [type, tmpfs] of [['lxc', false], ['qemu:aarch64', true], ['emulator:armv7l', true], ['none', false]] as const) {
      expect(resolveWorkerSettings(new Map([['OBS_VM_TYPE', type], ['OBS_VM_USE_TMPFS', 'yes']]), kvmHost).tmpfs).toBe(tmpfs);
    }
  });

  it('uses configured sizes in megabytes (MiB) and a trailing-slash worker directory', () => {
    const vars = new Map([
      ['OBS_WORKER_INSTANCES', '16'],
      ['OBS_INSTANCE_MEMORY', '6144'],
      ['OBS_VM_DISK_AUTOSETUP_ROOT_FILESIZE', '8192'],
      ['OBS_VM_DISK_AUTOSETUP_SWAP_FILESIZE', '2048'],
      ['OBS_WORKER_DIRECTORY', '/srv/obs/worker/'],
      ['OBS_VM_USE_HUGETLBFS', '/dev/hugetlbfs'],
      ['OBS_VM_TYPE', 'kvm'],
    ]);
    expect(resolveWorkerSettings(vars, kvmHost)).toMatchObject({
      instances: 16,
      instanceMemoryBytes: 6 * GiB,
      rootSizeBytes: 8 * GiB,
      swapSizeBytes: 2 * GiB,
      workerDirectory: '/srv/obs/worker',
      hugetlbfs: true,
    });
  });

  it('rejects numbers that are not numbers, naming the variable', () => {
    expect(() => resolveWorkerSettings(new Map([['OBS_INSTANCE_MEMORY', '6G']]), kvmHost)).toThrow(WorkerConfigError);
    expect(() => resolveWorkerSettings(new Map([['OBS_INSTANCE_MEMORY', '6G']]), kvmHost)).toThrow(/OBS_INSTANCE_MEMORY/);
    expect(() => resolveWorkerSettings(new Map([['OBS_WORKER_INSTANCES', '-1']]), kvmHost)).toThrow(/OBS_WORKER_INSTANCES/);
  });
});

describe('tmpfsSizeLimit', () => {
  const mem = 64 * GiB;
  it('reads the forms the kernel and admins write', () => {
    expect(tmpfsSizeLimit(new Map([['size', '8388608k']]), mem, 4096)).toBe(8 * GiB);
    expect(tmpfsSizeLimit(new Map([['size', '8G']]), mem, 4096)).toBe(8 * GiB);
    expect(tmpfsSizeLimit(new Map([['size', '512m']]), mem, 4096)).toBe(512 * MiB);
    expect(tmpfsSizeLimit(new Map([['size', '25%']]), mem, 4096)).toBe(16 * GiB);
    expect(tmpfsSizeLimit(new Map([['size', '1000']]), mem, 4096)).toBe(4096); // rounded up to a page
    expect(tmpfsSizeLimit(new Map([['nr_blocks', '256']]), mem, 4096)).toBe(256 * 4096);
  });
  it('reads a tmpfs without size= as the kernel default, half of RAM in whole pages', () => {
    expect(tmpfsSizeLimit(new Map([['mode', '755']]), mem, 4096)).toBe(32 * GiB);
    // MemTotal 24684084 kB (this machine's) = 6171021 pages: the default is 3085510 pages, as df shows.
    expect(tmpfsSizeLimit(new Map(), 24684084 * 1024, 4096)).toBe(3085510 * 4096);
  });
  it('treats no limit (size=0k) and garbage as unknown', () => {
    expect(tmpfsSizeLimit(new Map([['size', '0k']]), mem, 4096)).toBeNull();
    expect(tmpfsSizeLimit(new Map([['size', 'huge']]), mem, 4096)).toBeNull();
    expect(tmpfsSizeLimit(new Map([['nr_blocks', '0']]), mem, 4096)).toBeNull();
  });
});

describe('globMatcher (tmpfs_mounts)', () => {
  it('matches build roots and not what is mounted inside them', () => {
    const re = { test: globMatcher(['/var/cache/obs/worker/root_*']) };
    expect(re.test('/var/cache/obs/worker/root_1')).toBe(true);
    expect(re.test('/var/cache/obs/worker/root_16')).toBe(true);
    expect(re.test('/var/cache/obs/worker/root_1/.mount')).toBe(false);
    expect(re.test('/var/cache/obs/worker/rootX')).toBe(false);
    expect(globMatcher(['/srv/root_[0-9]'])('/srv/root_7')).toBe(true);
    expect(globMatcher(['/srv/root_[!0-9]'])('/srv/root_7')).toBe(false);
    expect(globMatcher(['/srv/root_[!0-9]'])('/srv/root_x')).toBe(true);
    expect(globMatcher(['/srv/a.b'])('/srv/axb')).toBe(false);
    // The same dialect as a backup files target: alternatives, and several patterns at once.
    expect(globMatcher(['/srv/{build,test}_*'])('/srv/test_3')).toBe(true);
    expect(globMatcher(['/a/*', '/b/*'])('/b/x')).toBe(true);
  });
});
