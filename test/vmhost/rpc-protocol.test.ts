// libvirt's wire format: byte fixtures written out by hand from remote_protocol.x and
// virnetprotocol.x (XDR: 4-byte big-endian units, strings padded to 4 bytes, rpcgen's
// `char x[32]` as 32 ints), decoded and encoded by the pure modules.
import { describe, expect, it } from 'vitest';
import { LibvirtUriError, libvirtEndpoint } from '../../exporters/vmhost/libvirt-uri.js';
import {
  decodeAuthList,
  decodeDomainInfo,
  decodeListAllDomains,
  decodeNodeInfo,
  decodeRemoteError,
  encodeConnectOpen,
  encodeDomain,
  encodeListAllDomains,
  formatUuid,
} from '../../exporters/vmhost/remote-protocol.js';
import { FrameError, MAX_PACKET_BYTES, PacketAssembler, encodeCall } from '../../exporters/vmhost/rpc-frame.js';
import { XdrError, XdrReader, XdrWriter } from '../../exporters/vmhost/xdr.js';

/** Big-endian 4-byte words written as hex, e.g. hex('00000001 61620000'). */
const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');
const word = (n: number) => n.toString(16).padStart(8, '0');
const ascii = (s: string) => Buffer.from(s, 'latin1').toString('hex');

describe('XDR', () => {
  it('pads strings and opaques to four bytes, after their length', () => {
    expect(new XdrWriter().string('abc').toBuffer()).toEqual(hex('00000003 61626300'));
    expect(new XdrWriter().string('abcd').toBuffer()).toEqual(hex('00000004 61626364'));
    expect(new XdrWriter().string('').toBuffer()).toEqual(hex('00000000'));
    expect(new XdrWriter().optionalString(null).toBuffer()).toEqual(hex('00000000'));
    expect(new XdrWriter().optionalString('a').toBuffer()).toEqual(hex('00000001 00000001 61000000'));
  });

  it('reads ints, hypers, strings and arrays back', () => {
    const r = new XdrReader(hex('ffffffff 00000001 00000000 00000002 00000003 61626300 00000002 00000007 00000008'));
    expect(r.int()).toBe(-1);
    expect(r.uhyper()).toBe(2 ** 32 + 0);
    expect(r.uint()).toBe(2);
    expect(r.string(10)).toBe('abc');
    expect(r.array(2, (x) => x.int())).toEqual([7, 8]);
    r.end();
  });

  it('refuses truncated data, lengths over the limit and leftover bytes', () => {
    expect(() => new XdrReader(hex('0000')).int()).toThrow(XdrError);
    expect(() => new XdrReader(hex('00000005 61626364')).string(10)).toThrow(/needs 8 bytes/);
    expect(() => new XdrReader(hex('00000100')).string(10)).toThrow(/over the limit of 10/);
    expect(() => new XdrReader(hex('00000003')).array(2, (x) => x.int())).toThrow(/array of 3/);
    expect(() => new XdrReader(hex('00000002')).bool()).toThrow(/boolean/);
    const r = new XdrReader(hex('00000001 00000002'));
    r.int();
    expect(() => r.end()).toThrow(/4 bytes left over/);
  });
});

