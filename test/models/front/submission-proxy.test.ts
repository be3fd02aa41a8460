/* submission-proxy - the backend handshake, one reply line at a time, as submission_proxy_parse_line() reads it
 *
 * dovecot/core src/submission-login/submission-proxy.c (2.3.17 .. HEAD):
 *  - a line is valid when line[3] is ' ' or '-' and str_parse_uint() reads a status in 200..559;
 *    str_parse_uint() reads every leading digit, so "250x" has status 250 and is merely invalid;
 *  - while a multi-line reply is open (proxy_reply_status != 0) a line with another status fails
 *    PROTOCOL "Inconsistent SMTP reply: <line> (status != <open status>)";
 *  - BANNER wants 220, EHLO and XCLIENT want 2xx; anything else fails with "Invalid banner",
 *    "Invalid EHLO line" (PROTOCOL) or "XCLIENT failed" (REMOTE in 2.3, REMOTE_CONFIG in 2.4);
 *  - an EHLO line whose text starts with "XCLIENT " (strncasecmp) lists the attributes, split on
 *    spaces (t_strsplit_spaces: runs of spaces give no empty attribute);
 *  - reasons carry the line through str_sanitize(line, 160) (lib/str-sanitize.c): bytes below 32
 *    become '?' (DEL stays), a line longer than 160 bytes is cut to 157 and "...".
 */
import { describe, expect, it } from 'vitest';
import { SEQUENCING, SubmissionProxyHandshake, type HandshakeStep, type SequencingPolicy } from '../../../models/front/submission-proxy.ts';

const values = { helo: 'client.example.test', proto: 'ESMTP' as const, login: 'alice@example.test', ttl: 4, port: 34202, addr: '203.0.113.25', destination: null, session: 's1' };
const XCLIENT = 'XCLIENT HELO=client.example.test PROTO=ESMTP LOGIN=alice@example.test PORT=34202 ADDR=203.0.113.25\r\n';
const EHLO = 'EHLO front.example.test\r\n';
const EHLO_REPLY = ['250-backend.example.test', '250-PIPELINING', '250-XCLIENT NAME ADDR PROTO HELO REVERSE_NAME PORT LOGIN', '250 SMTPUTF8'];

/** Feeds reply lines in order and returns the steps of each line. */
function feed(policy: SequencingPolicy, lines: readonly string[], xclientValues = values): { handshake: SubmissionProxyHandshake; steps: HandshakeStep[][] } {
  const handshake = new SubmissionProxyHandshake(policy, 'front.example.test', xclientValues);
  return { handshake, steps: lines.map((line) => handshake.parseLine(line)) };
}

const write = (text: string): HandshakeStep => ({ kind: 'write', text });
const fail = (steps: HandshakeStep[][]) => steps.at(-1)?.find((s) => s.kind === 'fail');

describe('the handshake the sequencing policy decides', () => {
  it('dovecot-2.3 writes XCLIENT and, a moment later in the same turn, EHLO; the XCLIENT reply only moves it on', () => {
    const { handshake, steps } = feed(SEQUENCING['dovecot-2.3'], ['220 backend ESMTP', ...EHLO_REPLY, '220 2.0.0 Ok']);
    expect(steps[0]).toEqual([write(EHLO)]);
    expect(steps.slice(1, 4)).toEqual([[], [], []]);
    expect(steps[4]).toEqual([write(XCLIENT), { kind: 'writeAfterGap', text: EHLO }]);
    expect(steps[5]).toEqual([]);
    expect(handshake.state).toBe('xclient-ehlo');
  });

  it('dovecot-2.4 sequences the handshake as 2.3 does (only its XCLIENT failure type differs)', () => {
    expect(feed(SEQUENCING['dovecot-2.4'], ['220 backend ESMTP', ...EHLO_REPLY]).steps[4]).toEqual([write(XCLIENT), { kind: 'writeAfterGap', text: EHLO }]);
  });

  it('lockstep writes EHLO only once the XCLIENT reply is complete, and logs in after the second EHLO reply', () => {
    const { handshake, steps } = feed(SEQUENCING.lockstep, ['220 backend ESMTP', ...EHLO_REPLY, '220-2.0.0 first', '220 2.0.0 Ok']);
    expect(steps[4]).toEqual([write(XCLIENT)]);
    expect(handshake.state).toBe('xclient-ehlo');
    expect(steps[5]).toEqual([]);
    expect(steps[6]).toEqual([write(EHLO)]);
    expect(handshake.parseLine('250-backend.example.test')).toEqual([]);
    expect(handshake.parseLine('250 SMTPUTF8')).toEqual([{ kind: 'loggedIn' }]);
  });

  it('lockstep sends a split XCLIENT part by part, each after its own reply, then EHLO', () => {
    const login = `${'l'.repeat(430)}@example.test`; // the line passes 512 bytes at ADDR
    const { handshake, steps } = feed(SEQUENCING.lockstep, ['220 backend ESMTP', ...EHLO_REPLY, '220 2.0.0 Ok', '220 2.0.0 Ok'], { ...values, login });
    expect(steps[4]).toEqual([write(`XCLIENT HELO=client.example.test PROTO=ESMTP LOGIN=${login} PORT=34202`), write('\r\n')]);
    expect(steps[5]).toEqual([write('XCLIENT ADDR=203.0.113.25\r\n')]);
    expect(steps[6]).toEqual([write(EHLO)]);
    expect(handshake.state).toBe('xclient-ehlo');
  });

  it('dovecot-2.3 sends every part at once and waits for as many replies as parts before the EHLO reply', () => {
    const login = `${'l'.repeat(430)}@example.test`; // the line passes 512 bytes at ADDR
    const { handshake, steps } = feed(SEQUENCING['dovecot-2.3'], ['220 backend ESMTP', ...EHLO_REPLY, '220 2.0.0 Ok'], { ...values, login });
    expect(steps[4]?.map((s) => s.kind)).toEqual(['write', 'write', 'write', 'writeAfterGap']);
    expect(handshake.state).toBe('xclient');
    expect(handshake.parseLine('220 2.0.0 Ok')).toEqual([]);
    expect(handshake.state).toBe('xclient-ehlo');
  });

  it('without XCLIENT in the EHLO reply the login is complete at once (proxy_noauth)', () => {
    const { steps } = feed(SEQUENCING['dovecot-2.3'], ['220 backend ESMTP', '250-backend.example.test', '250 PIPELINING']);
    expect(steps[2]).toEqual([{ kind: 'loggedIn' }]);
  });
});

