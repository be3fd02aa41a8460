/* nginx-commands - the client side of the nginx mail proxy before auth_http: max_errors and the AUTH line
 *
 * nginx/nginx src/mail/ngx_mail_handler.c ngx_mail_read_command() (s->errors, max_errors, "client
 * sent too many invalid commands"), src/mail/ngx_mail_parse.c ngx_mail_smtp_parse_command() (what
 * the parser refuses), src/mail/ngx_mail_smtp_module.c (the AUTH methods in bitmask order).
 */
import { describe, expect, test } from 'vitest';
import { mailuNginxConfig, type NginxFrontConfig } from '../../../models/front/config.ts';
import { NginxFront } from '../../../models/front/nginx-front.ts';
import { refusedByParser } from '../../../models/front/nginx-smtp-parse.ts';
import { DirectDriver } from './direct-driver.ts';

const CLIENT = 'client1';
const INVALID = '500 5.5.1 Invalid command\r\n';

function nginx(config: Partial<NginxFrontConfig> = {}): DirectDriver {
  const driver = new DirectDriver(new NginxFront({ ...mailuNginxConfig, ...config }));
  driver.input({ kind: 'accepted', conn: CLIENT, local: { host: '127.0.0.1', port: 587 }, remote: { host: '203.0.113.25', port: 40000 } });
  return driver.advanceBy(1_000);
}

const closed = (driver: DirectDriver) => driver.of('close').some((o) => o.output.conn === CLIENT);
const logs = (driver: DirectDriver) => driver.of('log').map((o) => o.output.line);

describe('nginx max_errors (default 5, since 1.21.0)', () => {
  test('the fifth line the parser refuses gets its 500, the log line, and the connection closes', () => {
    const driver = nginx();
    for (let i = 1; i <= 4; i++) driver.bytes(CLIENT, `BOGUS${i}\r\n`).advanceBy(1_000);
    expect(driver.writes(CLIENT).filter((w) => w === INVALID)).toHaveLength(4);
    expect(closed(driver)).toBe(false);
    driver.bytes(CLIENT, 'BOGUS5\r\n').advanceBy(1_000);
    expect(driver.writes(CLIENT).filter((w) => w === INVALID)).toHaveLength(5);
    expect(logs(driver)).toEqual(['[info] client sent too many invalid commands while in auth state, client: 203.0.113.25, server: 127.0.0.1:587']);
    // ngx_mail_read_command() logs it, then ngx_mail_smtp_auth_state() sends the 500 and closes (s->quit)
    expect(driver.outputs.filter((o) => o.output.kind !== 'timer').slice(-3).map((o) => o.output.kind)).toEqual(['log', 'write', 'close']);
    expect(closed(driver)).toBe(true);
  });

  test('refusals after the parser (VRFY, HELP, a bad AUTH mechanism) get 500 but are not counted', () => {
    const driver = nginx({ max_errors: 2 });
    for (const line of ['VRFY bob', 'HELP', 'AUTH CRAM-MD5', 'EXPN list', 'VRFY carol']) driver.bytes(CLIENT, `${line}\r\n`).advanceBy(1_000);
    expect(driver.writes(CLIENT).filter((w) => w === INVALID)).toHaveLength(5);
    expect(closed(driver)).toBe(false);
  });

  test('pipelined invalid lines in one segment are counted one by one up to the limit', () => {
    const driver = nginx({ max_errors: 3 });
    driver.bytes(CLIENT, 'X1\r\nX2\r\nX3\r\nX4\r\n').advanceBy(1_000);
    expect(driver.writes(CLIENT).filter((w) => w === INVALID)).toHaveLength(3);
    expect(closed(driver)).toBe(true);
  });

  test('valid commands in between do not reset the count', () => {
    const driver = nginx({ max_errors: 2 });
    driver.bytes(CLIENT, 'X1\r\nNOOP\r\nEHLO c.example\r\nX2\r\n').advanceBy(1_000);
    expect(closed(driver)).toBe(true);
  });
});

describe('what ngx_mail_smtp_parse_command refuses', () => {
  test.each([
    ['BOGUS', 'command', true],
    ['', 'command', true],
    [' EHLO x', 'command', true],
    ['MA1L FROM:<a@b>', 'command', true],
    ['EHLO\tx', 'command', true],
    ['EHLO x\ry', 'command', true],
    ['vrfy bob', 'command', false],
    ['starttls', 'command', false],
    [`MAIL ${Array(11).fill('a').join(' ')}`, 'command', false],
    [`MAIL ${Array(12).fill('a').join(' ')}`, 'command', true],
    ['dXNlcg==', 'argument', false],
    ['not base64 at all', 'argument', false],
  ] as const)('%j as a %s: refused %s', (line, expect_, refused) => {
    expect(refusedByParser(line, expect_)).toBe(refused);
  });
});

describe('the AUTH line follows nginx bitmask order, not the smtp_auth order', () => {
  for (const smtp_auth of [['login', 'plain'], ['plain', 'login']] as const) {
    test(`smtp_auth ${smtp_auth.join(' ')}: 250 AUTH PLAIN LOGIN`, () => {
      const driver = nginx({ smtp_auth });
      driver.bytes(CLIENT, 'EHLO client.example.test\r\n').advanceBy(1_000);
      expect(driver.writes(CLIENT).join('')).toContain('250 AUTH PLAIN LOGIN\r\n');
    });
  }
});
