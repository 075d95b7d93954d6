// XDR (RFC 4506) encoding and decoding of the few types libvirt's remote protocol uses: 4-byte
// big-endian ints, 8-byte hypers, length-prefixed strings and opaque data padded to 4 bytes,
// counted arrays and optional ("pointer") values. Pure: buffers in, values out.

export class XdrError extends Error {
  constructor(message: string) {
    super(`XDR: ${message}`);
    this.name = 'XdrError';
  }
}

const padding = (length: number) => (4 - (length % 4)) % 4;

export class XdrWriter {
  private chunks: Buffer[] = [];

  int(value: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(value);
    this.chunks.push(b);
    return this;
  }

  uint(value: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(value);
    this.chunks.push(b);
    return this;
  }

  /** A variable-length opaque (bytes) or string (UTF-8): length, data, zero padding. */
  opaque(data: Buffer): this {
    this.uint(data.length);
    return this.fixedOpaque(data);
  }

  /** A fixed-length opaque such as a UUID: data and padding, no length. */
  fixedOpaque(data: Buffer): this {
    this.chunks.push(data, Buffer.alloc(padding(data.length)));
    return this;
  }

  string(value: string): this {
    return this.opaque(Buffer.from(value, 'utf8'));
  }

  /** An optional string (`remote_string`): a boolean, then the string if present. */
  optionalString(value: string | null): this {
    this.uint(value === null ? 0 : 1);
    return value === null ? this : this.string(value);
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

export class XdrReader {
  private offset = 0;

  constructor(private readonly buf: Buffer) {}

  private take(n: number, what: string): number {
    if (this.offset + n > this.buf.length) {
      throw new XdrError(`${what} needs ${n} bytes at offset ${this.offset}, only ${this.buf.length - this.offset} left`);
    }
    const at = this.offset;
    this.offset += n;
    return at;
  }

  int(): number {
    return this.buf.readInt32BE(this.take(4, 'int'));
  }

  uint(): number {
    return this.buf.readUInt32BE(this.take(4, 'unsigned int'));
  }

  /** An unsigned hyper as a number: exact up to 2^53, which byte and nanosecond counts stay under. */
  uhyper(): number {
    return Number(this.buf.readBigUInt64BE(this.take(8, 'unsigned hyper')));
  }

  hyper(): number {
    return Number(this.buf.readBigInt64BE(this.take(8, 'hyper')));
  }

  bool(): boolean {
    const v = this.uint();
    if (v > 1) throw new XdrError(`boolean is ${v}, not 0 or 1`);
    return v === 1;
  }

  fixedOpaque(length: number): Buffer {
    const at = this.take(length + padding(length), `opaque[${length}]`);
    return this.buf.subarray(at, at + length);
  }

  /** A variable-length opaque of at most `max` bytes: a larger length means a garbled packet. */
  opaque(max: number): Buffer {
    const length = this.uint();
    if (length > max) throw new XdrError(`length ${length} is over the limit of ${max}`);
    return this.fixedOpaque(length);
  }

  string(max: number): string {
    return this.opaque(max).toString('utf8');
  }

  optional<T>(read: (r: this) => T): T | null {
    return this.bool() ? read(this) : null;
  }

  array<T>(max: number, read: (r: this) => T): T[] {
    const count = this.uint();
    if (count > max) throw new XdrError(`array of ${count} is over the limit of ${max}`);
    const out: T[] = [];
    for (let i = 0; i < count; i++) out.push(read(this));
    return out;
  }

  /** Throws if bytes are left over: a reply longer than its type is not the reply expected. */
  end(): void {
    if (this.offset !== this.buf.length) throw new XdrError(`${this.buf.length - this.offset} bytes left over after the value`);
  }
}
