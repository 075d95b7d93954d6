// Property-based tests of every pure parser headroom has (issue 11, item 3): for arbitrary
// input — random strings and bytes, and real fixtures mutated by truncation, character flips,
// inserted garbage and duplicated slices — each parser either returns a value or throws its OWN
// typed error, never a TypeError, RangeError, stack overflow or anything else, and returns in
// bounded time (the per-test timeout catches a hang; the size-scaled tests catch quadratic blow-up).
//
// Which error each parser may throw (read from the code):
//   OBS worker status / result list (exporters/obs)      ObsParseError
//   meminfo, mountinfo, swaps (src/procfs)               ProcParseError; vmstat, diskstats: none
//   libvirt RPC packets and replies (exporters/vmhost)    FrameError (framing), XdrError (bodies)
//   qemu command line                                    QemuCmdlineError
//   CPU lists, /proc/cpuinfo                             CpuListError
//   smartctl --json (exporters/swap)                     SmartctlOutputError
//   restic/borg JSON, git output, timestamps, globs      BackupParseError; describeToolFailure: none
//   sysconfig shell files (exporters/worker)             ShellSyntaxError; worker settings: WorkerConfigError
//   durations, sizes, listen addresses (src)             none (null); schedules: a message string
//   Authorization headers (src/basic-auth.ts)            none (false)
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseResultList } from '../../exporters/obs/resultlist.js';
import { workerStatusSamples } from '../../exporters/obs/samples.js';
import { parseWorkerStatus, WorkerStatusParser } from '../../exporters/obs/workerstatus.js';
import { ObsParseError } from '../../exporters/obs/xml-stream.js';
import { obsMetrics } from '../../exporters/obs/metrics.js';
import { parseBorgInfoOriginalSize, parseBorgList } from '../../exporters/backup/borg-json.js';
import { parseGitInteger } from '../../exporters/backup/git-output.js';
import { GlobPatternError, splitGlob } from '../../src/glob.js';
import { BackupParseError } from '../../exporters/backup/parse-error.js';
import { parseResticSnapshots } from '../../exporters/backup/restic-json.js';
import { parseIsoSeconds } from '../../exporters/backup/timestamps.js';
import { describeToolFailure, scrubSecret } from '../../exporters/backup/tool-errors.js';
import { parseSmartctlJson, SmartctlOutputError } from '../../exporters/swap/smartctl-json.js';
import { countCpuinfoProcessors, countCpuList, CpuListError } from '../../exporters/vmhost/cpu-list.js';
import { parseQemuCommandLine, QemuCmdlineError, splitCmdline } from '../../exporters/vmhost/qemu-cmdline.js';
import { decodeDomainInfo, decodeListAllDomains, decodeNodeInfo, decodeRemoteError } from '../../exporters/vmhost/remote-protocol.js';
import { encodeCall, FrameError, PacketAssembler } from '../../exporters/vmhost/rpc-frame.js';
import { XdrError, XdrWriter } from '../../exporters/vmhost/xdr.js';
import { resolveWorkerSettings, WorkerConfigError } from '../../exporters/worker/obs-settings.js';
import { parseShellAssignments, ShellSyntaxError } from '../../exporters/worker/shell-vars.js';
import { BasicAuth } from '../../src/basic-auth.js';
import { Exposition } from '../../src/exposition.js';
import { parseListenAddress } from '../../src/listen-address.js';
import { parseDiskstats } from '../../src/procfs/diskstats.js';
import { parseMeminfo, ProcParseError } from '../../src/procfs/meminfo.js';
import { parseMountinfo } from '../../src/procfs/mountinfo.js';
import { parseSwaps } from '../../src/procfs/swaps.js';
import { parseVmstat } from '../../src/procfs/vmstat.js';
import { parseSchedule } from '../../src/schedule.js';
import { parseDuration, parseSize } from '../../src/units.js';
import { performance } from 'node:perf_hooks';
import { parseMetricsText, valueOf } from '../support/metrics-text.js';
import { promtoolCheckMetrics } from '../support/programs.js';

const fixtures = path.resolve(import.meta.dirname, '../fixtures');
const read = (...p: string[]) => readFileSync(path.join(fixtures, ...p), 'utf8');
const obsFixtures = (prefix: string) =>
  readdirSync(path.join(fixtures, 'obs'))
    .filter((f) => f.startsWith(prefix))
    .map((f) => read('obs', f));
