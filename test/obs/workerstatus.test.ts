import { describe, expect, it } from 'vitest';
import { ObsParseError } from '../../exporters/obs/xml-stream.js';
import { parseWorkerStatus, workerHost, WorkerStatusParser } from '../../exporters/obs/workerstatus.js';
import { fixture, obj } from './helpers.js';

const none = { building: 0, idle: 0, dead: 0, down: 0, away: 0 };

// Expected values below were read off the fixture XML by hand.
const docsExampleDaemons = [
  { partition: 'main', type: 'scheduler', arch: 'i586', state: 'running', queue: { high: 4, med: 68, low: 760, next: 9730 } },
  { partition: 'main', type: 'scheduler', arch: 'local', state: 'running', queue: { high: 0, med: 0, low: 0, next: 0 } },
  { partition: 'main', type: 'scheduler', arch: 'x86_64', state: 'running', queue: { high: 0, med: 69, low: 4690, next: 7409 } },
  { partition: 'main', type: 'dispatcher', arch: '', state: 'running', queue: null },
  { partition: 'main', type: 'publisher', arch: '', state: 'running', queue: null },
  { partition: 'main', type: 'signer', arch: '', state: 'running', queue: null },
  { partition: 'main', type: 'warden', arch: '', state: 'running', queue: null },
];

describe('worker status parser on the documentation example', () => {
  for (const [file, format] of [
    ['workerstatus.docs-example.xml', 'partitions'],
    ['workerstatus.docs-example.pre-2.5-format.xml', 'pre-2.5'],
  ] as const) {
    it(`reads every figure of ${file}`, () => {
      const s = parseWorkerStatus(fixture(file));
      expect(s.format).toBe(format);
      expect(s.clients).toBe(285);
      expect(obj(s.waiting)).toEqual({ i586: 2160, local: 1, x86_64: 2013 });
      expect(obj(s.blocked)).toEqual({ i586: 7215, local: 3, x86_64: 5855 });
      expect(obj(s.buildAverageSeconds)).toEqual({ i586: 7853.49900157855, local: 6706.03274513389, x86_64: 6313.8886610886 });
      // build03/1 builds x86_64; build03/2 and build03/3 build i586; nothing builds for local.
      expect(obj(s.building)).toEqual({ i586: 2, local: 0, x86_64: 1 });
      expect(obj(s.oldestBuildStart)).toEqual({ x86_64: 1289838671, i586: 1289899573 });
      expect(obj(s.workers)).toEqual({ x86_64: { ...none, building: 3, idle: 1 } });
      expect(Object.fromEntries([...s.hosts].map(([h, m]) => [h, obj(m)]))).toEqual({ build24: { idle: 1 }, build03: { building: 3 } });
      expect(s.daemons).toEqual(docsExampleDaemons);
    });
  }
});

describe('worker status parser on real backend replies', () => {
  it('reads a reply with no workers and dead daemons (2016)', () => {
    const s = parseWorkerStatus(fixture('workerstatus.cassette-2016-dead-daemons.xml'));
    expect(s.clients).toBe(0);
    expect(s.workers.size).toBe(0);
    expect(s.hosts.size).toBe(0);
    expect(obj(s.waiting)).toEqual({ i586: 1, x86_64: 0 });
    expect(obj(s.blocked)).toEqual({ i586: 0, x86_64: 0 });
    expect(obj(s.building)).toEqual({ i586: 0, x86_64: 0 });
    expect(s.oldestBuildStart.size).toBe(0);
    expect(s.daemons).toEqual([
      { partition: 'main', type: 'scheduler', arch: 'i586', state: 'dead', queue: { high: 0, med: 0, low: 3, next: 0 } },
      { partition: 'main', type: 'scheduler', arch: 'x86_64', state: 'dead', queue: { high: 0, med: 0, low: 6, next: 0 } },
      { partition: 'main', type: 'publisher', arch: '', state: 'dead', queue: null },
    ]);
  });

  it('takes daemon types as an open set (clouduploadserver, clouduploadworker)', () => {
    const s = parseWorkerStatus(fixture('workerstatus.cassette-2025-no-workers-extra-daemon-types.xml'));
    expect(s.daemons.map((d) => `${d.type}/${d.arch}/${d.state}`)).toEqual([
      'srcserver//running',
      'servicedispatch//running',
      'service//running',
      'clouduploadserver//running',
      'clouduploadworker//running',
      'scheduler/i586/running',
      'scheduler/x86_64/running',
      'repserver//running',
      'dispatcher//running',
      'publisher//running',
      'signer//running',
    ]);
  });

  it('reads two idle host:N workers (2025 CI backend and the RSpec fixture)', () => {
    for (const [file, host] of [
      ['workerstatus.cassette-2025-two-idle-workers.xml', 'afe1a12db768'],
      ['workerstatus.spec-fixture.xml', '7de14aea3d12'],
    ] as const) {
      const s = parseWorkerStatus(fixture(file));
      expect(s.clients).toBe(2);
      expect(obj(s.workers)).toEqual({ x86_64: { ...none, idle: 2 } });
      expect(obj(s.hosts.get(host)!)).toEqual({ idle: 2 });
      expect(obj(s.building)).toEqual({ i586: 0, x86_64: 0 });
    }
    const spec = parseWorkerStatus(fixture('workerstatus.spec-fixture.xml'));
    expect(spec.daemons.find((d) => d.arch === 'i586')!.queue).toEqual({ high: 0, med: 0, low: 2, next: 0 });
  });
});

