import { describe, expect, it } from 'vitest';
import { countCpuinfoProcessors, countCpuList, CpuListError } from '../../exporters/vmhost/cpu-list.js';
import {
  parseOptionList,
  parseQemuCommandLine,
  parseQemuMemory,
  parseQemuSmp,
  QemuCmdlineError,
  splitCmdline,
} from '../../exporters/vmhost/qemu-cmdline.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { normaliseState, parseDominfoBatch, parseNodeinfoAndUuids, splitVirshSession, VirshOutputError } from '../../exporters/vmhost/virsh-output.js';

const KiB = 1024;
const MiB = 2 ** 20;
const GiB = 2 ** 30;

describe('qemu -m', () => {
  it.each([
    ['512', 512 * MiB], // no suffix: MiB, qemu's default unit
    ['2G', 2 * GiB],
    ['4g', 4 * GiB],
    ['size=4096M', 4096 * MiB],
    ['4096M', 4096 * MiB],
    ['size=4194304k,slots=16,maxmem=16777216k', 4194304 * KiB], // what libvirt writes
    ['1.5G,maxmem=8G', 1.5 * GiB],
    ['1T', 1024 * GiB],
    ['1073741824B', GiB],
  ])('%s is %d bytes', (value, bytes) => {
    expect(parseQemuMemory(value)).toBe(bytes);
  });

  it.each(['', 'lots', 'maxmem=8G', '2X', '0', '-5'])('rejects %j with its own error', (value) => {
    expect(() => parseQemuMemory(value)).toThrow(QemuCmdlineError);
  });
});

describe('qemu -smp', () => {
  it.each([
    ['4', 4],
    ['cpus=4,sockets=1,cores=4', 4],
    ['4,sockets=2,cores=2,threads=1', 4],
    ['sockets=2,cores=2,threads=2', 2 * 2 * 2], // no cpus: the topology's product
    ['sockets=2,dies=2,cores=4,threads=2', 2 * 2 * 4 * 2],
    ['cores=6', 6],
    ['maxcpus=8', 8], // no cpus: qemu starts maxcpus
    ['2,maxcpus=8', 2], // hot-pluggable maximum is not started
  ])('%s is %d vCPUs', (value, vcpus) => {
    expect(parseQemuSmp(value)).toBe(vcpus);
  });

  it.each(['four', 'cpus=x', 'sockets=0'])('rejects %j with its own error', (value) => {
    expect(() => parseQemuSmp(value)).toThrow(QemuCmdlineError);
  });
});

describe('qemu option lists', () => {
  it('reads the implied key and unescapes doubled commas', () => {
    const opts = parseOptionList('guest=we,,b01,debug-threads=on', 'guest');
    expect(opts.get('guest')).toBe('we,b01');
    expect(opts.get('debug-threads')).toBe('on');
    expect(parseOptionList('web01,process=qemu:web01', 'guest').get('guest')).toBe('web01');
  });
});

describe('qemu command lines', () => {
  it('recognises qemu-system-* and qemu-kvm by base name only', () => {
    const vm = (argv0: string) => parseQemuCommandLine([argv0, '-m', '1G']);
    expect(vm('/usr/bin/qemu-system-x86_64')).not.toBeNull();
    expect(vm('qemu-system-aarch64')).not.toBeNull();
    expect(vm('/usr/libexec/qemu-kvm')).not.toBeNull();
    expect(vm('/usr/bin/qemu-img')).toBeNull();
    expect(vm('/usr/bin/qemu-system-x86_64-wrapper.sh')).not.toBeNull(); // still qemu-system-<something>
    expect(vm('/bin/sh')).toBeNull();
    expect(parseQemuCommandLine([])).toBeNull();
  });

  it('takes -m, -smp, -name and -uuid (the last of each), with qemu defaults when absent', () => {
    expect(parseQemuCommandLine(['qemu-kvm'])).toEqual({ vcpus: 1, memoryBytes: 128 * MiB, name: null, uuid: null });
    expect(
      parseQemuCommandLine([
        '/usr/bin/qemu-system-x86_64',
        '-name', 'guest=web01,debug-threads=on',
        '-m', '1G', '--m', '2G',
        '-smp', '2', '-append', 'console=ttyS0 -m 999',
        '-uuid', 'ABCDEF01-0000-4000-8000-000000000001',
      ]),
    ).toEqual({ vcpus: 2, memoryBytes: 2 * GiB, name: 'web01', uuid: 'abcdef01-0000-4000-8000-000000000001' });
  });

  it('splits /proc cmdline at NULs', () => {
    expect(splitCmdline('qemu-kvm\0-m\x002048\0')).toEqual(['qemu-kvm', '-m', '2048']);
    expect(splitCmdline('')).toEqual([]);
  });
});

