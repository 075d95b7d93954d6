// A thin layer over saxes (a streaming, non-validating XML parser) shared by the OBS parsers:
// it feeds text as it arrives, turns every parser complaint into ObsParseError and refuses
// documents nested deeper than any OBS reply. saxes does not expand entities declared in a
// DTD (it reports them as undefined), so entity-expansion bombs cannot blow up memory.
import { SaxesParser } from 'saxes';

/** The one error the OBS parsers throw: the document is not what the API documents. */
export class ObsParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ObsParseError';
  }
}

/** OBS replies are at most four levels deep (workerstatus/partition/daemon/queue). */
export const MAX_DEPTH = 16;

/**
 * Bounds on the work one element may cost, far above anything OBS sends (its richest element,
 * a job history <jobhist>, has 15 attributes; names are short words; the longest values are
 * package names and verifymd5 sums). Checked as saxes reads each name and attribute, so a
 * hostile element is refused before it can hold a million attributes in memory.
 */
export const XML_LIMITS = {
  attributesPerElement: 64,
  nameChars: 128,
  valueChars: 4096,
} as const;

export interface ElementHandler {
  /** An element opened; `path` holds the names of its ancestors, outermost first. */
  open(name: string, attributes: Readonly<Record<string, string>>, path: readonly string[]): void;
  /** An element closed; `path` holds the names of its ancestors. */
  close?(name: string, path: readonly string[]): void;
  /** Text inside the innermost element of `path`, which ends with that element (may come in pieces). */
  text?(text: string, path: readonly string[]): void;
}

/** Incremental XML reader: write() chunks as they arrive, end() when the body is complete. */
export class XmlStream {
  private readonly parser = new SaxesParser({ position: false, xmlns: false });
  private readonly path: string[] = [];
  private failure: Error | null = null;
  private sawRoot = false;

  constructor(
    private readonly rootName: string,
    handler: ElementHandler,
  ) {
    this.parser.on('error', (err) => {
      throw new ObsParseError(`malformed XML: ${err.message}`);
    });
    this.parser.on('doctype', (doctype) => {
      if (/^\s*html\b/i.test(doctype)) throw new ObsParseError(`expected a <${rootName}> document, got an HTML page (not the OBS API?)`);
      // OBS never sends a DTD; one here is either a mistake or an entity-expansion attempt.
      throw new ObsParseError('unexpected DOCTYPE in an OBS reply');
    });
    let attributes = 0;
    this.parser.on('opentagstart', (tag) => {
      attributes = 0;
      checkLength('element name', tag.name, XML_LIMITS.nameChars);
    });
    this.parser.on('attribute', (attr) => {
      if (++attributes > XML_LIMITS.attributesPerElement) {
        throw new ObsParseError(`an element has more than ${XML_LIMITS.attributesPerElement} attributes (refused as hostile)`);
      }
      if (attr.name.length > XML_LIMITS.nameChars) checkLength('attribute name', attr.name, XML_LIMITS.nameChars);
      if (attr.value.length > XML_LIMITS.valueChars) checkLength(`attribute ${attr.name}`, attr.value, XML_LIMITS.valueChars);
    });
    this.parser.on('opentag', (tag) => {
      if (this.path.length === 0) {
        if (this.sawRoot) throw new ObsParseError('more than one root element');
        this.sawRoot = true;
        expectedRoot(rootName, tag.name);
      }
      if (this.path.length >= MAX_DEPTH) throw new ObsParseError(`elements nested deeper than ${MAX_DEPTH} levels`);
      handler.open(tag.name, tag.attributes as Record<string, string>, this.path);
      this.path.push(tag.name);
    });
    if (handler.text) {
      const onText = handler.text;
      this.parser.on('text', (text) => onText(text, this.path));
    }
    this.parser.on('closetag', (tag) => {
      this.path.pop();
      handler.close?.(tag.name, this.path);
    });
  }

  write(chunk: string): void {
    if (this.failure) throw this.failure;
    try {
      this.parser.write(chunk);
    } catch (err) {
      this.failure = asParseError(err);
      throw this.failure;
    }
  }

  end(): void {
    if (this.failure) throw this.failure;
    if (!this.sawRoot) throw new ObsParseError(`empty document (expected <${this.rootName}>)`);
    try {
      this.parser.close();
    } catch (err) {
      this.failure = asParseError(err);
      throw this.failure;
    }
  }
}

function checkLength(what: string, text: string, max: number): void {
  if (text.length > max) throw new ObsParseError(`${what} of ${text.length} characters is longer than ${max} (refused as hostile)`);
}

/**
 * Counts the distinct values a document brings for one label (architectures, worker hosts...)
 * and refuses the document past `max`: the series an instance exports stay bounded, and so
 * does the memory spent on them while parsing.
 */
export class DistinctLimit {
  private readonly seen = new Set<string>();

  constructor(
    private readonly what: string,
    private readonly max: number,
  ) {}

  /** Returns `value` once it is known, or throws if it would be one too many. */
  admit(value: string): string {
    if (this.seen.has(value)) return value;
    if (this.seen.size >= this.max) throw new ObsParseError(`more than ${this.max} distinct ${this.what} in one document (refused as hostile; the limits are documented in docs/collectors/obs.md)`);
    this.seen.add(value);
    return value;
  }
}

/** Refuses a document whose root is not `rootName` (an HTML error page, another reply). */
export function expectedRoot(rootName: string, name: string): void {
  if (name !== rootName) {
    throw new ObsParseError(`expected a <${rootName}> document, got <${name}>${name.toLowerCase() === 'html' ? ' (an HTML page, not the OBS API?)' : ''}`);
  }
}

export function asParseError(err: unknown): ObsParseError {
  if (err instanceof ObsParseError) return err;
  return new ObsParseError(`malformed XML: ${err instanceof Error ? err.message : String(err)}`);
}

/** A required non-negative integer attribute. */
export function intAttribute(attrs: Readonly<Record<string, string>>, name: string, where: string): number {
  return wholeNumber(attrs[name], name, where);
}

/** A required finite number attribute (buildavg is a float such as 7853.49900157855). */
export function numberAttribute(attrs: Readonly<Record<string, string>>, name: string, where: string): number {
  return finiteNumber(attrs[name], name, where);
}

/**
 * The value `raw` of attribute `name` as a non-negative integer. `where` names the element in
 * an error; it may be a function, so that a hot path builds that text only on a failure.
 */
export function wholeNumber(raw: string | undefined, name: string, where: string | (() => string)): number {
  if (raw === undefined) throw new ObsParseError(`${place(where)}: missing attribute ${name}`);
  if (!/^\s*\d+\s*$/.test(raw)) throw new ObsParseError(`${place(where)}: ${name}=${JSON.stringify(raw.slice(0, 40))} is not a whole number`);
  return Number(raw);
}

/** The value `raw` of attribute `name` as a finite number; `where` as for wholeNumber. */
export function finiteNumber(raw: string | undefined, name: string, where: string | (() => string)): number {
  if (raw === undefined) throw new ObsParseError(`${place(where)}: missing attribute ${name}`);
  const value = raw.trim() === '' ? NaN : Number(raw);
  if (!Number.isFinite(value)) throw new ObsParseError(`${place(where)}: ${name}=${JSON.stringify(raw.slice(0, 40))} is not a number`);
  return value;
}

function place(where: string | (() => string)): string {
  return typeof where === 'string' ? where : where();
}
