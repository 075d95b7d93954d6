import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDiskstats } from '../../src/procfs/diskstats.js';
import { ProcParseError } from '../../src/procfs/meminfo.js';
import { fsTypeByMountPoint, onLocalFileSystems } from '../../src/procfs/local-fs.js';
import { mountHolding, parseMountinfo } from '../../src/procfs/mountinfo.js';
import { parsePressure } from '../../src/procfs/pressure.js';
import { parseSchedstat } from '../../src/procfs/schedstat.js';
import { cgroupV2Path, enclosingScope } from '../../src/procfs/cgroup.js';
import { parseSwaps } from '../../src/procfs/swaps.js';
import { parseVmstat } from '../../src/procfs/vmstat.js';

describe('parseMountinfo', () => {
  const text = [
    '28 1 259:1 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p1 rw,errors=remount-ro',
    // no optional fields, and one with two of them
    '42 28 0:39 / /var/cache/obs/worker/root_1 rw,relatime - tmpfs none rw,size=8388608k,inode64',
    '43 28 0:40 /sub /srv/with\\040space rw shared:5 master:2 - tmpfs tmpfs rw,size=1024k',
    'garbage line without separator',
    '',
  ].join('\n');

  it('reads device numbers, mount points, fs types and super options', () => {
    const mounts = parseMountinfo(text);
    expect(mounts).toHaveLength(3);
    expect(mounts[0]).toMatchObject({ major: 259, minor: 1, mountPoint: '/', fsType: 'ext4', source: '/dev/nvme0n1p1' });
    expect(mounts[1]!.superOptions.get('size')).toBe('8388608k');
    expect(mounts[1]!.superOptions.get('inode64')).toBe('');
    expect(mounts[2]).toMatchObject({ root: '/sub', mountPoint: '/srv/with space', fsType: 'tmpfs' });
  });

  it('finds the mount holding a path by the longest mount point', () => {
    const mounts = parseMountinfo(text);
    expect(mountHolding(mounts, '/swapfile')!.mountPoint).toBe('/');
    expect(mountHolding(mounts, '/var/cache/obs/worker/root_1/root')!.fsType).toBe('tmpfs');
    expect(mountHolding(mounts, '/var/cache/obs/worker/root_10')!.mountPoint).toBe('/');
  });

  it('tells paths on local file systems only from paths on or below a network or FUSE mount', () => {
    const types = fsTypeByMountPoint(
      parseMountinfo(
        [
          '28 1 259:1 / / rw - ext4 /dev/nvme0n1p1 rw',
          '30 28 0:50 / /var/cache/obs rw - nfs4 server:/obs rw,vers=4.2',
          '31 30 0:51 / /var/cache/obs/worker/root_1 rw - tmpfs none rw,size=1024k',
          '32 28 0:52 / /srv/root_1 rw - tmpfs none rw,size=1024k',
          '33 28 0:53 / /mnt/sshfs rw - fuse.sshfs host:/ rw',
          // a tmpfs mounted over the FUSE mount hides it
          '34 28 0:54 / /mnt/sshfs rw - tmpfs none rw',
        ].join('\n'),
      ),
    );
    expect(onLocalFileSystems(types, '/srv/root_1')).toBe(true);
    expect(onLocalFileSystems(types, '/var/cache/obs/worker/root_1')).toBe(false); // tmpfs, but below NFS
    expect(onLocalFileSystems(types, '/var/cache/obs')).toBe(false);
    expect(onLocalFileSystems(types, '/var/cache')).toBe(true);
    expect(onLocalFileSystems(types, '/mnt/sshfs/x')).toBe(true);
  });

  it('rejects a table with no mounts', () => {
    expect(() => parseMountinfo('nonsense\n')).toThrow(ProcParseError);
  });
});

describe('parseSwaps', () => {
  it('reads sizes in KiB as bytes, and decodes escaped and deleted file names', () => {
    const areas = parseSwaps(
      [
        'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority',
        '/dev/nvme0n1p2                          partition\t100663292\t12582912\t-2',
        '/var/swap\\040file (deleted)            file\t\t1048572\t\t0\t\t5',
      ].join('\n'),
    );
    expect(areas).toEqual([
      { filename: '/dev/nvme0n1p2', type: 'partition', sizeBytes: 100663292 * 1024, usedBytes: 12582912 * 1024, priority: -2 },
      { filename: '/var/swap file', type: 'file', sizeBytes: 1048572 * 1024, usedBytes: 0, priority: 5 },
    ]);
  });

  it('reads a header alone as no swap', () => {
    expect(parseSwaps('Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n')).toEqual([]);
  });

  it('rejects garbage with a clear error', () => {
    expect(() => parseSwaps('hello world\n')).toThrow(/header/);
    expect(() => parseSwaps('Filename Type Size Used Priority\n/dev/sda2 partition lots 0 -2\n')).toThrow(/unexpected line/);
  });
});

