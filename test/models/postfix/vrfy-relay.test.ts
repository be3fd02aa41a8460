/* vrfy-relay - VRFY's smtpd_check_rcpt(): the relay restrictions judge the address as at RCPT
 *
 * Postfix v3.9.0 (the same at v3.5.0 and v3.10.13) smtpd.c vrfy_cmd(): after extract_addr(),
 * smtpd_check_rcpt(state, STR(state->addr_buf)); a refusal is the reply, logged by
 * smtpd_check.c log_whatsup() as "NOQUEUE: reject: VRFY from <client>: <reply>; to=<address>
 * proto=... helo=<...>" (from=<sender> inside a transaction).
 */
import { describe, expect, it } from 'vitest';
import { lockstep, talk } from './talk.js';

const OUTSIDE = '203.0.113.9';
const PLAIN = 'AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABzZWNyZXQ=\r\n';
const vrfy = (lines: readonly string[], from = OUTSIDE, config = {}) => {
  const conv = talk(config, lockstep(['EHLO lab\r\n', ...lines, 'QUIT\r\n']), from);
  return { reply: conv.replies.at(-2), logLines: conv.logLines };
};

describe('VRFY and the relay restrictions', () => {
  it('an outside client that has not logged in: another domain is refused (reject_unauth_destination) or deferred (defer_unauth_destination), logged with to=', () => {
    const refused = vrfy(['VRFY <x@elsewhere.test>\r\n']);
    expect(refused.reply).toBe('554 5.7.1 <x@elsewhere.test>: Relay access denied');
    expect(refused.logLines).toContain(`NOQUEUE: reject: VRFY from unknown[${OUTSIDE}]: 554 5.7.1 <x@elsewhere.test>: Relay access denied; to=<x@elsewhere.test> proto=ESMTP helo=<lab>`);
    const deferred = vrfy(['VRFY x@elsewhere.test\r\n'], OUTSIDE, { smtpd_relay_restrictions: ['permit_mynetworks', 'permit_sasl_authenticated', 'defer_unauth_destination'] });
    expect(deferred.reply).toBe('454 4.7.1 <x@elsewhere.test>: Relay access denied');
  });

  it('inside a transaction the log names the sender too', () => {
    const conv = vrfy(['MAIL FROM:<a@example.test>\r\n', 'VRFY x@elsewhere.test\r\n']);
    expect(conv.logLines).toContain(`NOQUEUE: reject: VRFY from unknown[${OUTSIDE}]: 554 5.7.1 <x@elsewhere.test>: Relay access denied; from=<a@example.test> to=<x@elsewhere.test> proto=ESMTP helo=<lab>`);
  });

  it('the same address is 252 for a client in mynetworks and after a login; a domain of its own is 252 for anyone', () => {
    expect(vrfy(['VRFY x@elsewhere.test\r\n'], '127.0.0.1').reply).toBe('252 2.0.0 x@elsewhere.test');
    expect(vrfy([PLAIN, 'VRFY x@elsewhere.test\r\n']).reply).toBe('252 2.0.0 x@elsewhere.test');
    expect(vrfy(['VRFY x@example.test\r\n']).reply).toBe('252 2.0.0 x@example.test');
  });
});

describe("VRFY's address is the addr-spec, without a phrase around it (tok822_internalize())", () => {
  it('John Smith <x@elsewhere.test> is judged as x@elsewhere.test, and echoed whole when allowed', () => {
    expect(vrfy(['VRFY John Smith <x@elsewhere.test>\r\n']).reply).toBe('554 5.7.1 <x@elsewhere.test>: Relay access denied');
    expect(vrfy(['VRFY John Smith <x@example.test>\r\n']).reply).toBe('252 2.0.0 John Smith <x@example.test>');
  });
});

// smtpd.c extract_addr() (v3.7.11) tests the internal form: "STR(state->addr_buf)[0] == 0 && !allow_empty_addr",
// and vrfy_cmd() passes REJECT_EMPTY_ADDR; "" is one address form whose internal form is empty.
describe('VRFY of an empty address', () => {
  it('VRFY "", <> and <""> are 501 5.1.3 with the warning', () => {
    for (const argument of ['""', '<>', '<"">']) {
      const conv = vrfy([`VRFY ${argument}\r\n`], '127.0.0.1');
      expect(conv.reply, argument).toBe('501 5.1.3 Bad recipient address syntax');
      expect(conv.logLines, argument).toContain(`warning: Illegal address syntax from localhost[127.0.0.1] in VRFY command: ${argument}`);
    }
  });
});
