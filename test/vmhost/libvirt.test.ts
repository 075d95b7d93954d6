// headroom's libvirt RPC client against a real libvirtd (test driver): what it reads equals
// what virsh prints for the same daemon; a restarted daemon, a hang, garbage and an oversized
// packet fail that refresh, and the next one reconnects.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLibvirtReader, type DomainInfo, type LibvirtReading } from '../../exporters/vmhost/libvirt.js';
import { startLibvirtProxy, type LibvirtProxy } from '../../sim/libvirt-proxy.js';
import { startLibvirtd, type TestLibvirtd } from '../../sim/libvirtd.js';
import { runTool } from '../support/programs.js';
import { tempDir } from '../support/tmp.js';
import { writeStretchedHost } from './stretched-host.js';

const dir = tempDir('headroom-libvirt-rpc-');
const nodeXml = writeStretchedHost(dir);
let libvirtd: TestLibvirtd;
let proxy: LibvirtProxy;
beforeAll(async () => {
  libvirtd = await startLibvirtd(path.join(dir, 'libvirtd'));
  proxy = await startLibvirtProxy(path.join(dir, 'proxy-sock'), libvirtd.socketPath);
}, 30_000);
afterAll(async () => {
  await proxy?.stop();
  await libvirtd?.stop();
});

/** `virsh -r -c uri <args>` with English output, which must succeed. */
function virsh(uri: string, ...args: string[]): string {
  const r = runTool('virsh', ['-q', '-r', '-c', uri, ...args], undefined, { LC_ALL: 'C' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

/** "Label:   value" lines as a map. */
function fields(text: string): Map<string, string> {
  return new Map(text.split('\n').filter((l) => l.includes(':')).map((l) => [l.slice(0, l.indexOf(':')).trim(), l.slice(l.indexOf(':') + 1).trim()]));
}

// virsh's words for virDomainState (virshDomainStateToString).
const VIRSH_STATE: Record<string, string> = { running: 'running', idle: 'blocked', paused: 'paused', 'in shutdown': 'shutdown', 'shut off': 'shutoff', crashed: 'crashed', pmsuspended: 'pmsuspended', 'no state': 'nostate' };

/** What virsh's dominfo says about one domain, in the reader's terms. */
function virshDomain(uri: string, name: string): DomainInfo {
  const f = fields(virsh(uri, 'dominfo', name));
  return {
    name: f.get('Name')!,
    uuid: f.get('UUID')!,
    state: VIRSH_STATE[f.get('State')!]!,
    active: f.get('Id') !== '-',
    vcpus: Number(f.get('CPU(s)')),
    memoryBytes: Number(f.get('Used memory')!.replace(/ KiB$/, '')) * 1024,
  };
}

function available(reading: LibvirtReading) {
  if (!reading.available) throw new Error(`libvirt unavailable: ${reading.reason}`);
  return reading;
}

describe('libvirt over RPC', () => {
  it('reads the node and every domain as virsh prints them', async () => {
    const uri = libvirtd.uri(nodeXml);
    const reader = createLibvirtReader(uri);
    try {
      const reading = available(await reader.read({ timeoutMs: 10_000 }));
      const node = fields(virsh(uri, 'nodeinfo'));
      expect(reading.node).toEqual({ cpus: Number(node.get('CPU(s)')), memoryBytes: Number(node.get('Memory size')!.replace(/ KiB$/, '')) * 1024 });
      const names = virsh(uri, 'list', '--all', '--name').split('\n').map((l) => l.trim()).filter(Boolean);
      expect(names).toHaveLength(40);
      const byName = new Map(reading.domains.map((d) => [d.name, d]));
      expect([...byName.keys()].sort()).toEqual([...names].sort());
      for (const name of names) expect(byName.get(name), name).toEqual(virshDomain(uri, name));
      // The same connection serves the next refresh.
      expect(available(await reader.read({ timeoutMs: 10_000 })).domains).toHaveLength(40);
    } finally {
      await reader.close();
    }
  });

  it('opens one connection for the calls of the first refresh, and keeps it for the next', async () => {
    const before = proxy.connections();
    const reader = createLibvirtReader(`test+unix://${nodeXml}?socket=${proxy.socketPath}`);
    try {
      expect(available(await reader.read({ timeoutMs: 10_000 })).domains).toHaveLength(40);
      expect(available(await reader.read({ timeoutMs: 10_000 })).domains).toHaveLength(40);
      expect(proxy.connections() - before).toBe(1);
    } finally {
      await reader.close();
    }
  });

  it('reports a daemon that cannot open the URI, or no daemon at all, as unavailable', async () => {
    const missing = createLibvirtReader(libvirtd.uri(path.join(dir, 'missing.xml')));
    const none = createLibvirtReader(`test+unix://${nodeXml}?socket=${path.join(dir, 'no-sock')}`);
    try {
      expect(await missing.read({ timeoutMs: 10_000 })).toEqual({ available: false, reason: expect.stringContaining(`cannot open test://${path.join(dir, 'missing.xml')}`) });
      expect(await none.read({ timeoutMs: 10_000 })).toEqual({ available: false, reason: `no libvirt daemon listening at ${path.join(dir, 'no-sock')}` });
    } finally {
      await missing.close();
      await none.close();
    }
  });

  it.each([
    ['hang', /did not answer within 1000 ms/],
    ['garbage', /packet for program/],
    ['oversized', /over libvirt's limit/],
  ] as const)('fails a refresh on a %s, then reconnects', async (mode, problem) => {
    const uri = `test+unix://${nodeXml}?socket=${proxy.socketPath}`;
    const reader = createLibvirtReader(uri);
    try {
      expect(available(await reader.read({ timeoutMs: 1000 })).domains).toHaveLength(40);
      proxy.setMode(mode);
      await expect(reader.read({ timeoutMs: 1000 })).rejects.toThrow(problem);
      proxy.setMode('pass');
      expect(available(await reader.read({ timeoutMs: 1000 })).domains).toHaveLength(40);
    } finally {
      proxy.setMode('pass');
      await reader.close();
    }
  });

  it('reconnects after the daemon restarts', async () => {
    const own = await startLibvirtd(path.join(dir, 'restarting'));
    const reader = createLibvirtReader(own.uri(nodeXml));
    try {
      expect(available(await reader.read({ timeoutMs: 10_000 })).domains).toHaveLength(40);
      await own.stop();
      expect(await reader.read({ timeoutMs: 10_000 })).toMatchObject({ available: false });
      const again = await startLibvirtd(path.join(dir, 'restarting'));
      try {
        expect(available(await reader.read({ timeoutMs: 10_000 })).domains).toHaveLength(40);
      } finally {
        await again.stop();
      }
    } finally {
      await reader.close();
      await own.stop();
    }
  });
});