const hostFile = (host: string, file: string) => read('hosts', host, file);

// Enough runs to find the classic crashes, few enough that the file stays within seconds.
const RUNS = 500;

type ErrorClass = abstract new (...args: never[]) => Error;

/** Runs `fn`; passes if it returns, or throws an instance of one of `allowed`. Reports anything else. */
function returnsOrThrowsOwn(fn: () => unknown, ...allowed: ErrorClass[]): void {
  try {
    fn();
  } catch (err) {
    if (allowed.some((cls) => err instanceof cls)) return;
    throw new Error(`threw a foreign error: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`, { cause: err });
  }
}

type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'flip'; at: number; char: string }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'duplicate'; at: number; length: number }
  | { kind: 'delete'; at: number; length: number };

/** Characters that matter to the formats: markup, quotes, separators, digits, NUL, non-ASCII. */
const nastyChar = fc.constantFrom('<', '>', '/', '"', "'", '&', '=', ':', ';', ',', '-', '\\', '\n', '\r', '\t', ' ', '\0', '0', '9', '{', '}', '[', ']', '#', '$', '\u00e9', '\ud83d\ude00', '\ufffd');
const garbage = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: nastyChar, maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }));

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), char: nastyChar }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: garbage }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), length: fc.nat({ max: 200 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.nat({ max: 50 }) }),
);

function mutate(text: string, mutations: readonly Mutation[]): string {
  let out = text;
  for (const m of mutations) {
    const at = out.length === 0 ? 0 : m.at % (out.length + 1);
    switch (m.kind) {
      case 'truncate':
        out = out.slice(0, at);
        break;
      case 'flip':
        out = out.slice(0, at) + m.char + out.slice(at + 1);
        break;
      case 'insert':
        out = out.slice(0, at) + m.text + out.slice(at);
        break;
      case 'duplicate':
        out = out.slice(0, at + m.length) + out.slice(at, at + m.length) + out.slice(at);
        break;
      case 'delete':
        out = out.slice(0, at) + out.slice(at + m.length);
        break;
    }
  }
  return out;
}

/** A real fixture with one to five mutations, or pure garbage. */
function hostile(seeds: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.tuple(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 5 })).map(([s, ms]) => mutate(s, ms)), weight: 4 },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 300 }), weight: 1 },
    { arbitrary: fc.string({ unit: nastyChar, maxLength: 300 }), weight: 1 },
  );
}

/** Splits text into random chunks, as a socket delivers it. */
const chunked = (text: string, cuts: readonly number[]): string[] => {
  const points = [...new Set(cuts.map((c) => (text.length === 0 ? 0 : c % text.length)))].sort((a, b) => a - b);
  const out: string[] = [];
  let last = 0;
  for (const p of points) {
    out.push(text.slice(last, p));
    last = p;
  }
  out.push(text.slice(last));
  return out;
};