describe('reply lines as submission_proxy_parse_line() reads them', () => {
  it('a multi-line banner is answered after its last line only', () => {
    const { steps } = feed(SEQUENCING['dovecot-2.3'], ['220-backend ESMTP', '220 ready']);
    expect(steps).toEqual([[], [write(EHLO)]]);
  });

  it('a banner other than 220 fails PROTOCOL with the line in the reason', () => {
    const { steps } = feed(SEQUENCING['dovecot-2.3'], ['554 5.7.1 no service']);
    expect(steps[0]).toEqual([{ kind: 'fail', type: 'PROTOCOL', reason: 'Invalid banner: 554 5.7.1 no service' }]);
  });

  it('a line whose status changes inside a multi-line reply is inconsistent', () => {
    const { steps } = feed(SEQUENCING['dovecot-2.3'], ['220 backend ESMTP', '250-backend.example.test', '251 other']);
    expect(fail(steps)).toEqual({ kind: 'fail', type: 'PROTOCOL', reason: 'Inconsistent SMTP reply: 251 other (status != 250)' });
  });

  it('"250x" keeps the status 250 (str_parse_uint reads the digits) and is an invalid EHLO line, not an inconsistent one', () => {
    const { steps } = feed(SEQUENCING['dovecot-2.3'], ['220 backend ESMTP', '250-backend.example.test', '250xPIPELINING']);
    expect(fail(steps)).toEqual({ kind: 'fail', type: 'PROTOCOL', reason: 'Invalid EHLO line: 250xPIPELINING' });
  });

  it('a line with no separator after its three digits is invalid, whatever follows ("250", "2500 x")', () => {
    // line[3] is neither ' ' nor '-' (the NUL of "250", the '0' of "2500 x"): invalid_line, so the EHLO step fails.
    expect(fail(feed(SEQUENCING['dovecot-2.3'], ['220 ok', '250']).steps)?.reason).toBe('Invalid EHLO line: 250');
    expect(fail(feed(SEQUENCING['dovecot-2.3'], ['220 ok', '2500 x']).steps)?.reason).toBe('Invalid EHLO line: 2500 x');
  });

  it('a line without three digits before the separator is invalid', () => {
    expect(fail(feed(SEQUENCING['dovecot-2.3'], ['22 ready']).steps)?.reason).toBe('Invalid banner: 22 ready');
    expect(fail(feed(SEQUENCING['dovecot-2.3'], ['220 ok', '25 x']).steps)?.reason).toBe('Invalid EHLO line: 25 x');
  });

  it('a separator at line[3] after fewer than three digits is still invalid: "2e2 ok" is status 2, not 200', () => {
    // line[3] is ' ', so only str_parse_uint() (lib/strnum.c: decimal digits, stops at 'e') decides:
    // status 2 < 200 is invalid_line. Reading the three bytes as a number in any other notation would make it 200, a valid 2xx.
    expect(fail(feed(SEQUENCING['dovecot-2.3'], ['220 ok', '2e2 ok']).steps)?.reason).toBe('Invalid EHLO line: 2e2 ok');
  });

  it('digits end at the first non-digit, whichever side of "0".."9" it lies: "250/x" is 250 and invalid, not inconsistent', () => {
    const { steps } = feed(SEQUENCING['dovecot-2.3'], ['220 backend ESMTP', '250-backend.example.test', '250/x']);
    expect(fail(steps)?.reason).toBe('Invalid EHLO line: 250/x');
  });

  it('any 2xx ends the EHLO reply (status / 100 == 2), 200 and 299 as well as 250', () => {
    expect(feed(SEQUENCING['dovecot-2.3'], ['220 backend ESMTP', '200 fine']).steps[1]).toEqual([{ kind: 'loggedIn' }]);
    expect(feed(SEQUENCING['dovecot-2.3'], ['220 backend ESMTP', '299 fine']).steps[1]).toEqual([{ kind: 'loggedIn' }]);
  });

  it('an EHLO reply that is not 2xx fails PROTOCOL', () => {
    const { steps } = feed(SEQUENCING['dovecot-2.3'], ['220 backend ESMTP', '421 4.3.2 Service shutting down']);
    expect(fail(steps)).toEqual({ kind: 'fail', type: 'PROTOCOL', reason: 'Invalid EHLO line: 421 4.3.2 Service shutting down' });
  });

  it('an XCLIENT refusal is REMOTE in 2.3 and REMOTE_CONFIG in 2.4 (e4fd6e2fbb), as is an invalid XCLIENT reply line', () => {
    const refused = ['220 backend ESMTP', ...EHLO_REPLY, '550 5.7.0 Error: insufficient authorization'];
    expect(fail(feed(SEQUENCING['dovecot-2.3'], refused).steps)).toEqual({ kind: 'fail', type: 'REMOTE', reason: 'XCLIENT failed: 550 5.7.0 Error: insufficient authorization' });
    expect(fail(feed(SEQUENCING['dovecot-2.4'], refused).steps)?.type).toBe('REMOTE_CONFIG');
    expect(fail(feed(SEQUENCING['dovecot-2.3'], ['220 backend ESMTP', ...EHLO_REPLY, '220xOk']).steps)?.reason).toBe('XCLIENT failed: 220xOk');
  });

  it('a multi-line XCLIENT reply completes on its last line', () => {
    const { handshake, steps } = feed(SEQUENCING['dovecot-2.3'], ['220 backend ESMTP', ...EHLO_REPLY, '220-2.0.0 first']);
    expect(steps.at(-1)).toEqual([]);
    expect(handshake.state).toBe('xclient');
  });

  it('XCLIENT is recognised case-insensitively, only as a whole word followed by a space, with runs of spaces ignored', () => {
    const attributesOf = (line: string) => feed(SEQUENCING['dovecot-2.3'], ['220 ok', `250-${line}`, '250 SMTPUTF8']).steps[2];
    expect(attributesOf('xclient  ADDR   LOGIN')).toEqual([write('XCLIENT LOGIN=alice@example.test ADDR=203.0.113.25\r\n'), { kind: 'writeAfterGap', text: EHLO }]);
    expect(attributesOf('XCLIENTS ADDR LOGIN')).toEqual([{ kind: 'loggedIn' }]);
    expect(attributesOf('XCLIENT')).toEqual([{ kind: 'loggedIn' }]);
    // "XCLIENT " with no attribute is still XCLIENT: Dovecot sends a bare XCLIENT and waits for its reply.
    expect(attributesOf('XCLIENT ')).toEqual([write('XCLIENT\r\n'), { kind: 'writeAfterGap', text: EHLO }]);
    expect(attributesOf('XCLIEN ADDR LOGIN')).toEqual([{ kind: 'loggedIn' }]);
    expect(attributesOf('XCLIENX ADDR LOGIN')).toEqual([{ kind: 'loggedIn' }]);
  });

  it('reasons pass through str_sanitize(line, 160): control bytes become "?", longer lines end in "..."', () => {
    expect(fail(feed(SEQUENCING['dovecot-2.3'], ['554 bad\tbanner\x01']).steps)?.reason).toBe('Invalid banner: 554 bad?banner?');
    // str_sanitize_append() tests `< 32` only: DEL (0x7f) is printed as it came.
    expect(fail(feed(SEQUENCING['dovecot-2.3'], ['554 del\x7f']).steps)?.reason).toBe('Invalid banner: 554 del\x7f');
    const exactly160 = `554 ${'x'.repeat(156)}`;
    expect(fail(feed(SEQUENCING['dovecot-2.3'], [exactly160]).steps)?.reason).toBe(`Invalid banner: ${exactly160}`);
    const longer = `554 ${'x'.repeat(157)}`;
    expect(fail(feed(SEQUENCING['dovecot-2.3'], [longer]).steps)?.reason).toBe(`Invalid banner: ${longer.slice(0, 157)}...`);
  });
});
