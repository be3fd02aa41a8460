/* buffer - the part of Node's Buffer the lab's models use, for the browser bundle
 *
 * The models speak latin1 text, base64 (SASL) and UTF-8 (user names) through Buffer, Node's
 * global. playground/build/browser-seams.ts injects this class as `Buffer` into the browser
 * bundle only; Node keeps its own, so the Node path is untouched. Each conversion follows
 * Node's documented behaviour where the models can reach it: base64 decoding skips characters
 * outside the alphabet, reads base64url's - and _ too and stops at the first '='
 * (node src/base64-inl.h, base64_decode_group_slow); UTF-8 decoding replaces a bad sequence
 * with U+FFFD as TextDecoder does. test/playground/shims.test.ts compares each with Node's.
 */

export type BufferEncoding = 'latin1' | 'binary' | 'utf8' | 'utf-8' | 'base64' | 'base64url';

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64URL = BASE64.slice(0, 62) + '-_';
const SIXBITS = new Int8Array(256).fill(-1);
for (let i = 0; i < 64; i++) {
  SIXBITS[BASE64.charCodeAt(i)] = i;
  SIXBITS[BASE64URL.charCodeAt(i)] = i;
}
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8');

/** The bytes a shim call returns: a Uint8Array whose toString speaks Node's encodings. */
class BrowserBuffer extends Uint8Array {
  override toString(encoding: BufferEncoding = 'utf8'): string {
    switch (encoding) {
      case 'latin1':
      case 'binary':
        return latin1Of(this);
      case 'utf8':
      case 'utf-8':
        return utf8Decoder.decode(this);
      case 'base64':
        return base64Of(this, BASE64, true);
      case 'base64url':
        return base64Of(this, BASE64URL, false);
    }
  }
}

const view = (bytes: Uint8Array): BrowserBuffer => new BrowserBuffer(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength);

/** Buffer's static side as the models call it: from, byteLength, concat (and a prototype without Node's latin1Slice). */
export const Buffer = {
  prototype: BrowserBuffer.prototype,
  from(value: string | ArrayBuffer | ArrayLike<number>, encodingOrOffset?: BufferEncoding | number, length?: number): BrowserBuffer {
    if (typeof value === 'string') return view(encode(value, (encodingOrOffset as BufferEncoding | undefined) ?? 'utf8'));
    if (value instanceof ArrayBuffer) {
      const offset = (encodingOrOffset as number | undefined) ?? 0;
      return new BrowserBuffer(value, offset, length ?? value.byteLength - offset);
    }
    // A copy, as Node's Buffer.from(arrayOrTypedArray) makes.
    return view(Uint8Array.from(value));
  },
  byteLength(text: string, encoding: BufferEncoding = 'utf8'): number {
    return encode(text, encoding).length;
  },
  concat(list: readonly Uint8Array[]): BrowserBuffer {
    const out = new BrowserBuffer(list.reduce((sum, part) => sum + part.length, 0));
    let at = 0;
    for (const part of list) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  },
};

function encode(text: string, encoding: BufferEncoding): Uint8Array {
  switch (encoding) {
    case 'latin1':
    case 'binary': {
      const out = new Uint8Array(text.length);
      for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
      return out;
    }
    case 'utf8':
    case 'utf-8':
      return utf8Encoder.encode(text);
    case 'base64':
    case 'base64url':
      return base64Bytes(text);
  }
}

function latin1Of(bytes: Uint8Array): string {
  let text = '';
  // Chunks keep fromCharCode's argument list well under engines' limits.
  for (let i = 0; i < bytes.length; i += 8192) text += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192) as unknown as number[]);
  return text;
}

function base64Of(bytes: Uint8Array, alphabet: string, pad: boolean): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const [a, b, c] = [bytes[i]!, bytes[i + 1], bytes[i + 2]];
    out += alphabet[a >> 2]! + alphabet[((a & 3) << 4) | ((b ?? 0) >> 4)]!;
    out += b === undefined ? (pad ? '==' : '') : alphabet[((b & 15) << 2) | ((c ?? 0) >> 6)]! + (c === undefined ? (pad ? '=' : '') : alphabet[c & 63]!);
  }
  return out;
}

/** Node's lenient decoder: skip what is not in either alphabet, stop at '=', drop a lone trailing sextet; it reads each UTF-16 unit's low byte. */
function base64Bytes(text: string): Uint8Array {
  const out: number[] = [];
  let bits = 0;
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i) & 0xff;
    if (code === 0x3d) break;
    const value = SIXBITS[code]!;
    if (value < 0) continue;
    bits = (bits << 6) | value;
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push((bits >> count) & 0xff);
    }
  }
  return Uint8Array.from(out);
}
