import { describe, expect, it } from 'vitest';
import { countCpuinfoProcessors, countCpuList, CpuListError } from '../../exporters/vmhost/cpu-list.js';
import {
  parseOptionList,
  parseQemuCommandLine,
  parseQemuMemory,
  parseProcCmdline,
  parseQemuSmp,
  QemuCmdlineError,
  splitCmdline,
} from '../../exporters/vmhost/qemu-cmdline.js';

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

describe('qemu command lines: what qemu itself counts', () => {
  // The shape libvirt 9/10 writes (JSON -object/-device), from a domain with memory hot-plug.
  const libvirtHead = [
    '/usr/bin/qemu-system-x86_64',
    '-name', 'guest=dimmed,debug-threads=on',
    '-S',
    '-object', '{"qom-type":"secret","id":"masterKey0","format":"raw","file":"/var/lib/libvirt/qemu/domain-3-dimmed/master-key.aes"}',
    '-machine', 'pc-q35-8.2,usb=off,dump-guest-core=off,memory-backend=pc.ram,acpi=on',
    '-accel', 'kvm',
    '-m', 'size=2097152k,slots=16,maxmem=16777216k',
    '-object', '{"qom-type":"memory-backend-ram","id":"pc.ram","size":2147483648}',
    '-overcommit', 'mem-lock=off',
    '-smp', '4,sockets=4,cores=1,threads=1',
    '-numa', 'node,nodeid=0,cpus=0-3,memdev=pc.ram',
  ];

  it('adds pc-dimm and nvdimm backends to the boot memory (qemu: "plugged memory")', () => {
    const vm = parseQemuCommandLine([
      ...libvirtHead,
      '-object', '{"qom-type":"memory-backend-ram","id":"memdimm0","size":536870912,"host-nodes":[0],"policy":"bind"}',
      '-device', '{"driver":"pc-dimm","node":0,"memdev":"memdimm0","id":"dimm0","slot":0}',
      '-object', 'memory-backend-file,id=memnvdimm0,mem-path=/var/lib/nvdimm0,size=1G',
      '-device', 'nvdimm,node=0,memdev=memnvdimm0,id=nvdimm0,slot=1',
      '-uuid', 'c7a5fdbd-edaf-9455-926a-d65c16db1809',
    ]);
    // -m 2 GiB (the numa node's pc.ram is that same memory, not more) + 512 MiB dimm + 1 GiB nvdimm
    expect(vm).toEqual({ vcpus: 4, memoryBytes: 2 * GiB + 512 * MiB + 1 * GiB, name: 'dimmed', uuid: 'c7a5fdbd-edaf-9455-926a-d65c16db1809' });
  });

  it('adds what a virtio-mem device has plugged (requested-size), not the size it may grow to', () => {
    const vm = parseQemuCommandLine([
      ...libvirtHead,
      '-object', '{"qom-type":"memory-backend-ram","id":"memvirtiomem0","reserve":false,"size":8589934592}',
      '-device', '{"driver":"virtio-mem-pci","node":0,"block-size":2097152,"requested-size":1073741824,"memdev":"memvirtiomem0","id":"virtiomem0","bus":"pci.0","addr":"0x2"}',
      '-object', 'memory-backend-ram,id=vmem1,size=4G',
      '-device', 'virtio-mem-pci,memdev=vmem1,id=vm1', // requested-size defaults to 0: nothing plugged
    ]);
    expect(vm!.memoryBytes).toBe(2 * GiB + 1 * GiB);
  });

  it('without -m, takes the size of -machine memory-backend= (bytes unless suffixed), not 128 MiB', () => {
    const argv = ['qemu-system-x86_64', '-object', 'memory-backend-memfd,id=ram0,size=3G,share=on', '-machine', 'q35', '-M', 'memory-backend=ram0'];
    expect(parseQemuCommandLine(argv)!.memoryBytes).toBe(3 * GiB);
    expect(parseQemuCommandLine(['qemu-kvm', '-object', 'memory-backend-ram,id=r,size=1048576', '-machine', 'pc,memory-backend=r'])!.memoryBytes).toBe(MiB);
    expect(() => parseQemuCommandLine(['qemu-kvm', '-machine', 'pc,memory-backend=nowhere'])).toThrow(/memory backend "nowhere"/);
    expect(() => parseQemuCommandLine(['qemu-kvm', '-device', '{"driver":"pc-dimm",'])).toThrow(QemuCmdlineError);
  });

  it('multiplies qemu 9.1 modules into the -smp topology', () => {
    expect(parseQemuSmp('sockets=2,modules=2')).toBe(4);
    expect(parseQemuSmp('sockets=2,dies=2,modules=2,cores=2,threads=2')).toBe(32);
    expect(parseQemuSmp('8,sockets=1,modules=2,cores=4')).toBe(8); // cpus= given wins
  });

  it('reads a command line cut inside its last argument as cut, not as complete', () => {
    const whole = ['qemu-system-x86_64', '-name', 'guest=obsbuild1', '-m', '4096', '-smp', '2', '-object', 'memory-backend-ram,id=d0,size=1G', '-device', 'pc-dimm,memdev=d0'];
    const raw = whole.join('\0') + '\0';
    expect(parseProcCmdline(raw)!.memoryBytes).toBe(5 * GiB);
    // Cut inside "-smp"'s value "2": a partial argument is not a value (it might have been 24).
    const cutInSmp = raw.slice(0, raw.indexOf('-smp\0') + '-smp\0'.length) + '2';
    expect(() => parseProcCmdline(cutInSmp)).toThrow(/cut short.*-smp/);
    // Cut inside the last argument after -m and -smp: counted from what is whole.
    const cutInDevice = raw.slice(0, raw.length - 4);
    expect(parseProcCmdline(cutInDevice)).toEqual({ vcpus: 2, memoryBytes: 4 * GiB, name: 'obsbuild1', uuid: null });
    // Cut inside the memory value of a line whose -m came last: "-m 40" of "-m 4096" is not 40 MiB.
    expect(() => parseProcCmdline('qemu-kvm\0-smp\x002\0-m\x0040')).toThrow(/cut short.*-m/);
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