describe('parseVmstat', () => {
  it('reads the asked-for numeric fields, wherever they are, and leaves out missing and malformed ones', () => {
    const text = 'pswpin 12\npswpout_extra 7\npswpout 34\nnew_field_from_a_future_kernel\t5\nbroken line here\npgmajfault x\n';
    const v = parseVmstat(text, ['pswpin', 'pswpout', 'new_field_from_a_future_kernel', 'broken', 'pgmajfault', 'absent']);
    expect(Object.fromEntries(v)).toEqual({ pswpin: 12, pswpout: 34, new_field_from_a_future_kernel: 5 });
    expect(parseVmstat('pswpin 12', ['pswpin']).get('pswpin')).toBe(12); // no final line feed
  });

  it('reads every field of this kernel\'s /proc/vmstat as a line-by-line split does', () => {
    const text = readFileSync('/proc/vmstat', 'utf8');
    const expected = new Map(text.trim().split('\n').map((line) => line.split(' ')).map(([name, value]) => [name!, Number(value)]));
    expect(expected.size).toBeGreaterThan(50);
    expect(parseVmstat(text, [...expected.keys()])).toEqual(expected);
  });
});

describe('parseDiskstats', () => {
  it('reads 14-, 18- and 20-field kernels alike and skips short lines', () => {
    const stats = parseDiskstats(
      [
        '   8       0 sda 100 1 2000 30 400 5 6000 70 0 80 90',
        ' 259       2 nvme0n1p2 100 1 2000 30 400 5 7000 70 0 80 90 1 2 3 4',
        ' 259       0 nvme0n1 100 1 2000 30 400 5 8000 70 0 80 90 1 2 3 4 5 6',
        '   7       0 loop0 1 2',
      ].join('\n'),
    );
    expect(stats.map((s) => [s.name, s.major, s.minor, s.sectorsWritten, s.writesCompleted])).toEqual([
      ['sda', 8, 0, 6000, 400],
      ['nvme0n1p2', 259, 2, 7000, 400],
      ['nvme0n1', 259, 0, 8000, 400],
    ]);
  });
});

describe('parsePressure', () => {
  it('reads some and full lines, totals in microseconds', () => {
    const psi = parsePressure('some avg10=1.50 avg60=0.75 avg300=0.10 total=4424967\nfull avg10=0.00 avg60=0.05 avg300=0.34 total=3537880\n');
    expect(psi.some).toEqual({ avg10: 1.5, avg60: 0.75, avg300: 0.1, totalMicroseconds: 4424967 });
    expect(psi.full?.totalMicroseconds).toBe(3537880);
  });

  it('has no full line for host-wide cpu on kernels before 5.13', () => {
    expect(parsePressure('some avg10=0.00 avg60=0.00 avg300=0.00 total=12\n').full).toBeNull();
  });

  it('rejects garbage with the file and the line', () => {
    expect(() => parsePressure('some total=12\n', '/proc/pressure/io')).toThrow(/\/proc\/pressure\/io: unexpected line "some total=12"/);
    expect(() => parsePressure('full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n')).toThrow(/no "some" line/);
  });
});

describe('parseSchedstat', () => {
  it('reads CPU time, run delay and timeslices', () => {
    expect(parseSchedstat('4210261 3112147 2\n')).toEqual({ cpuNs: 4210261, waitNs: 3112147, timeslices: 2 });
  });

  it('rejects anything else, naming the file', () => {
    expect(() => parseSchedstat('1 2\n', '/proc/9/task/9/schedstat')).toThrow(/\/proc\/9\/task\/9\/schedstat: expected/);
  });
});

describe('cgroup v2 paths', () => {
  const libvirtVcpu = '0::/machine.slice/machine-qemu\\x2d3\\x2dweb01.scope/libvirt/vcpu0\n';
  it('takes the 0:: line, ignoring v1 hierarchies; none on v1-only hosts or an empty v2 tree', () => {
    expect(cgroupV2Path(`12:memory:/machine.slice\n${libvirtVcpu}`)).toBe('/machine.slice/machine-qemu\\x2d3\\x2dweb01.scope/libvirt/vcpu0');
    expect(cgroupV2Path('4:memory:/x\n1:cpu:/\n')).toBeNull();
    expect(cgroupV2Path('1:cpu:/\n0::/\n')).toBeNull();
  });

  it('finds the enclosing systemd scope, never a service or slice', () => {
    expect(enclosingScope('/machine.slice/machine-qemu\\x2d3\\x2dweb01.scope/libvirt/vcpu0')).toBe('/machine.slice/machine-qemu\\x2d3\\x2dweb01.scope');
    expect(enclosingScope('/machine.slice/machine-qemu\\x2d3\\x2dweb01.scope')).toBe('/machine.slice/machine-qemu\\x2d3\\x2dweb01.scope');
    expect(enclosingScope('/system.slice/obsworker.service')).toBeNull();
  });
});
