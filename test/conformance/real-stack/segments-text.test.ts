/* segments-text - tshark's fields become the records' segments.txt lines, byte for byte */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { RECORDED_PORTS } from '../../../conformance/real-stack/config.ts';
import { pythonBytesLiteral, segmentLine } from '../../../conformance/real-stack/segments-text.ts';
import { RECORDS_DIR } from '../../../conformance/records-dir.ts';
import { decodePythonBytesRepr } from '../../models/postfix/segments.ts';

const recorded = readFileSync(join(RECORDS_DIR, 'E1-slowxclient-forbid-yes-default-plain.segments.txt'), 'latin1').split('\n');
const hex = (text: string) => Buffer.from(text, 'latin1').toString('hex');

describe('segmentLine', () => {
  it.each([
    ['a SYN from the client', `0.000000000|0|48424|${RECORDED_PORTS.dovecot}|··········S·|0|`, recorded[0]],
    ['Dovecot\'s banner to the client', `0.007699000|0|${RECORDED_PORTS.dovecot}|48424|·······AP···|48|${hex('220 front.example.test Dovecot (Debian) ready.\r\n')}`, recorded[3]],
    ['Dovecot\'s XCLIENT to Postfix', `0.122876000|1|40522|${RECORDED_PORTS.postfix}|·······AP···|97|${hex('XCLIENT HELO=client.example.test PROTO=ESMTP LOGIN=alice@example.test PORT=48428 ADDR=127.0.0.1\r\n')}`,
      recorded.find((line) => line.includes("s1   dovecot->postfix  AP     len=97   'XCLIENT"))],
  ])('%s is the recorded line', (_what, fields, line) => {
    expect(segmentLine(fields, RECORDED_PORTS)).toBe(line);
  });

  it('reads the colon-separated payload of other tshark versions', () => {
    expect(segmentLine(`1.5|2|${RECORDED_PORTS.postfix}|40000|·······AP···|2|4f:4b`, RECORDED_PORTS)).toBe("  1.500000 s2   postfix->dovecot  AP     len=2    'OK'");
  });
});

describe('pythonBytesLiteral', () => {
  it.each([
    ['plain text', 'EHLO x\r\n', "'EHLO x\\r\\n'"],
    ['a single quote: Python switches to double quotes', "it's", '"it\'s"'],
    ['both quotes: single quotes, the single one escaped', `it's "x"`, `'it\\'s "x"'`],
    ['backslash, tab, control and high bytes', 'a\\b\t\x00\xff', "'a\\\\b\\t\\x00\\xff'"],
  ])('%s', (_what, text, literal) => {
    expect(pythonBytesLiteral(Buffer.from(text, 'latin1'))).toBe(literal);
  });

  test.prop([fc.uint8Array({ maxLength: 200 })])('the records\' reader reads every literal back to its bytes', (bytes) => {
    expect(decodePythonBytesRepr(pythonBytesLiteral(bytes))).toBe(Buffer.from(bytes).toString('latin1'));
  });
});
