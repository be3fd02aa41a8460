/* line-reader - smtp_get() semantics: whole input, byte by byte, generated cut points */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { LineReader, type Line, type ReadOptions } from '../../../models/postfix/line-reader.js';

const commands: ReadOptions = { limit: 2048, detectBareLf: false, skipExcess: true };

/** Feed `chunks` one by one, collecting every record the reader yields. */
function readAll(chunks: readonly string[], options: ReadOptions = commands): Line[] {
  const reader = new LineReader();
  const lines: Line[] = [];
  for (const chunk of chunks) {
    reader.fill(chunk);
    for (let line = reader.next(options); line; line = reader.next(options)) lines.push(line);
  }
  return lines;
}

const cutAt = (text: string, cuts: readonly number[]) => {
  const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
  const pieces: string[] = [];
  let from = 0;
  for (const point of [...points, text.length]) {
    pieces.push(text.slice(from, point));
    from = point;
  }
  return pieces;
};

const session = 'EHLO front.example.test\r\nXCLIENT ADDR=127.0.0.1\r\nMAIL FROM:<a@b>\r\n';
const expected = ['EHLO front.example.test', 'XCLIENT ADDR=127.0.0.1', 'MAIL FROM:<a@b>'];

describe('LineReader', () => {
  it('reads CRLF records from whole input', () => {
    expect(readAll([session]).map((l) => l.text)).toEqual(expected);
  });

  it('reads the same records one byte at a time', () => {
    expect(readAll([...session]).map((l) => l.text)).toEqual(expected);
  });

  test.prop([fc.array(fc.nat(), { maxLength: 20 })])('reads the same records at any cut points', (cuts) => {
    expect(readAll(cutAt(session, cuts)).map((l) => l.text)).toEqual(expected);
  });

  it('keeps a partial line until its LF arrives, and shows it as unread input', () => {
    const reader = new LineReader();
    reader.fill('EHLO x\r\nMAI');
    expect(reader.next(commands)?.text).toBe('EHLO x');
    expect(reader.unread).toBe('MAI');
    expect(reader.next(commands)).toBeUndefined();
    reader.fill('L FROM:<>\r\n');
    expect(reader.next(commands)?.text).toBe('MAIL FROM:<>');
  });

  it('without bare-newline detection accepts LF and strips every CR before it', () => {
    expect(readAll(['NOOP\n', 'RSET\r\r\n'])).toEqual([
      { text: 'NOOP', complete: true, bareLf: false },
      { text: 'RSET', complete: true, bareLf: false },
    ]);
  });

  it('with detection flags a bare LF and strips exactly one CR of a CRLF', () => {
    const options = { ...commands, detectBareLf: true };
    expect(readAll(['NOOP\n', 'RSET\r\r\n'], options)).toEqual([
      { text: 'NOOP', complete: true, bareLf: true },
      { text: 'RSET\r', complete: true, bareLf: false },
    ]);
  });

  it('truncates an over-long command at the limit and skips the rest through LF', () => {
    const options = { ...commands, limit: 8 };
    expect(readAll(['NOOP 12345678901234\r\nQUIT\r\n'], options)).toEqual([
      { text: 'NOOP 123', complete: false, bareLf: false },
      { text: 'QUIT', complete: true, bareLf: false },
    ]);
  });

  it('repairs a CRLF split exactly at the limit (smtp_get case \'\\r\')', () => {
    const options = { ...commands, limit: 5 };
    expect(readAll(['NOOP\r', '\nQUIT\r\n'], options).map((l) => [l.text, l.complete])).toEqual([['NOOP', true], ['QUIT', true]]);
  });

  it('with bare-newline detection a CR LF split at the limit is a CR LF, not a bare LF', () => {
    const options = { ...commands, limit: 5, detectBareLf: true };
    expect(readAll(['NOOP\r', '\nQUIT\r\n'], options)).toEqual([
      { text: 'NOOP', complete: true, bareLf: false },
      { text: 'QUIT', complete: true, bareLf: false },
    ]);
  });

  it('returns an over-long DATA line piecewise when not skipping', () => {
    const options = { limit: 4, detectBareLf: false, skipExcess: false };
    expect(readAll(['abcdefghij\r\n'], options).map((l) => [l.text, l.complete])).toEqual([['abcd', false], ['efgh', false], ['ij', true]]);
  });

  test.prop([fc.string({ unit: 'binary-ascii', maxLength: 300 }), fc.array(fc.nat(), { maxLength: 10 }), fc.integer({ min: 2, max: 64 })])(
    'never loses or invents bytes in data mode, whatever the cuts and limit',
    (text, cuts, limit) => {
      const options = { limit, detectBareLf: false, skipExcess: false };
      // A final LF flushes whatever the reader still holds.
      const lines = readAll([...cutAt(text, cuts), '\n'], options);
      const rebuilt = lines.map((line) => line.text + (line.complete ? '\n' : '')).join('');
      // Records lose the CRs before their LF, nothing else.
      const normalise = (s: string) => s.replace(/\r+\n/g, '\n');
      expect(normalise(rebuilt)).toBe(normalise(text + '\n'));
    },
  );
});

describe('the limit, byte for byte (smtp_get_noexcept with a bound of `limit` bytes)', () => {
  const limit10 = (options: Partial<ReadOptions> = {}): ReadOptions => ({ limit: 10, detectBareLf: false, skipExcess: true, ...options });

  it('a record whose LF would be byte 11 is over-long, even when byte 10 ends the text', () => {
    expect(readAll(['abcdefghij\n'], limit10())).toEqual([{ text: 'abcdefghij', complete: false, bareLf: false }]);
    expect(readAll(['abcdefghi\n'], limit10())).toEqual([{ text: 'abcdefghi', complete: true, bareLf: false }]);
  });

  it('exactly `limit` bytes without LF are returned at once when not skipping (a DATA line piece)', () => {
    expect(readAll(['abcdefghij'], limit10({ detectBareLf: true, skipExcess: false }))).toEqual([{ text: 'abcdefghij', complete: false, bareLf: false }]);
  });

  it('a CR at the limit followed by anything but LF is no CR LF: the record is over-long and keeps the CR', () => {
    expect(readAll(['abcdefghi\rX\n', 'next\r\n'], limit10())).toEqual([
      { text: 'abcdefghi\r', complete: false, bareLf: false },
      { text: 'next', complete: true, bareLf: false },
    ]);
  });

  it('the excess of a truncated command is skipped through its LF even when that LF comes in a later read', () => {
    expect(readAll(['abcdefghijKLM', 'NOP\nnext\r\n'], limit10())).toEqual([
      { text: 'abcdefghij', complete: false, bareLf: false },
      { text: 'next', complete: true, bareLf: false },
    ]);
  });

  it('only trailing CRs are stripped; a CR inside the text stays', () => {
    expect(readAll(['a\rb\r\r\n'])).toEqual([{ text: 'a\rb', complete: true, bareLf: false }]);
  });

  it('take() hands out exactly the bytes asked for and keeps the rest (BDAT chunks)', () => {
    const reader = new LineReader();
    reader.fill('abcdef');
    expect(reader.take(3)).toBe('abc');
    expect(reader.take(10)).toBe('def');
  });
});