describe('RPC framing', () => {
  it('encodes a call: length, program 0x20008086, version 1, procedure, CALL, serial, OK, body', () => {
    expect(encodeCall(66, 3, Buffer.alloc(0))).toEqual(hex('0000001c 20008086 00000001 00000042 00000000 00000003 00000000'));
    expect(encodeCall(1, 1, hex('00000000 00000001'))).toEqual(
      hex('00000024 20008086 00000001 00000001 00000000 00000001 00000000 00000000 00000001'),
    );
  });

  const reply = (serial: number, status: number, body: string) =>
    hex(`${word(28 + hex(body).length)} 20008086 00000001 00000006 00000001 ${word(serial)} ${word(status)} ${body}`);

  it('reassembles packets split across chunks and several in one chunk', () => {
    const a = reply(1, 0, '00000007');
    const b = reply(2, 1, '');
    const assembler = new PacketAssembler();
    expect(assembler.push(a.subarray(0, 3))).toEqual([]);
    expect(assembler.push(a.subarray(3, 20))).toEqual([]);
    const packets = assembler.push(Buffer.concat([a.subarray(20), b]));
    expect(packets.map((p) => [p.header.serial, p.header.type, p.header.status, p.header.procedure])).toEqual([
      [1, 1, 0, 6],
      [2, 1, 1, 6],
    ]);
    expect(packets[0]!.body).toEqual(hex('00000007'));
    expect(packets[1]!.body.length).toBe(0);
  });

  it('refuses lengths no libvirt packet has, and other programs', () => {
    expect(() => new PacketAssembler().push(hex(word(MAX_PACKET_BYTES + 1)))).toThrow(/over libvirt's limit/);
    expect(() => new PacketAssembler().push(hex('00000004'))).toThrow(FrameError);
    const http = Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n');
    expect(() => new PacketAssembler().push(http)).toThrow(FrameError);
    const otherProgram = hex('0000001c 20008087 00000001 00000001 00000001 00000001 00000000');
    expect(() => new PacketAssembler().push(otherProgram)).toThrow(/program 0x20008087/);
  });
});

describe('remote protocol', () => {
  const uuid = hex('00000000 00004000 80000000 00000171');

  it('encodes connect_open (optional name, flags), list_all_domains and a domain', () => {
    expect(encodeConnectOpen('test:///x', 1)).toEqual(hex(`00000001 00000009 ${ascii('test:///x')}000000 00000001`));
    expect(encodeListAllDomains(0)).toEqual(hex('00000001 00000000'));
    expect(encodeDomain({ name: 'ci001', uuid, id: -1 })).toEqual(hex(`00000005 ${ascii('ci001')}000000 ${uuid.toString('hex')} ffffffff`));
  });

  it('decodes node_get_info: 32 chars as ints, memory in KiB, cpus, mhz, topology', () => {
    const model = [...'x86_64'].map((c) => word(c.charCodeAt(0))).join('') + word(0).repeat(26);
    const info = decodeNodeInfo(hex(`${model} 00000000 20000000 00000040 00000960 00000002 00000001 00000010 00000002`));
    expect(info).toEqual({ model: 'x86_64', memoryKiB: 512 * 1024 * 1024, cpus: 64, mhz: 2400 });
  });

  it('decodes list_all_domains and domain_get_info', () => {
    const listing = hex(`00000002 00000005 ${ascii('ci001')}000000 ${uuid.toString('hex')} 000000ab 00000001 ${ascii('o')}000000 ${'00'.repeat(16)} ffffffff 00000002`);
    const domains = decodeListAllDomains(listing);
    expect(domains.map((d) => [d.name, formatUuid(d.uuid), d.id])).toEqual([
      ['ci001', '00000000-0000-4000-8000-000000000171', 171],
      ['o', '00000000-0000-0000-0000-000000000000', -1],
    ]);
    // state paused (3), maxMem 8 GiB, memory 4 GiB in KiB, 4 vCPUs, cpuTime 5 s in ns.
    expect(decodeDomainInfo(hex('00000003 00000000 00800000 00000000 00400000 00000004 00000001 2a05f200'))).toEqual({
      state: 3,
      maxMemoryKiB: 8 * 1024 * 1024,
      memoryKiB: 4 * 1024 * 1024,
      vcpus: 4,
      cpuTimeNs: 5e9,
    });
    expect(() => decodeDomainInfo(hex('00000003'))).toThrow(XdrError);
  });

  it('decodes auth_list and a remote_error message', () => {
    expect(decodeAuthList(hex('00000001 00000002'))).toEqual([2]);
    const err = decodeRemoteError(hex(`0000002a 0000000a 00000001 00000004 ${ascii('gone')} 00000002 00000000 00000000 00000000 00000000 00000000 00000000 00000000`));
    expect([err.code, err.domain, err.message]).toEqual([42, 10, 'gone']);
  });
});

describe('libvirt URI', () => {
  it('maps local URIs to the read-only socket and the name the daemon opens', () => {
    expect(libvirtEndpoint('qemu:///system')).toEqual({
      socketPaths: ['/run/libvirt/libvirt-sock-ro', '/run/libvirt/virtqemud-sock-ro'],
      name: 'qemu:///system',
    });
    expect(libvirtEndpoint('test+unix:///srv/node.xml?socket=/tmp/l/libvirt-sock-ro')).toEqual({
      socketPaths: ['/tmp/l/libvirt-sock-ro'],
      name: 'test:///srv/node.xml',
    });
    expect(libvirtEndpoint('qemu+unix:///system?mode=legacy').name).toBe('qemu:///system');
  });

  it.each([
    ['qemu+ssh://root@vmhost/system', /transport "ssh"/],
    ['qemu+tcp://vmhost/system', /transport "tcp"/],
    ['qemu://vmhost/system', /remote host "vmhost"/],
    ['qemu:///session', /per-user daemon/],
    ['test:///default', /test\+unix:\/\/\//],
    ['system', /not a libvirt URI/],
  ])('refuses %s with a reason', (uri, reason) => {
    expect(() => libvirtEndpoint(uri)).toThrow(LibvirtUriError);
    expect(() => libvirtEndpoint(uri)).toThrow(reason);
  });
});
