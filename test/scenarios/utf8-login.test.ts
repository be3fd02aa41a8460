/* utf8-login - a login outside ASCII logs in through each Mailu front, end to end
 *
 * nginx sends a UTF-8 login to the auth server as its raw bytes (NGX_ESCAPE_MAIL_AUTH escapes only
 * 0x00-0x20 and '%'), and Mailu 2.0's nginx.py decodes them back (.encode("iso8859-1").decode("utf8")
 * after unquote); Mailu 2024.06's login.lua sends them raw to the same code.
 */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../scenarios/load.ts';
import { runScenario } from '../../scenarios/run.ts';

const USER = '¡@example.test';
/** Postfix keeps the login as bytes (its records are octets): the UTF-8 bytes, one character each. */
const USER_BYTES = Buffer.from(USER, 'utf8').toString('latin1');

describe('a UTF-8 login', () => {
  for (const [scenario, mechanism] of [['mailu-2.0', 'PLAIN'], ['mailu-2.0', 'LOGIN'], ['mailu-2024.06-pr3322', 'PLAIN']] as const) {
    it(`gets 235 and its mail queued under its own name on ${scenario} (AUTH ${mechanism})`, () => {
      const report = runScenario(loadScenario({ scenario, sets: [`client.user=${USER}`, `client.auth=${mechanism}`] }), { seed: 1 });
      expect(report.client.authReply).toMatch(/^235 /);
      expect(report.queue.map((message) => message.saslUser)).toEqual([USER_BYTES]);
    });
  }
});
