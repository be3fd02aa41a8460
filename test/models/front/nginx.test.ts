/* nginx - the nginx mail proxy model (Mailu's port 25: smtp_auth none, xclient on, proxy_pass_error_message on)
 *
 * nginx/nginx src/mail/ngx_mail_proxy_module.c: lock-step handshake, one command per complete reply;
 * ngx_mail_smtp_handler.c: MAIL answered locally, RCPT starts auth_http; errors as ngx_mail_proxy_module.c
 * (proxy_pass_error_message) and the auth_http reply (Auth-Error-Code, Auth-Status) make them.
 */
import { describe, expect, test } from 'vitest';
import { Simulation } from '../../../sim/simulation.ts';
import { SmtpClient, swaksScript, type SwaksOptions } from '../../../models/client/index.ts';
import { createPostfix } from '../../../models/postfix/smtpd.ts';
import { labPreset, measuredTimings, type PostfixConfig } from '../../../models/postfix/config.ts';
import { createAuthService, type AuthServiceConfig } from '../../../models/auth/index.ts';
import { createFront, type NginxFrontConfig } from '../../../models/front/index.ts';

function runNginx(options: { nginx?: Partial<NginxFrontConfig>; postfix?: Partial<PostfixConfig>; auth?: Partial<AuthServiceConfig> | 'absent'; client?: Partial<SwaksOptions> } = {}) {
  const sim = new Simulation({ seed: 3 });
  const postfix = createPostfix(labPreset(options.postfix));
  sim.addNode(postfix, { listen: [{ host: '127.0.0.1', port: 25 }, { host: '127.0.0.1', port: 10025 }] });
  if (options.auth !== 'absent') sim.addNode(createAuthService(options.auth ?? {}), { listen: [{ host: '127.0.0.1', port: 8080 }] });
  sim.addNode(createFront('nginx', options.nginx ?? {}), { listen: [{ host: '127.0.0.1', port: 2525 }] });
  sim.addNode(new SmtpClient(swaksScript({
    connectTo: { host: '127.0.0.1', port: 2525 }, user: 'alice@example.test', password: 'secret', helo: 'client.example.test',
    auth: 'none', pipelining: false, ...options.client,
  })));
  sim.runUntilIdle(1_000_000);
  const writes = (from: string, to: string) => sim.trace.events.filter((e) => e.kind === 'write' && e.from === from && e.to === to);
  return {
    sim, postfix,
    toBackend: writes('front', 'postfix').map((e) => String(e.data)),
    toClient: writes('front', 'client').map((e) => String(e.data)).join(''),
    writes,
  };
}

describe('nginx, smtp_auth none (Mailu port 25)', () => {
  test('greeting and EHLO from the smtp_capabilities list, no AUTH line', () => {
    const run = runNginx();
    expect(run.toClient.startsWith('220 mail.example.test ESMTP ready\r\n250-mail.example.test\r\n250-PIPELINING\r\n250-SIZE 50000000\r\n250-ETRN\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250 DSN\r\n')).toBe(true);
  });

  test('lock-step handshake: EHLO, XCLIENT ADDR NAME, client EHLO, MAIL, RCPT, then the relay; mail queued', () => {
    const run = runNginx();
    expect(run.toBackend.slice(0, 5)).toEqual([
      'EHLO mail.example.test\r\n',
      'XCLIENT ADDR=127.0.0.1 NAME=[UNAVAILABLE]\r\n',
      'EHLO client.example.test\r\n',
      'MAIL FROM:<alice@example.test>\r\n',
      'RCPT TO:<bob@example.test>\r\n',
    ]);
    expect(run.toBackend.slice(5, 7)).toEqual(['DATA\r\n', expect.stringContaining('This is a test mailing')]);
    // Each command leaves only after the previous reply arrived.
    const replies = run.writes('postfix', 'front').map((e) => e.t);
    const commands = run.writes('front', 'postfix').map((e) => e.t);
    for (let i = 0; i < 5; i++) expect(commands[i]!).toBeGreaterThan(replies[i]!);
    expect(run.toClient).toContain('250 2.0.0 OK\r\n');
    expect(run.toClient).toMatch(/250 2\.0\.0 Ok: queued as [0-9A-F]+\r\n/);
  });

  test('no improper pipelining even with a slow XCLIENT lookup and forbid=yes', () => {
    const run = runNginx({ postfix: { timings: { ...measuredTimings, xclientLookupDelayUs: 100_000 } } });
    expect(run.sim.logs('postfix').some((l) => l.line.includes('improper command pipelining'))).toBe(false);
    expect(run.toClient).toMatch(/queued as/);
  });

  test('AUTH on port 25: the service says "AUTH not supported", the client gets 502 5.5.1 and the connection closes', () => {
    const run = runNginx({ client: { auth: 'PLAIN' } });
    expect(run.toClient).toContain('502 5.5.1 AUTH not supported\r\n');
    expect(run.toBackend).toEqual([]);
  });

  test('backend refuses XCLIENT: proxy_pass_error_message on relays its reply, off gives 451 4.3.2', () => {
    const on = runNginx({ postfix: { smtpd_authorized_xclient_hosts: [] } });
    expect(on.toClient).toContain('550 5.7.0 Error: insufficient authorization\r\n');
    const off = runNginx({ postfix: { smtpd_authorized_xclient_hosts: [] }, nginx: { proxy_pass_error_message: false } });
    expect(off.toClient).toContain('451 4.3.2 Internal server error\r\n');
  });

  test('auth service down, HTTP 500 or malformed: 451 4.3.2 Internal server error', () => {
    for (const auth of ['absent', { fault: 'http500' }, { fault: 'malformed' }] as const) {
      const run = runNginx({ auth });
      expect(run.toClient).toContain('451 4.3.2 Internal server error\r\n');
    }
  });
});

describe('nginx, authenticated mode', () => {
  test('AUTH PLAIN: XCLIENT with LOGIN=, then "235 2.0.0 OK"', () => {
    const run = runNginx({
      nginx: { smtp_auth: ['plain', 'login'], auth_http_header: [['Auth-Port', '587']] },
      client: { auth: 'PLAIN' },
    });
    expect(run.toBackend.slice(0, 3)).toEqual([
      'EHLO mail.example.test\r\n',
      'XCLIENT ADDR=127.0.0.1 LOGIN=alice@example.test NAME=[UNAVAILABLE]\r\n',
      'EHLO client.example.test\r\n',
    ]);
    expect(run.toClient).toContain('250 AUTH PLAIN LOGIN\r\n');
    expect(run.toClient).toContain('235 2.0.0 OK\r\n');
  });

  test('bad password: "535 5.7.8 Authentication credentials invalid" (Auth-Error-Code + Auth-Status), then close', () => {
    const run = runNginx({
      nginx: { smtp_auth: ['plain', 'login'], auth_http_header: [['Auth-Port', '587']] },
      client: { auth: 'PLAIN', password: 'wrong' },
    });
    expect(run.toClient).toContain('535 5.7.8 Authentication credentials invalid\r\n');
    expect(run.toBackend).toEqual([]);
  });
});
