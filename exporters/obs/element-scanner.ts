// A streaming reader of element tags for the one OBS document that gets big: the worker status
// (6 MB at 50,000 workers). It is nothing but empty elements with attributes, which a scan by
// indexOf and character codes reads in about half the time saxes takes, allocating nothing per
// tag but the name and value strings (docs/performance.md). The smaller replies (results, job
// history, directories) stay on XmlStream.
//
// It checks what matters for safety and for a faithful summary: tags well formed and matching,
// one root of the expected name, attribute values quoted and their character references valid,
// and the same bounds as XmlStream (depth, attributes per element, name and value lengths). A
// DOCTYPE is refused, so no entity is ever declared or expanded. Character data is not read:
// the worker status has none that matters; outside the root it must be whitespace.
import { asParseError, expectedRoot, MAX_DEPTH, ObsParseError, XML_LIMITS } from './xml-stream.js';

/** Runs of characters that cannot end a tag; a quote starts a value to skip whole. */
const INSIDE_TAG = /[^"'>]*/y;
const CHARACTER_REFERENCE = /&(?:(amp|lt|gt|quot|apos)|#([0-9]{1,7})|#x([0-9a-fA-F]{1,6}));/g;
const NAMED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const WHITESPACE_ONLY = /^\s*$/;
/** What a value may not hold (`<`) or needs decoded (references, literal tabs and line breaks): one test for the usual value with none. */
const SPECIAL_IN_VALUE = /[<&\t\n\r]/;

/**
 * The longest tag (or comment, processing instruction) worth waiting for: every attribute at
 * its longest. Past it the document is refused rather than buffered.
 */
const MAX_TAG_CHARS = XML_LIMITS.attributesPerElement * (XML_LIMITS.nameChars + XML_LIMITS.valueChars + 8) + XML_LIMITS.nameChars + 8;

/**
 * The attributes of the element being opened, in document order. The scanner reuses one for
 * every tag, so it is valid only during the handler's open() call: copy what must be kept
 * (toRecord). Filling two arrays costs a fraction of making an object per element, whose
 * property stores with ever-new names were 2/5 of the scan's time at 50,000 workers.
 */
export class TagAttributes {
  private readonly names: string[] = [];
  private readonly values: string[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The value of attribute `name`, or undefined if the element has none. */
  get(name: string): string | undefined {
    for (let i = 0; i < this.count; i++) if (this.names[i] === name) return this.values[i];
    return undefined;
  }

  /** A copy as a plain object (own properties only, so __proto__ is just a name). */
  toRecord(): Record<string, string> {
    const record: Record<string, string> = {};
    for (let i = 0; i < this.count; i++) Object.defineProperty(record, this.names[i]!, { value: this.values[i], enumerable: true, writable: true, configurable: true });
    return record;
  }

  /** @internal The scanner's: starts the next element's attributes. */
  clear(): void {
    this.count = 0;
  }

  /** @internal The scanner's: adds one, refusing a repeated name. */
  add(name: string, value: string): void {
    if (this.get(name) !== undefined) throw new ObsParseError(`malformed XML: duplicate attribute: ${name}`);
    this.names[this.count] = name;
    this.values[this.count] = value;
    this.count++;
  }
}

/** What the scanner reports; the attributes are valid only during open() (see TagAttributes). */
export interface TagHandler {
  /** An element opened; `path` holds the names of its ancestors, outermost first. */
  open(name: string, attributes: TagAttributes, path: readonly string[]): void;
  /** An element closed; `path` holds the names of its ancestors. */
  close?(name: string, path: readonly string[]): void;
}

export class ElementScanner {
  /** Text received but not read yet: the start of a tag that has not arrived whole. */
  private pending = '';
  private readonly path: string[] = [];
  private sawRoot = false;
  private failure: Error | null = null;
  private readonly attributes = new TagAttributes();

  constructor(
    private readonly rootName: string,
    private readonly handler: TagHandler,
  ) {}

  write(chunk: string): void {
    if (this.failure) throw this.failure;
    try {
      // A tag still incomplete stays so until a '>' arrives: wait without rescanning, so that a
      // server dribbling a long tag byte by byte costs linear time, not quadratic.
      if (this.pending !== '' && !chunk.includes('>')) {
        this.pending += chunk;
        if (this.pending.length > MAX_TAG_CHARS) throw new ObsParseError(`an element or comment longer than ${MAX_TAG_CHARS} characters (refused as hostile)`);
        return;
      }
      this.pending = this.scan(this.pending + chunk, false);
    } catch (err) {
      this.failure = asParseError(err);
      throw this.failure;
    }
  }

  end(): void {
    if (this.failure) throw this.failure;
    try {
      this.pending = this.scan(this.pending, true);
      if (!this.sawRoot) throw new ObsParseError(`empty document (expected <${this.rootName}>)`);
      if (this.pending !== '') throw new ObsParseError('malformed XML: the document ends inside a tag');
      if (this.path.length > 0) throw new ObsParseError(`malformed XML: unclosed tag <${this.path[this.path.length - 1]}>`);
    } catch (err) {
      this.failure = asParseError(err);
      throw this.failure;
    }
  }

  /** Reads every complete construct of `text`; returns the incomplete rest, to wait for more. */
  private scan(text: string, final: boolean): string {
    let pos = 0;
    for (;;) {
      const lt = text.indexOf('<', pos);
      const textEnd = lt < 0 ? text.length : lt;
      if (textEnd > pos && this.path.length === 0 && !WHITESPACE_ONLY.test(text.slice(pos, textEnd))) {
        throw new ObsParseError('malformed XML: text outside the root element');
      }
      if (lt < 0) return '';
      pos = lt;
      const end = this.construct(text, lt);
      if (end < 0) {
        if (text.length - lt > MAX_TAG_CHARS) throw new ObsParseError(`an element or comment longer than ${MAX_TAG_CHARS} characters (refused as hostile)`);
        if (final) throw new ObsParseError('malformed XML: the document ends inside a tag');
        return text.slice(lt);
      }
      pos = end;
    }
  }

  /** Handles the construct starting at `lt`; returns the index after it, or -1 if incomplete. */
  private construct(text: string, lt: number): number {
    const next = text.charCodeAt(lt + 1);
    if (Number.isNaN(next)) return -1;
    if (next === 0x3f /* ? */) return endOf(text, '?>', lt + 2); // XML declaration, processing instruction
    if (next === 0x21 /* ! */) return this.declaration(text, lt);
    const end = this.tag(text, lt);
    if (end >= 0) return end;
    // Not a whole tag here: either more is to come or it is not a tag.
    if (tagEnd(text, lt + 1) < 0) return -1;
    throw new ObsParseError(`malformed XML: bad tag ${JSON.stringify(text.slice(lt, Math.min(lt + 80, tagEnd(text, lt + 1) + 1)))}`);
  }

  /** `<!--`, `<![CDATA[` or `<!DOCTYPE`: the first two are skipped, the last refused. */
  private declaration(text: string, lt: number): number {
    const head = text.slice(lt, lt + 9);
    if (head.startsWith('<!--')) return endOf(text, '-->', lt + 4);
    if ('<!--'.startsWith(head)) return -1;
    if (head.toUpperCase() === '<!DOCTYPE') {
      const rest = text.slice(lt + 9, lt + 64);
      if (!rest.includes('>') && text.length - lt < 64) return -1;
      if (/^\s*html\b/i.test(rest)) throw new ObsParseError(`expected a <${this.rootName}> document, got an HTML page (not the OBS API?)`);
      // OBS never sends a DTD; one here is either a mistake or an entity-expansion attempt.
      throw new ObsParseError('unexpected DOCTYPE in an OBS reply');
    }
    if (head === '<![CDATA[') {
      if (this.path.length === 0) throw new ObsParseError('malformed XML: CDATA outside the root element');
      return endOf(text, ']]>', lt + 9);
    }
    if (head.length < 9 && ('<!DOCTYPE'.startsWith(head.toUpperCase()) || '<![CDATA['.startsWith(head))) return -1;
    throw new ObsParseError(`malformed XML: unexpected ${JSON.stringify(head)}`);
  }

  /** Reads the tag at `lt`; returns the index after it, or -1 if it is not a whole tag (yet). */
  private tag(text: string, lt: number): number {
    let pos = lt + 1;
    const closing = text.charCodeAt(pos) === SLASH;
    if (closing) pos++;
    if (!isNameStart(text.charCodeAt(pos))) return -1;
    const nameStop = nameEnd(text, pos + 1);
    const name = text.slice(pos, nameStop);
    if (name.length > XML_LIMITS.nameChars) throw new ObsParseError(`element name of ${name.length} characters is longer than ${XML_LIMITS.nameChars} (refused as hostile)`);
    const attributes = this.attributes;
    attributes.clear();
    pos = nameStop;
    // Attributes: whitespace, name, `=`, a quoted value holding neither its quote nor `<`.
    // Anything else ends them; what follows must then end the tag, or it is not a whole tag.
    for (;;) {
      const attributeStart = skipSpace(text, pos);
      if (attributeStart === pos || !isNameStart(text.charCodeAt(attributeStart))) break;
      const attributeStop = nameEnd(text, attributeStart + 1);
      const equals = skipSpace(text, attributeStop);
      if (text.charCodeAt(equals) !== EQUALS) break;
      const open = skipSpace(text, equals + 1);
      const quote = text.charCodeAt(open);
      if (quote !== DOUBLE_QUOTE && quote !== SINGLE_QUOTE) break;
      const closeQuote = text.indexOf(quote === DOUBLE_QUOTE ? '"' : "'", open + 1);
      if (closeQuote < 0) break;
      const raw = text.slice(open + 1, closeQuote);
      const special = SPECIAL_IN_VALUE.test(raw);
      if (special && raw.includes('<')) break;
      const attribute = text.slice(attributeStart, attributeStop);
      pos = closeQuote + 1;
      if (attributes.size >= XML_LIMITS.attributesPerElement) throw new ObsParseError(`an element has more than ${XML_LIMITS.attributesPerElement} attributes (refused as hostile)`);
      if (attribute.length > XML_LIMITS.nameChars) throw new ObsParseError(`attribute name of ${attribute.length} characters is longer than ${XML_LIMITS.nameChars} (refused as hostile)`);
      if (raw.length > XML_LIMITS.valueChars) throw new ObsParseError(`attribute ${attribute} of ${raw.length} characters is longer than ${XML_LIMITS.valueChars} (refused as hostile)`);
      attributes.add(attribute, special ? attributeValue(raw) : raw);
    }
    let close = skipSpace(text, pos);
    const selfClosing = text.charCodeAt(close) === SLASH;
    if (selfClosing) close++;
    if (text.charCodeAt(close) !== GREATER_THAN) return -1;
    const after = close + 1;
    if (closing) {
      if (attributes.size > 0 || selfClosing) throw new ObsParseError(`malformed XML: bad closing tag </${name}>`);
      const open = this.path.pop();
      if (open !== name) throw new ObsParseError(`malformed XML: unmatched closing tag </${name}>${open === undefined ? '' : ` (open: <${open}>)`}`);
      this.handler.close?.(name, this.path);
      return after;
    }
    if (this.path.length === 0) {
      if (this.sawRoot) throw new ObsParseError('more than one root element');
      this.sawRoot = true;
      expectedRoot(this.rootName, name);
    }
    if (this.path.length >= MAX_DEPTH) throw new ObsParseError(`elements nested deeper than ${MAX_DEPTH} levels`);
    this.handler.open(name, attributes, this.path);
    if (selfClosing) this.handler.close?.(name, this.path);
    else this.path.push(name);
    return after;
  }
}

const TAB = 0x09;
const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const SPACE = 0x20;
const DOUBLE_QUOTE = 0x22;
const SINGLE_QUOTE = 0x27;
const SLASH = 0x2f;
const EQUALS = 0x3d;
const GREATER_THAN = 0x3e;

/**
 * Name characters, ASCII only as before: a name starts with a letter, `_` or `:` and goes on
 * with those, digits, `-` and `.`. A table lookup per character keeps the scan free of regular
 * expressions and their match arrays, the bulk of the garbage a 6 MB document made.
 */
const NAME_START = 1;
const NAME_CHAR = 2;
const NAME_CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z_:]/.test(ch)) NAME_CLASS[c] = NAME_START | NAME_CHAR;
  else if (/[-0-9.]/.test(ch)) NAME_CLASS[c] = NAME_CHAR;
}

