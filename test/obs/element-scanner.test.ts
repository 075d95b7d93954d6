// The worker status's tag scanner against saxes (XmlStream): the same elements, attributes and
// nesting on the real fixtures and on generated documents, whatever the chunking; and the same
// refusals of hostile input.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ElementScanner, TagAttributes } from '../../exporters/obs/element-scanner.js';
import { ObsParseError, XML_LIMITS, XmlStream } from '../../exporters/obs/xml-stream.js';
import { generateWorkerStatus } from '../../sim/obs/generator.js';
import { repoRoot } from '../support/exporter.js';
import { fixture } from './helpers.js';

type Event = [string, string, Record<string, string>, string];

/** Every open and close event of a reader fed `chunks`, with a copy of its attributes and path. */
function events(Reader: typeof XmlStream | typeof ElementScanner, root: string, chunks: readonly string[]): Event[] {
  const out: Event[] = [];
  const close = (name: string, p: readonly string[]) => void out.push(['close', name, {}, p.join('/')]);
  // The scanner's attributes are valid only during open(): copied there, as a handler must.
  const reader =
    Reader === ElementScanner
      ? new ElementScanner(root, { open: (name, attrs, p) => void out.push(['open', name, attrs.toRecord(), p.join('/')]), close })
      : new XmlStream(root, { open: (name, attrs, p) => void out.push(['open', name, { ...attrs }, p.join('/')]), close });
  for (const c of chunks) reader.write(c);
  reader.end();
  return out;
}