describe('worker de-duplication and odd but valid documents', () => {
  it('counts a worker id once, in the first of building, idle, dead, down, away', () => {
    const s = parseWorkerStatus(`<workerstatus>
      <idle workerid="a:1" hostarch="x86_64"/>
      <idle workerid="b:1" hostarch="x86_64"/>
      <building workerid="a:1" hostarch="x86_64" arch="i586" starttime="100"/>
      <down workerid="b:1" hostarch="x86_64"/>
      <down workerid="c:1" hostarch="aarch64"/>
      <dead workerid="c:1" hostarch="aarch64"/>
      <away workerid="d:1" hostarch="aarch64"/>
      <down workerid="d:1" hostarch="aarch64"/>
      <away workerid="e:2" hostarch="s390x"/>
    </workerstatus>`);
    // a:1 building (also idle), b:1 idle (also down), c:1 dead (also down), d:1 down (also away), e:2 away.
    expect(obj(s.workers)).toEqual({
      x86_64: { ...none, building: 1, idle: 1 },
      aarch64: { ...none, dead: 1, down: 1 },
      s390x: { ...none, away: 1 },
    });
    expect(obj(s.hosts.get('c')!)).toEqual({ dead: 1 });
    expect(obj(s.hosts.get('d')!)).toEqual({ down: 1 });
  });

  it('de-duplicates every form of worker id as a plain reference count does (host:N, host:0N, host/N, N past 9999, no host, none)', () => {
    // A seeded mix of id forms, each listed up to three times in random states and host
    // arches; the expected counts come from a map of id to its best-ranked row.
    let seed = 12345;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    const states = ['building', 'idle', 'dead', 'down', 'away'] as const;
    const forms = [(h: string, n: number) => `${h}:${n}`, (h: string, n: number) => `${h}:0${n}`, (h: string, n: number) => `${h}/${n}`, (h: string, n: number) => `${h}:${n + 9990}`, (h: string) => h, (h: string, n: number) => `${h}:x${n}`];
    const rows: Array<{ state: (typeof states)[number]; id: string | undefined; hostarch: string }> = [];
    for (let i = 0; i < 3000; i++) {
      const id = random(50) === 0 ? undefined : forms[random(forms.length)]!(`host${random(7)}`, random(30));
      for (let copies = 1 + random(3); copies > 0; copies--) rows.push({ state: states[random(5)]!, id, hostarch: ['x86_64', 'aarch64', 's390x'][random(3)]! });
    }
    const best = new Map<string | object, { rank: number; hostarch: string; id: string | undefined }>();
    for (const row of rows) {
      const key = row.id ?? {}; // each row without an id is a worker of its own
      const rank = states.indexOf(row.state);
      const before = best.get(key);
      if (before === undefined || rank < before.rank) best.set(key, { rank, hostarch: row.hostarch, id: row.id });
    }
    const workers: Record<string, Record<string, number>> = {};
    const hosts: Record<string, Record<string, number>> = {};
    for (const { rank, hostarch, id } of best.values()) {
      const perArch = (workers[hostarch] ??= { ...none });
      perArch[states[rank]!]!++;
      if (id === undefined) continue;
      const host = /^(.+)[:/][^:/]*$/.exec(id)?.[1] ?? id;
      const perHost = (hosts[host] ??= {});
      perHost[states[rank]!] = (perHost[states[rank]!] ?? 0) + 1;
    }
    const xml = `<workerstatus>${rows.map((r) => `<${r.state}${r.id === undefined ? '' : ` workerid="${r.id}"`} hostarch="${r.hostarch}"${r.state === 'building' ? ' arch="i586"' : ''}/>`).join('\n')}</workerstatus>`;
    const s = parseWorkerStatus(xml);
    expect(obj(s.workers)).toEqual(workers);
    expect(Object.fromEntries([...s.hosts].map(([h, m]) => [h, obj(m)]))).toEqual(hosts);
    expect(Object.keys(hosts)).toHaveLength(7);
    expect(rows.length).toBeGreaterThan(best.size * 1.5); // ids do repeat
  });

  it('reads a server without down/dead/away lists and without partitions or daemons', () => {
    const s = parseWorkerStatus('<workerstatus clients="1"><idle workerid="w/1" hostarch="ppc64le"/><waiting arch="ppc64le" jobs="4"/></workerstatus>');
    expect(obj(s.workers)).toEqual({ ppc64le: { ...none, idle: 1 } });
    expect(obj(s.building)).toEqual({ ppc64le: 0 });
    expect(s.daemons).toEqual([]);
  });

  it('names partitions, and calls a nameless one main', () => {
    const s = parseWorkerStatus(`<workerstatus>
      <partition name="arm"><daemon type="scheduler" arch="aarch64" state="booting"/></partition>
      <partition><daemon type="dispatcher" state="running"/></partition>
    </workerstatus>`);
    expect(s.daemons.map((d) => [d.partition, d.type, d.arch, d.state])).toEqual([
      ['arm', 'scheduler', 'aarch64', 'booting'],
      ['main', 'dispatcher', '', 'running'],
    ]);
  });

  it('splits worker hosts at the last : or /', () => {
    expect(workerHost('obs-arm-9:40')).toBe('obs-arm-9');
    expect(workerHost('build24/7')).toBe('build24');
    expect(workerHost('fe80::1:3')).toBe('fe80::1');
    expect(workerHost('lonely')).toBe('lonely');
  });

  it('gives the same result fed one character at a time', () => {
    const text = fixture('workerstatus.docs-example.xml');
    const p = new WorkerStatusParser();
    for (const ch of text) p.write(ch);
    const s = p.end();
    expect(obj(s.waiting)).toEqual({ i586: 2160, local: 1, x86_64: 2013 });
    expect(s.daemons).toEqual(docsExampleDaemons);
  });
});

