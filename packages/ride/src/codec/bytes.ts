// Small byte helpers shared by the binary layouts. Hand-written so the package needs neither Buffer (Node only)
// nor TextEncoder: every string that goes into a signed message here is ASCII by construction.
import { assert } from "../assert";

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** ASCII text to bytes; anything else is a bug in the caller (domain prefixes, validated ids). */
export function asciiBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    assert(c < 0x80, `non-ASCII character in ${JSON.stringify(text)}`);
    out[i] = c;
  }
  return out;
}

const HEX = "0123456789abcdef";

export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += HEX[b >> 4]! + HEX[b & 15]!;
  return out;
}

/** Lower-case hex of exactly `length` bytes, or null. Upper case is refused so one value has one spelling. */
export function fromHex(text: string, length: number): Uint8Array | null {
  if (text.length !== length * 2 || !/^[0-9a-f]*$/.test(text)) return null;
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = Number.parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

export function isAllZero(bytes: Uint8Array): boolean {
  let acc = 0;
  for (const b of bytes) acc |= b;
  return acc === 0;
}

export function isUint(value: unknown, max: number): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= max;
}

export const UINT8_MAX = 0xff;
export const UINT16_MAX = 0xffff;
export const UINT32_MAX = 0xffff_ffff;

/** Big-endian writer over a fixed-size buffer; writing past the end is a bug. */
export class ByteWriter {
  readonly bytes: Uint8Array;
  private offset = 0;
  private readonly view: DataView;

  constructor(length: number) {
    this.bytes = new Uint8Array(length);
    this.view = new DataView(this.bytes.buffer);
  }

  u8(value: number): this {
    assert(isUint(value, UINT8_MAX), `u8 out of range: ${value}`);
    this.view.setUint8(this.offset, value);
    this.offset += 1;
    return this;
  }

  u16(value: number): this {
    assert(isUint(value, UINT16_MAX), `u16 out of range: ${value}`);
    this.view.setUint16(this.offset, value);
    this.offset += 2;
    return this;
  }

  u32(value: number): this {
    assert(isUint(value, UINT32_MAX), `u32 out of range: ${value}`);
    this.view.setUint32(this.offset, value);
    this.offset += 4;
    return this;
  }

  raw(bytes: Uint8Array, length: number): this {
    assert(bytes.length === length, `expected ${length} bytes, got ${bytes.length}`);
    this.bytes.set(bytes, this.offset);
    this.offset += length;
    return this;
  }

  done(): Uint8Array {
    assert(this.offset === this.bytes.length, `layout wrote ${this.offset} of ${this.bytes.length} bytes`);
    return this.bytes;
  }
}

/** Big-endian reader; the caller checks the total length first, so reading past the end is a bug. */
export class ByteReader {
  private offset = 0;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  u8(): number {
    const v = this.view.getUint8(this.offset);
    this.offset += 1;
    return v;
  }

  u16(): number {
    const v = this.view.getUint16(this.offset);
    this.offset += 2;
    return v;
  }

  u32(): number {
    const v = this.view.getUint32(this.offset);
    this.offset += 4;
    return v;
  }

  raw(length: number): Uint8Array {
    assert(this.offset + length <= this.bytes.length, "read past the end");
    const v = this.bytes.slice(this.offset, this.offset + length);
    this.offset += length;
    return v;
  }

  position(): number {
    return this.offset;
  }
}
