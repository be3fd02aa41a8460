/* utf8-login - a login outside ASCII through each Mailu front, end to end
 *
 * nginx sends a UTF-8 login to the auth server as its raw bytes (NGX_ESCAPE_MAIL_AUTH escapes only
 * 0x00-0x20 and '%'), and Mailu 2.0's nginx.py decodes them back (.encode("iso8859-1").decode("utf8")
 * after unquote), so the account is found. But its answer carries `Auth-User: <user_email>`, which
 * gunicorn writes in Latin-1 (gunicorn/http/wsgi.py send_headers: to_bytestring(header_str, "latin-1")),
 * and nginx takes it as the login (ngx_mail_auth_http_process_headers) for XCLIENT LOGIN=: '¡' reaches
 * Postfix as the one byte 0xA1, no UTF-8, and smtpd (smtputf8_enable = yes at compatibility_level 3.6)
 * refuses the whole XCLIENT line, "500 5.5.2 Error: bad UTF-8 syntax", which Mailu's
 * proxy_pass_error_message hands to the client as the AUTH reply. Mailu 2024.06's Dovecot front passes
 * the login through as it came.
 */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../scenarios/load.ts';
import { runScenario } from '../../scenarios/run.ts';

const USER = '¡@example.test';
/** Postfix keeps the login as bytes (its records are octets): the UTF-8 bytes, one character each. */
const USER_BYTES = Buffer.from(USER, 'utf8').toString('latin1');

function loginAs(scenario: string, mechanism: string) {
  return runScenario(loadScenario({ scenario, sets: [`client.user=${USER}`, `client.auth=${mechanism}`] }), { seed: 1, trace: true });
}

describe('a UTF-8 login', () => {
  for (const mechanism of ['PLAIN', 'LOGIN']) {
    it(`is refused on mailu-2.0 (AUTH ${mechanism}): Mailu's Latin-1 Auth-User goes to Postfix as XCLIENT LOGIN=, which is no UTF-8`, () => {
      const report = loginAs('mailu-2.0', mechanism);
      const xclient = (report.trace ?? []).flatMap((event) => (event.kind === 'write' && typeof event.data === 'string' && event.data.startsWith('XCLIENT') ? [event.data] : []));
      expect(xclient).toEqual(['XCLIENT ADDR=203.0.113.25 LOGIN=\xa1@example.test NAME=[UNAVAILABLE]\r\n']);
      expect(report.client.authReply).toBe('500 5.5.2 Error: bad UTF-8 syntax');
      expect(report.queue).toEqual([]);
    });
  }

  it('gets 235 and its mail queued under its own name on mailu-2024.06-pr3322 (Dovecot front, AUTH PLAIN)', () => {
    const report = loginAs('mailu-2024.06-pr3322', 'PLAIN');
    expect(report.client.authReply).toMatch(/^235 /);
    expect(report.queue.map((message) => message.saslUser)).toEqual([USER_BYTES]);
  });
});