describe('OBS XML parsers throw only ObsParseError', () => {
  const workerStatusSeeds = obsFixtures('workerstatus.');
  const resultSeeds = obsFixtures('resultlist.');

  it('worker status, whole documents', () => {
    expect(workerStatusSeeds.length).toBeGreaterThanOrEqual(5);
    fc.assert(fc.property(hostile(workerStatusSeeds), (xml) => returnsOrThrowsOwn(() => parseWorkerStatus(xml), ObsParseError)), { numRuns: RUNS * 2 });
  });

  it('worker status, streamed in random chunks (the collector feeds the socket reads as they come)', () => {
    fc.assert(
      fc.property(hostile(workerStatusSeeds), fc.array(fc.nat(), { maxLength: 8 }), (xml, cuts) => {
        returnsOrThrowsOwn(() => {
          const parser = new WorkerStatusParser();
          for (const chunk of chunked(xml, cuts)) parser.write(chunk);
          return parser.end();
        }, ObsParseError);
      }),
      { numRuns: RUNS },
    );
  });

  it('worker status samples from a parsed hostile document are valid exposition', async () => {
    // Whatever a (mutated) document parses to must render and read back: hostile attribute
    // values (quotes, backslashes, newlines) end up as label values.
    const samples = fc.sample(hostile(workerStatusSeeds), { numRuns: 60, seed: 7 }).flatMap((xml) => {
      try {
        return [workerStatusSamples('hostile', parseWorkerStatus(xml))];
      } catch (err) {
        if (err instanceof ObsParseError) return [];
        throw err;
      }
    });
    expect(samples.length).toBeGreaterThan(0);
    const exposition = new Exposition(obsMetrics);
    for (const batch of samples) {
      const keys = new Set(batch.map((s) => s.metric.name + JSON.stringify(s.labels)));
      if (keys.size !== batch.length) continue; // the runtime rejects duplicate series before rendering
      const text = await exposition.render(batch);
      expect(() => parseMetricsText(text)).not.toThrow();
    }
  });

  it('label values with quotes, backslashes and newlines from an OBS document survive the exposition', async () => {
    await fc.assert(
      fc.asyncProperty(// The test reader (test/support) splits at line terminators JS regexes know (\r too),
      // so values with \r are checked with promtool below instead.
      fc.string({ unit: nastyChar, minLength: 1, maxLength: 20 }).filter((s) => s.trim() !== '' && !/[\0\r\ud800-\udfff]/.test(s)),
      async (arch) => {
        const escaped = arch.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
        const xml = `<workerstatus clients="0"><waiting arch="${escaped}" jobs="7"/></workerstatus>`;
        let summary;
        try {
          summary = parseWorkerStatus(xml);
        } catch (err) {
          if (err instanceof ObsParseError) return; // an arch of blanks is refused
          throw err;
        }
        const text = await new Exposition(obsMetrics).render(workerStatusSamples('hostile', summary));
        const series = parseMetricsText(text);
        expect(valueOf(series, 'headroom_obs_jobs_waiting', { obs: 'hostile', arch: arch.trim() })).toBe(7);
      }),
      { numRuns: RUNS },
    );
    const summary = parseWorkerStatus('<workerstatus><waiting arch="a&#13;b&quot;\\&#10;c" jobs="7"/></workerstatus>');
    const lint = promtoolCheckMetrics(await new Exposition(obsMetrics).render(workerStatusSamples('hostile', summary)));
    expect(lint.stdout + lint.stderr).toBe('');
    expect(lint.status).toBe(0);
  });

  it('result lists', () => {
    expect(resultSeeds.length).toBeGreaterThanOrEqual(3);
    fc.assert(fc.property(hostile(resultSeeds), (xml) => returnsOrThrowsOwn(() => parseResultList(xml), ObsParseError)), { numRuns: RUNS * 2 });
  });

  it('100,000 nested elements and a 10,000-deep result list are refused, not a stack overflow', () => {
    const deep = `<workerstatus>${'<partition>'.repeat(100_000)}${'</partition>'.repeat(100_000)}</workerstatus>`;
    expect(() => parseWorkerStatus(deep)).toThrow(ObsParseError);
    expect(() => parseWorkerStatus(deep)).toThrow(/nested deeper than 16/);
    const deepResult = `<resultlist>${'<result project="p" repository="r" arch="a">'.repeat(10_000)}</resultlist>`;
    expect(() => parseResultList(deepResult)).toThrow(ObsParseError);
  });

  it('an entity-expansion bomb (billion laughs) is refused without expanding anything', () => {
    const bomb = `<?xml version="1.0"?>
<!DOCTYPE workerstatus [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
<workerstatus clients="&c;"/>`;
    expect(() => parseWorkerStatus(bomb)).toThrow(ObsParseError);
  });
});