describe('host CPU lists', () => {
  it.each([
    ['0-15\n', 16],
    ['0', 1],
    ['0-3,8-11', 4 + 4],
    ['0,2,4-5', 1 + 1 + 2],
  ])('%j has %d CPUs', (text, n) => expect(countCpuList(text)).toBe(n));

  it.each(['', 'x', '3-1', '0-'])('rejects %j', (text) => expect(() => countCpuList(text)).toThrow(CpuListError));

  it('counts processors in cpuinfo', () => {
    expect(countCpuinfoProcessors('processor\t: 0\nmodel name\t: X\n\nprocessor\t: 1\nmodel name\t: X\n')).toBe(2);
    expect(() => countCpuinfoProcessors('garbage')).toThrow(CpuListError);
  });
});

// Output of virsh 9.0.0 (Debian 12) with LC_ALL=C and -q, from the test driver.
const NODEINFO_AND_LIST = `CPU model:           x86_64
CPU(s):              16
CPU frequency:       2400 MHz
CPU socket(s):       2
Core(s) per socket:  4
Thread(s) per core:  2
NUMA cell(s):        1
Memory size:         67108864 KiB

11111111-1111-1111-1111-111111111111
A93754C9-1BA9-4D14-9CA6-123C639D7825
`;

const DOMINFO_BATCH = `Id:             1
Name:           run: one
UUID:           11111111-1111-1111-1111-111111111111
OS Type:        linux
State:          running
CPU(s):         2
CPU time:       1795598169.4s
Max memory:     8388608 KiB
Used memory:    4194304 KiB
Persistent:     yes
Autostart:      disable
Managed save:   no
Security model: testSecurity
Security DOI:   
Security label: libvirt-test (enforcing)

Id:             -
Name:           off1
UUID:           a93754c9-1ba9-4d14-9ca6-123c639d7825
OS Type:        linux
State:          shut off
CPU(s):         2
CPU time:       1795598169.4s
Max memory:     2097152 KiB
Used memory:    2097152 KiB
Persistent:     yes
Autostart:      disable
Managed save:   no
Security model: testSecurity
Security DOI:   
`;