function isNameStart(c: number): boolean {
  return c < 128 && (NAME_CLASS[c]! & NAME_START) !== 0; // NaN (past the end) is not < 128
}

/** The index after the name characters from `from`. */
function nameEnd(text: string, from: number): number {
  let i = from;
  for (let c = text.charCodeAt(i); c < 128 && (NAME_CLASS[c]! & NAME_CHAR) !== 0; c = text.charCodeAt(++i));
  return i;
}

/** The index after XML whitespace (space, tab, line feed, carriage return) from `from`. */
function skipSpace(text: string, from: number): number {
  let i = from;
  for (let c = text.charCodeAt(i); c === SPACE || c === LINE_FEED || c === TAB || c === CARRIAGE_RETURN; c = text.charCodeAt(++i));
  return i;
}

/** The index of the `>` that ends the tag whose name starts at `from`, or -1 if not here yet. */
function tagEnd(text: string, from: number): number {
  let i = from;
  for (;;) {
    INSIDE_TAG.lastIndex = i;
    INSIDE_TAG.test(text);
    i = INSIDE_TAG.lastIndex;
    if (i >= text.length) return -1;
    const c = text[i]!;
    if (c === '>') return i;
    const quoteEnd = text.indexOf(c, i + 1);
    if (quoteEnd < 0) return -1;
    i = quoteEnd + 1;
  }
}

function endOf(text: string, terminator: string, from: number): number {
  const at = text.indexOf(terminator, from);
  return at < 0 ? -1 : at + terminator.length;
}

/** An attribute value as XML defines it: literal tabs and line breaks made spaces, references replaced. */
function attributeValue(raw: string): string {
  const value = /[\t\n\r]/.test(raw) ? raw.replace(/\r\n|[\t\n\r]/g, ' ') : raw;
  if (!value.includes('&')) return value;
  let references = 0;
  const decoded = value.replace(CHARACTER_REFERENCE, (_all, named: string | undefined, decimal: string | undefined, hex: string | undefined) => {
    references++;
    if (named) return NAMED[named]!;
    const code = decimal !== undefined ? Number(decimal) : parseInt(hex!, 16);
    if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) throw new ObsParseError(`malformed XML: character reference to ${code}`);
    return String.fromCodePoint(code);
  });
  // Every & must have started a reference: anything else is an undeclared entity or a stray &.
  if (value.split('&').length - 1 !== references) throw new ObsParseError(`malformed XML: undefined entity or stray & in ${JSON.stringify(raw.slice(0, 40))}`);
  return decoded;
}