describe('procfs parsers throw only ProcParseError', () => {
  const hosts = ['obs-worker-64g', 'obs-worker-hugepages', 'no-swap', 'swapfile-ext4', 'no-obs'];
  const seeds = (file: string) =>
    hosts.flatMap((h) => {
      try {
        return [hostFile(h, path.join('proc', file))];
      } catch {
        return [];
      }
    });

  it.each([
    ['meminfo', parseMeminfo],
    ['self/mountinfo', parseMountinfo],
    ['swaps', parseSwaps],
    ['vmstat', (text: string) => parseVmstat(text, ['pswpin', 'pswpout', 'pgmajfault'])],
    ['diskstats', parseDiskstats],
  ] as const)('%s', (file, parse) => {
    const s = seeds(file);
    expect(s.length, `fixtures of ${file}`).toBeGreaterThan(0);
    fc.assert(fc.property(hostile(s), (text) => returnsOrThrowsOwn(() => parse(text), ProcParseError)), { numRuns: RUNS });
  });

  it('values are never NaN or negative, whatever the garbage', () => {
    fc.assert(
      fc.property(hostile(seeds('meminfo')), (text) => {
        try {
          for (const v of parseMeminfo(text).values()) expect(v >= 0 && !Number.isNaN(v)).toBe(true);
        } catch (err) {
          if (!(err instanceof ProcParseError)) throw err;
        }
        for (const v of parseVmstat(text, ['pswpin', 'pswpout', 'pgmajfault']).values()) expect(v >= 0 && !Number.isNaN(v)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('libvirt RPC and qemu parsers', () => {
  // Well-formed replies as latin1 text, for hostile() to mutate byte by byte.
  const latin1 = (b: Buffer) => b.toString('latin1');
  const uuid = Buffer.alloc(16, 7);
  const listing = new XdrWriter().uint(2).string('web01').fixedOpaque(uuid).int(1).string('archive01').fixedOpaque(uuid).int(-1).uint(2).toBuffer();
  const domainInfo = new XdrWriter().uint(1).uint(0).uint(4194304).uint(0).uint(4194304).uint(2).uint(0).uint(5).toBuffer();
  const nodeInfo = Buffer.concat([new XdrWriter().int(120).int(56).toBuffer(), Buffer.alloc(30 * 4), new XdrWriter().uint(0).uint(67108864).int(16).int(2400).int(1).int(2).int(4).int(2).toBuffer()]);
  const remoteError = new XdrWriter().int(42).int(10).optionalString('Domain not found').int(2).uint(0).uint(0).uint(0).uint(0).int(0).int(0).uint(0).toBuffer();
  const bodies = [listing, domainInfo, nodeInfo, remoteError].map(latin1);
  const packets = [encodeCall(273, 5, listing), encodeCall(16, 6, domainInfo)].map(latin1);

  it('packet framing', () => {
    fc.assert(
      fc.property(hostile([packets.join('')]), (text) => returnsOrThrowsOwn(() => new PacketAssembler().push(Buffer.from(text, 'latin1')), FrameError)),
      { numRuns: RUNS },
    );
  });

  it('reply bodies', () => {
    const decoders = [decodeListAllDomains, decodeDomainInfo, decodeNodeInfo, decodeRemoteError];
    fc.assert(
      fc.property(hostile(bodies), fc.constantFrom(...decoders), (text, decode) => returnsOrThrowsOwn(() => decode(Buffer.from(text, 'latin1')), XdrError)),
      { numRuns: RUNS },
    );
  });

  it('qemu command lines from /proc/<pid>/cmdline', () => {
    const cmdlines = [
      ['/usr/bin/qemu-kvm', '-m', '8192', '-smp', '8', '-name', 'guest=web01,debug-threads=on', '-uuid', '00000000-0000-4000-8000-000000000001'],
      ['/usr/bin/qemu-system-aarch64', '-m', 'size=4194304k,slots=16,maxmem=16777216k', '-smp', 'sockets=2,cores=2,threads=1'],
      ['qemu-system-x86_64', '-m', '1.5G,maxmem=8G', '-smp', '4,sockets=2,cores=2,threads=1,maxcpus=8'],
    ].map((argv) => argv.join('\0') + '\0');
    fc.assert(
      fc.property(hostile(cmdlines), (raw) => returnsOrThrowsOwn(() => parseQemuCommandLine(splitCmdline(raw)), QemuCmdlineError)),
      { numRuns: RUNS * 2 },
    );
    // Arbitrary argv arrays with qemu's program name and the options the parser reads.
    const option = fc.constantFrom('-m', '--m', '-smp', '--smp', '-name', '-uuid', '-S');
    fc.assert(
      fc.property(fc.array(fc.oneof(option, garbage), { maxLength: 12 }), (rest) =>
        returnsOrThrowsOwn(() => parseQemuCommandLine(['/usr/bin/qemu-system-x86_64', ...rest]), QemuCmdlineError),
      ),
      { numRuns: RUNS },
    );
  });

  it('CPU lists and /proc/cpuinfo', () => {
    fc.assert(fc.property(hostile(['0-15\n', '0-3,8-11\n', '0\n']), (t) => returnsOrThrowsOwn(() => countCpuList(t), CpuListError)), { numRuns: RUNS });
    fc.assert(
      fc.property(hostile(['processor\t: 0\nmodel name\t: x\n\nprocessor\t: 1\n']), (t) => returnsOrThrowsOwn(() => countCpuinfoProcessors(t), CpuListError)),
      { numRuns: RUNS },
    );
  });
});

describe('smartctl JSON throws only SmartctlOutputError', () => {
  const seeds = readdirSync(path.join(fixtures, 'hosts/smartctl')).map((f) => read('hosts/smartctl', f));

  it('mutated real outputs and arbitrary JSON values', () => {
    fc.assert(
      fc.property(hostile(seeds), fc.integer({ min: -1, max: 255 }), (text, exit) => returnsOrThrowsOwn(() => parseSmartctlJson(text, exit), SmartctlOutputError)),
      { numRuns: RUNS * 2 },
    );
    fc.assert(fc.property(fc.json({ maxDepth: 6 }), (text) => returnsOrThrowsOwn(() => parseSmartctlJson(text), SmartctlOutputError)), { numRuns: RUNS });
  });

  it('100,000-deep JSON nesting is an answer or its own error, not a stack overflow', () => {
    const deep = '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000);
    returnsOrThrowsOwn(() => parseSmartctlJson(deep), SmartctlOutputError);
    returnsOrThrowsOwn(() => parseResticSnapshots('['.repeat(100_000) + ']'.repeat(100_000)), BackupParseError);
  });
});

describe('backup tool output throws only BackupParseError', () => {
  const resticSeeds = [read('backup/restic-0.14-snapshots.json'), read('backup/restic-0.17-snapshots.json')];
  const borgList = read('backup/borg-1.2-list.json');
  const borgInfo = read('backup/borg-1.2-info-last.json');

  it('restic snapshots --json', () => {
    fc.assert(fc.property(hostile(resticSeeds), (t) => returnsOrThrowsOwn(() => parseResticSnapshots(t), BackupParseError)), { numRuns: RUNS * 2 });
    fc.assert(fc.property(fc.json({ maxDepth: 5 }), (t) => returnsOrThrowsOwn(() => parseResticSnapshots(t), BackupParseError)), { numRuns: RUNS });
  });

  it('borg list --json and borg info --json', () => {
    fc.assert(fc.property(hostile([borgList]), (t) => returnsOrThrowsOwn(() => parseBorgList(t), BackupParseError)), { numRuns: RUNS });
    fc.assert(fc.property(hostile([borgInfo]), (t) => returnsOrThrowsOwn(() => parseBorgInfoOriginalSize(t), BackupParseError)), { numRuns: RUNS });
    fc.assert(
      fc.property(fc.json({ maxDepth: 5 }), (t) => {
        returnsOrThrowsOwn(() => parseBorgList(t), BackupParseError);
        returnsOrThrowsOwn(() => parseBorgInfoOriginalSize(t), BackupParseError);
      }),
      { numRuns: RUNS },
    );
  });

  it('git output, timestamps and globs', () => {
    fc.assert(fc.property(hostile(['1709251200\n', '42\n']), (t) => returnsOrThrowsOwn(() => parseGitInteger(t, 'git log'), BackupParseError)), { numRuns: RUNS });
    fc.assert(
      fc.property(hostile(['2024-03-02T02:00:00.123456789-05:00', '2024-03-01T09:00:00.000000', '2024-03-01T09:00:00Z']), (t) =>
        returnsOrThrowsOwn(() => {
          const seconds = parseIsoSeconds(t);
          expect(Number.isFinite(seconds)).toBe(true);
        }, BackupParseError),
      ),
      { numRuns: RUNS },
    );
    fc.assert(fc.property(hostile(['/srv/dumps/gerrit-*.sql.gz', '/a/b[0-9]/{x,y}/*.tar']), (t) => returnsOrThrowsOwn(() => splitGlob(t), GlobPatternError)), { numRuns: RUNS });
  });

  it('failure descriptions never throw and scrubbing removes every occurrence of the secret', () => {
    fc.assert(
      fc.property(garbage, garbage, fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !'[redacted]'.includes(s)), (stderr, stdout, secret) => {
        const reason = describeToolFailure(stderr, stdout);
        expect(typeof reason).toBe('string');
        expect(reason.length).toBeLessThanOrEqual(300);
        expect(scrubSecret(`${stderr}${secret}${stdout}${secret}`, secret)).not.toContain(secret);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('sysconfig shell files throw only ShellSyntaxError / WorkerConfigError', () => {
  const seeds = [hostFile('obs-worker-64g', 'root/etc/sysconfig/obs-server'), hostFile('obs-worker-64g', 'root/etc/buildhost.config')];

  it('assignments and the settings obsworker derives from them', () => {
    fc.assert(
      fc.property(hostile(seeds), (text) =>
        returnsOrThrowsOwn(() => {
          const vars = parseShellAssignments(text);
          return resolveWorkerSettings(vars, { cpuCount: 8, kvmAvailable: true, xenAvailable: false });
        }, ShellSyntaxError, WorkerConfigError),
      ),
      { numRuns: RUNS * 2 },
    );
  });

  it('a long file with an unterminated quote at the top is refused in linear time', () => {
    // Each further line is appended to the open quote's logical line; re-scanning the whole
    // pending text per line would make this quadratic (minutes for a few MB).
    const lines = 20_000;
    const text = 'OBS_WORKER_INSTANCES="4\n' + 'OBS_VM_TYPE=kvm # a comment line of moderate length\n'.repeat(lines);
    const t0 = performance.now();
    expect(() => parseShellAssignments(text)).toThrow(ShellSyntaxError);
    // Generous: linear is a few ms; the quadratic version took tens of seconds.
    expect(performance.now() - t0).toBeLessThan(5_000);
  });
});

describe('engine parsers return null (or a message) instead of throwing', () => {
  it('durations, sizes, schedules and listen addresses', () => {
    fc.assert(
      fc.property(hostile(['30s', '1h30m', '26h', '7d', '16MiB', '600TB', '1.5TiB', ':9847', '127.0.0.1:9847', '[::1]:9847', '*/5 * * * *']), (t) => {
        const ms = parseDuration(t);
        if (ms !== null) expect(Number.isFinite(ms) && ms >= 0).toBe(true);
        const bytes = parseSize(t);
        if (bytes !== null) expect(Number.isFinite(bytes) && bytes >= 0).toBe(true);
        const schedule = parseSchedule(t);
        if (typeof schedule !== 'string' && schedule.kind === 'interval') {
          // A timer longer than 2^31-1 ms fires after 1 ms in Node: a schedule must fit.
          expect(schedule.ms).toBeLessThanOrEqual(2 ** 31 - 1);
        }
        const listen = parseListenAddress(t);
        if (listen) expect(listen.port >= 0 && listen.port <= 65535).toBe(true);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('a schedule longer than Node timers can hold is refused, not run every millisecond', () => {
    expect(typeof parseSchedule('30d')).toBe('string');
    expect(typeof parseSchedule('9999999999999999999999s')).toBe('string');
    expect(parseSchedule('24d')).toEqual({ kind: 'interval', ms: 24 * 86_400_000 });
  });

  it('hostile Authorization headers are refused without throwing', async () => {
    const auth = new BasicAuth(new Map([['prometheus', bcrypt.hashSync('right', 4)]]));
    const header = fc.oneof(
      garbage,
      garbage.map((g) => `Basic ${g}`),
      fc.string({ unit: 'binary', maxLength: 300 }).map((s) => `Basic ${Buffer.from(s).toString('base64')}`),
      fc.string({ maxLength: 200 }).map((p) => `Basic ${Buffer.from(`prometheus:${p}`).toString('base64')}`),
    );
    await fc.assert(
      fc.asyncProperty(header, async (h) => {
        expect(await auth.check(h)).toBe(false);
      }),
      { numRuns: 60 },
    );
    expect(await auth.check(`Basic ${Buffer.from('prometheus:right').toString('base64')}`)).toBe(true);
  });
});
