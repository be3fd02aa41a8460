/* segments - the fixture parser on real capture files and on Python bytes reprs */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RECORDS_DIR } from '../../../conformance/records-dir.ts';
import { decodePythonBytesRepr, parseSegments } from './segments.js';


describe('segments fixture parser', () => {
  it('parses every recorded capture, checking each payload against its len=', () => {
    const files = readdirSync(RECORDS_DIR).filter((f) => f.endsWith('.segments.txt'));
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const file of files) expect(parseSegments(readFileSync(join(RECORDS_DIR, file), 'latin1')).length).toBeGreaterThan(10);
  });

  it('reads times, streams, directions, flags and payloads', () => {
    const [seg] = parseSegments("  0.121976 s1   dovecot->postfix  AP     len=6    'QUIT\\r\\n'\n");
    expect(seg).toEqual({ timeUs: 121_976, stream: 1, from: 'dovecot', to: 'postfix', flags: 'AP', data: 'QUIT\r\n' });
  });

  it('decodes Python escapes and either quote', () => {
    expect(decodePythonBytesRepr("'a\\\\b\\'c\\x00\\xff\\t'")).toBe("a\\b'c\x00\xff\t");
    expect(decodePythonBytesRepr('"it\'s"')).toBe("it's");
  });

  it('rejects lines it cannot read instead of guessing', () => {
    expect(() => parseSegments('garbage\n')).toThrow(/unparsable/);
    expect(() => parseSegments("  0.1 s1 a->b AP len=3 'ab'\n")).toThrow(/unparsable|length/);
  });
});