describe('virsh output', () => {
  it('reads nodeinfo and the UUID listing from one batch', () => {
    expect(parseNodeinfoAndUuids(NODEINFO_AND_LIST)).toEqual({
      node: { cpus: 16, memoryBytes: 67108864 * KiB },
      uuids: ['11111111-1111-1111-1111-111111111111', 'a93754c9-1ba9-4d14-9ca6-123c639d7825'],
    });
  });

  it('reads a host with no domains', () => {
    expect(parseNodeinfoAndUuids(NODEINFO_AND_LIST.split('\n\n')[0]!).uuids).toEqual([]);
  });

  it('rejects output that is not nodeinfo', () => {
    expect(() => parseNodeinfoAndUuids('Segmentation fault\n')).toThrow(VirshOutputError);
    expect(() => parseNodeinfoAndUuids('CPU(s): lots\nMemory size: 1 KiB\n')).toThrow(/CPU\(s\).*"lots"/);
    expect(() => parseNodeinfoAndUuids('CPU(s): 4\nMemory size: much\n')).toThrow(/Memory size/);
  });

  it('reads a dominfo batch, one block per domain', () => {
    expect(parseDominfoBatch(DOMINFO_BATCH)).toEqual([
      { name: 'run: one', uuid: '11111111-1111-1111-1111-111111111111', state: 'running', active: true, vcpus: 2, memoryBytes: 4194304 * KiB },
      { name: 'off1', uuid: 'a93754c9-1ba9-4d14-9ca6-123c639d7825', state: 'shutoff', active: false, vcpus: 2, memoryBytes: 2097152 * KiB },
    ]);
    expect(parseDominfoBatch('')).toEqual([]);
  });

  it('falls back to the maximum when a driver gives no current memory', () => {
    const [d] = parseDominfoBatch('Id: 3\nName: x\nUUID: 11111111-1111-1111-1111-111111111111\nState: paused\nCPU(s): 1\nMax memory: 1024 KiB\n');
    expect(d!.memoryBytes).toBe(1024 * KiB);
  });

  it('rejects a broken dominfo block naming the domain', () => {
    expect(() => parseDominfoBatch('Id: 3\nName: x\nUUID: 11111111-1111-1111-1111-111111111111\nState: paused\nCPU(s): many\n')).toThrow(
      /domain "x".*CPU\(s\)/,
    );
    expect(() => parseDominfoBatch('Id: 3\nUUID: 11111111-1111-1111-1111-111111111111\n')).toThrow(VirshOutputError);
  });

  it('names states as libvirt does', () => {
    expect(['no state', 'running', 'idle', 'paused', 'in shutdown', 'shut off', 'crashed', 'pmsuspended'].map(normaliseState)).toEqual([
      'nostate', 'running', 'blocked', 'paused', 'shutdown', 'shutoff', 'crashed', 'pmsuspended',
    ]);
    expect(normaliseState('Some New State!')).toBe('some_new_state');
  });
});

// What virsh 9.0.0's shell printed on stdout for test:///default when fed, on stdin,
// nodeinfo, list --all --uuid, echo headroom-end-of-listing, dominfo of its one domain and
// dominfo of a UUID that does not exist (that error went to stderr).
const SESSION = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/vmhost/virsh-session.txt'), 'utf8');

describe('virsh shell session', () => {
  it('splits at the marker, drops the prompts, and both halves parse', () => {
    const { beforeMarker, afterMarker } = splitVirshSession(SESSION, 'headroom-end-of-listing');
    expect(beforeMarker).not.toContain('virsh >');
    expect(afterMarker).not.toContain('virsh >');
    // test:///default: 16 CPUs, 3 GiB, one running domain "test" with 2 vCPUs and 2 GiB in use.
    expect(parseNodeinfoAndUuids(beforeMarker)).toEqual({
      node: { cpus: 16, memoryBytes: 3145728 * KiB },
      uuids: ['6695eb01-f6a4-8304-79aa-97f2502e193f'],
    });
    expect(parseDominfoBatch(afterMarker!)).toEqual([
      { name: 'test', uuid: '6695eb01-f6a4-8304-79aa-97f2502e193f', state: 'running', active: true, vcpus: 2, memoryBytes: 2 * GiB },
    ]);
  });

  it('finds the marker only where virsh printed it, not in the echoed command', () => {
    const cut = SESSION.indexOf('headroom-end-of-listingvirsh');
    const { afterMarker } = splitVirshSession(SESSION.slice(0, cut), 'headroom-end-of-listing');
    expect(afterMarker).toBeNull();
  });

  it('reads a root shell prompt too', () => {
    const { beforeMarker } = splitVirshSession(SESSION.replaceAll('virsh > ', 'virsh # '), 'headroom-end-of-listing');
    expect(beforeMarker).not.toContain('virsh #');
    expect(parseNodeinfoAndUuids(beforeMarker).uuids).toHaveLength(1);
  });
});