describe('worker status parser on bad input', () => {
  const bad: Array<[string, string, RegExp]> = [
    ['empty', '', /empty document/],
    ['truncated', fixture('workerstatus.docs-example.xml').slice(0, 900), /malformed XML/],
    ['mismatched tags', '<workerstatus><idle workerid="a:1"></building></workerstatus>', /malformed XML/],
    ['an HTML page', '<!DOCTYPE html><html><body>Bad Gateway</body></html>', /HTML page/],
    ['an HTML page without doctype', '<html><body>Login</body></html>', /got <html>.*HTML page/],
    ['another document', fixture('resultlist.spec-fixture.xml'), /expected a <workerstatus> document, got <resultlist>/],
    ['garbage', '\u0000\u0001garbage{}', /malformed XML/],
    ['a non-numeric job count', '<workerstatus><waiting arch="i586" jobs="lots"/></workerstatus>', /waiting arch="i586".*jobs="lots" is not a whole number/],
    ['a missing arch', '<workerstatus><waiting jobs="3"/></workerstatus>', /<waiting> without an arch/],
    ['an entity expansion bomb', '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><workerstatus clients="&b;"/>', /DOCTYPE/],
    ['deep nesting', `<workerstatus>${'<x>'.repeat(100_000)}${'</x>'.repeat(100_000)}</workerstatus>`, /nested deeper/],
  ];
  for (const [what, text, message] of bad) {
    it(`rejects ${what} with ObsParseError`, () => {
      let error: unknown;
      try {
        parseWorkerStatus(text);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ObsParseError);
      expect((error as Error).message).toMatch(message);
    });
  }
});