function slices(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function failure(chunks: readonly string[], root = 'workerstatus'): Error {
  try {
    events(ElementScanner, root, chunks);
  } catch (err) {
    expect(err).toBeInstanceOf(ObsParseError);
    return err as Error;
  }
  throw new Error('no error');
}

const fixtureDir = path.join(repoRoot, 'test/fixtures/obs');
const workerStatusFixtures = [
  ...readdirSync(fixtureDir).filter((f) => f.startsWith('workerstatus.')),
  ...readdirSync(path.join(fixtureDir, 'real-backend-2.9')).filter((f) => f.includes('workerstatus')).map((f) => `real-backend-2.9/${f}`),
];

describe('worker status tag scanner', () => {
  it('has worker status fixtures to compare on', () => expect(workerStatusFixtures.length).toBeGreaterThanOrEqual(8));

  for (const name of workerStatusFixtures) {
    it(`reads ${name} as saxes does, whole and in chunks of 1, 7 and 64 characters`, () => {
      const text = fixture(name);
      const expected = events(XmlStream, 'workerstatus', [text]);
      expect(expected.length).toBeGreaterThan(2);
      for (const size of [text.length, 1, 7, 64]) expect(events(ElementScanner, 'workerstatus', slices(text, size))).toEqual(expected);
    });
  }

  it('reads a generated 5,000-worker document as saxes does, in the collector\'s 16 KiB slices', () => {
    const { xml } = generateWorkerStatus({ hosts: 125, instancesPerHost: 40, partitions: ['main', 'arm'], seed: 7 });
    const expected = events(XmlStream, 'workerstatus', slices(xml, 16 * 1024));
    expect(expected.filter((e) => e[0] === 'open' && e[3] === 'workerstatus').length).toBeGreaterThan(5000);
    expect(events(ElementScanner, 'workerstatus', slices(xml, 16 * 1024))).toEqual(expected);
    expect(events(ElementScanner, 'workerstatus', slices(xml, 999))).toEqual(expected);
  });

  it('decodes references, normalises whitespace in values and skips comments, CDATA and instructions as saxes does', () => {
    const text = `<?xml version="1.0" encoding="UTF-8"?>\n<!-- a comment with <tags> -->\n<workerstatus clients='2'>
      <idle workerid="a&amp;b:1" hostarch="x&#38;y&#x41;" note="tab\there &lt;&gt;&quot;&apos;" __proto__="p" toString="t"/>
      <![CDATA[ <not-a-tag/> ]]><?pi data?>
      <partition name = "arm" ><daemon type="scheduler" arch="aarch64" state="running"><queue high="1" med="2" low="3" next="4"/></daemon></partition>
    </workerstatus  >\n<!-- trailing -->\n`;
    const expected = events(XmlStream, 'workerstatus', [text]);
    // fromEntries: in an object literal, __proto__ would set the prototype, not a property.
    expect(expected[1]![2]).toEqual(Object.fromEntries([['workerid', 'a&b:1'], ['hostarch', 'x&yA'], ['note', 'tab here <>"\''], ['__proto__', 'p'], ['toString', 't']]));
    for (const size of [text.length, 1, 5]) expect(events(ElementScanner, 'workerstatus', slices(text, size))).toEqual(expected);
  });
});

describe('tag attributes', () => {
  it('are looked up by name, in a copy that outlives the tag, and reused for the next tag', () => {
    const seen: Array<[string | undefined, string | undefined, Record<string, string>]> = [];
    const objects = new Set<TagAttributes>();
    const scanner = new ElementScanner('workerstatus', {
      open: (_name, attrs) => {
        objects.add(attrs);
        seen.push([attrs.get('workerid'), attrs.get('hostarch'), attrs.toRecord()]);
      },
    });
    scanner.write('<workerstatus><idle workerid="w:1" hostarch="x86_64"/><down workerid="w:2"/></workerstatus>');
    scanner.end();
    expect(seen).toEqual([
      [undefined, undefined, {}],
      ['w:1', 'x86_64', { workerid: 'w:1', hostarch: 'x86_64' }],
      ['w:2', undefined, { workerid: 'w:2' }],
    ]);
    // One object for every tag, which is why a handler copies what it keeps.
    expect(objects.size).toBe(1);
  });
});

describe('worker status tag scanner on hostile input', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['an undefined entity', '<workerstatus><idle workerid="&bomb;"/></workerstatus>', /undefined entity/],
    ['a stray ampersand', '<workerstatus><idle workerid="a & b"/></workerstatus>', /stray &/],
    ['a reference to character 0', '<workerstatus><idle workerid="&#0;"/></workerstatus>', /character reference/],
    ['a < in a value', '<workerstatus><idle workerid="a<b"/></workerstatus>', /malformed XML/],
    ['an unquoted value', '<workerstatus><idle workerid=a/></workerstatus>', /malformed XML/],
    ['attributes not separated', '<workerstatus><idle a="1"b="2"/></workerstatus>', /malformed XML/],
    ['a duplicate attribute', '<workerstatus><idle a="1" a="2"/></workerstatus>', /duplicate attribute/],
    ['a closing tag with attributes', '<workerstatus></workerstatus a="1">', /bad closing tag/],
    ['a closing tag never opened', '</workerstatus>', /unmatched closing tag/],
    ['two roots', '<workerstatus/><workerstatus/>', /more than one root/],
    ['text outside the root', '<workerstatus/>trailing', /text outside the root/],
    ['CDATA outside the root', '<![CDATA[x]]><workerstatus/>', /CDATA outside/],
    ['an unclosed root', '<workerstatus><idle/>', /unclosed tag <workerstatus>/],
    ['a document cut inside a tag', '<workerstatus><idle workerid="a', /ends inside a tag/],
    ['a DOCTYPE with entities', '<!DOCTYPE w [<!ENTITY a "aaaa">]><workerstatus/>', /unexpected DOCTYPE/],
    ['a lower-case doctype', '<!doctype w><workerstatus/>', /unexpected DOCTYPE/],
    ['an HTML error page', '<!DOCTYPE html><html><body>Bad Gateway</body></html>', /HTML page/],
    ['too many attributes', `<workerstatus ${Array.from({ length: XML_LIMITS.attributesPerElement + 1 }, (_, i) => `a${i}="1"`).join(' ')}/>`, /more than 64 attributes/],
    ['a long attribute value', `<workerstatus><idle workerid="${'x'.repeat(XML_LIMITS.valueChars + 1)}"/></workerstatus>`, /longer than 4096/],
    ['a long element name', `<workerstatus><${'x'.repeat(XML_LIMITS.nameChars + 1)}/></workerstatus>`, /element name of 129 characters/],
    ['deep nesting', `<workerstatus>${'<x>'.repeat(1000)}${'</x>'.repeat(1000)}</workerstatus>`, /nested deeper/],
  ];
  for (const [what, text, message] of cases) {
    it(`refuses ${what}, whole and one character at a time`, () => {
      expect(failure([text]).message).toMatch(message);
      expect(failure([...text]).message).toMatch(message);
    });
  }

  it('refuses a tag that never ends past its bound instead of buffering it, however it is dribbled', () => {
    const endless = `<workerstatus><idle workerid="${'x'.repeat(600_000)}`;
    expect(failure([endless]).message).toMatch(/longer than \d+ characters \(refused as hostile\)/);
    expect(failure(slices(endless, 3)).message).toMatch(/longer than \d+ characters \(refused as hostile\)/);
    expect(failure(['<workerstatus><!-- ', ...slices('-'.repeat(600_000), 1000)]).message).toMatch(/refused as hostile/);
  });

  it('keeps failing after a failure', () => {
    const scanner = new ElementScanner('workerstatus', { open: () => undefined });
    expect(() => scanner.write('<workerstatus><idle a="&x;"/>')).toThrow(ObsParseError);
    expect(() => scanner.write('</workerstatus>')).toThrow(/undefined entity/);
    expect(() => scanner.end()).toThrow(/undefined entity/);
  });
});
