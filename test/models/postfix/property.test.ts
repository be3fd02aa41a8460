/* property - arbitrary input never breaks the model; cut points never change the answers */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { labPreset } from '../../../models/postfix/config.js';
import { talk, type ScriptStep } from './talk.js';

const smtpWords = fc.constantFrom(
  'EHLO x\r\n', 'HELO x\r\n', 'XCLIENT ADDR=127.0.0.1\r\n', 'XCLIENT LOGIN=a+40b ADDR=IPV6:::1\r\n', 'MAIL FROM:<a@b>\r\n',
  'RCPT TO:<c@d>\r\n', 'DATA\r\n', '.\r\n', 'BDAT 3\r\n', 'BDAT 0 LAST\r\n', 'AUTH PLAIN\r\n', 'AUTH LOGIN\r\n', '*\r\n',
  'RSET\r\n', 'NOOP\r\n', 'STARTTLS\r\n', 'QUIT\r\n', '\n', '\r', 'x'.repeat(3000),
);
const chunk = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), smtpWords, fc.array(smtpWords, { maxLength: 5 }).map((w) => w.join('')));

describe('robustness', () => {
  test.prop([fc.array(fc.tuple(fc.nat(400_000), chunk), { maxLength: 12 }), fc.boolean(), fc.boolean()], { numRuns: 300 })(
    'arbitrary bytes at arbitrary times: never throws, always ends with a reply and a close',
    (steps, withEof, forbid) => {
      let t = 0;
      const script: ScriptStep[] = steps.map(([gap, data]) => [(t += gap), Buffer.from(data, 'latin1').toString('latin1')] as const);
      if (withEof) script.push([t + 1_000, 'EOF']);
      const conv = talk(labPreset({ smtpd_forbid_unauth_pipelining: forbid, smtpd_timeout: 30 }), script);
      expect(conv.closed.has('c')).toBe(true);
      expect(conv.replies.length).toBeGreaterThan(0);
      expect(conv.logLines.at(-1)).toMatch(/^disconnect from \S+ .*commands=\d+/);
    },
  );
});

describe('cut points do not change the conversation', () => {
  const transcript = [
    'EHLO front.example.test\r\n', 'XCLIENT HELO=c PROTO=ESMTP LOGIN=alice@example.test ADDR=127.0.0.1\r\n', 'EHLO front.example.test\r\n',
    'MAIL FROM:<alice@example.test>\r\n', 'RCPT TO:<bob@example.test>\r\n', 'DATA\r\n', 'Subject: x\r\n\r\n..dot\r\n.\r\n', 'QUIT\r\n',
  ].join('');
  const normalise = (text: string) => text.replace(/queued as [0-9A-F]+/, 'queued as QID');
  // Taken inside the tests (once), not while collecting: work done outside a test belongs to no
  // test, and `npm run mutation` would then rerun every test for every mutant it reaches.
  let reference: string | undefined;
  const referenceOutput = () => (reference ??= normalise(talk(labPreset({ smtpd_forbid_unauth_pipelining: false }), [[200_000, transcript]]).output));

  test.prop([fc.array(fc.tuple(fc.nat(transcript.length), fc.nat(50_000)), { maxLength: 30 })])(
    'with forbid=no the replies are the same however the bytes are split and spaced',
    (cuts) => {
      const points = [...new Set(cuts.map(([at]) => at))].sort((a, b) => a - b);
      let from = 0;
      let t = 200_000;
      const script: ScriptStep[] = [];
      [...points, transcript.length].forEach((point, i) => {
        if (point > from) script.push([(t += cuts[i]?.[1] ?? 0), transcript.slice(from, point)]);
        from = Math.max(from, point);
      });
      const conv = talk(labPreset({ smtpd_forbid_unauth_pipelining: false }), script);
      expect(normalise(conv.output)).toBe(referenceOutput());
    },
  );

  test.prop([fc.integer({ min: 1, max: 20 })])('one byte at a time gives the same replies', (gapUs) => {
    const script: ScriptStep[] = [...transcript].map((byte, i) => [200_000 + i * gapUs, byte] as const);
    expect(normalise(talk(labPreset({ smtpd_forbid_unauth_pipelining: false }), script).output)).toBe(referenceOutput());
  });
});
