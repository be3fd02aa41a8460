/* nginx-differential-parts - the nginx differential's pieces that need no real daemons: the conf, the auth service, the known list */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDeployment } from '../../../import/index.ts';
import { authConfigOf } from '../../../scenarios/topology.ts';
import type { ScenarioKey } from '../../../scenarios/index.ts';
import { differentialNginxConf, NGINX_CONF_OVERRIDES, nginxDifferentialScenario, runNginxLabSession } from '../../../conformance/nginx-differential.ts';
import { KNOWN_NGINX_DISAGREEMENTS } from '../../../conformance/nginx-differential-known.ts';
import { REAL_ACCOUNTS } from '../../../conformance/real-stack/config.ts';
import { AuthHttpService } from '../../../conformance/nginx-differential-real.ts';
import { playLockstep } from '../../../conformance/dovecot-differential-client.ts';

describe("the real nginx's conf", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'smtp-lab-nginx-conf-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("imports to the lab scenario's front settings, but for the listed overrides; nothing on the path is unsupported", () => {
    const file = join(dir, 'nginx.conf');
    writeFileSync(file, differentialNginxConf(dir, 4321, 8765));
    const imported = importDeployment({ paths: [file] });
    const lab = nginxDifferentialScenario();
    const keys: ScenarioKey[] = [
      'front.model', 'front.port', 'front.version', 'front.server_name', 'front.smtp_auth', 'front.smtp_capabilities', 'front.smtp_client_buffer', 'front.xclient', 'front.max_errors',
      'front.timeout', 'front.proxy_timeout', 'front.proxy_pass_error_message', 'front.so_keepalive',
    ];
    const differing = keys.filter((key) => imported.scenario.get(key) !== lab.get(key));
    expect(differing.sort()).toEqual(Object.keys(NGINX_CONF_OVERRIDES).sort());
    expect(imported.scenario.get('front.port')).toBe(4321);
    expect(imported.unsupported).toEqual([]);
    // auth_http is the lab's auth model (import/nginx-map.ts); every other line sets a key
    expect(imported.mapped.filter((e) => e.key === null).map((e) => e.setting.name)).toEqual(['auth_http']);
  });
});

describe('the auth_http service: the lab\'s Mailu decision over HTTP, one rate limiter per client address', () => {
  let service: AuthHttpService;
  beforeAll(async () => {
    service = await AuthHttpService.start({ ...authConfigOf(nginxDifferentialScenario()), smtpPorts: { authenticated: 4242, unauthenticated: 4242 } });
  });
  afterAll(async () => {
    await service.stop();
  });

  /** What nginx 1.22.1 sends for an SMTP AUTH (ngx_mail_auth_http_create_request(): no Client-Port). */
  const ask = (user: string, pass: string, clientIp: string) =>
    new Promise<http.IncomingHttpHeaders>((resolve, reject) => {
      const headers = { Host: 'localhost', 'Auth-Method': 'plain', 'Auth-User': user, 'Auth-Pass': pass, 'Auth-Protocol': 'smtp', 'Auth-Login-Attempt': '1', 'Client-IP': clientIp, 'Client-Host': '[UNAVAILABLE]', 'Auth-Port': '1587' };
      http.get({ host: '127.0.0.1', port: service.port, path: '/internal/auth/email', headers }, (response) => {
        response.resume();
        resolve(response.headers);
      }).on('error', reject);
    });

  it('a good login is sent to the given Postfix port; a wrong one fails with Auth-Wait 0', async () => {
    expect(await ask('alice@example.test', 'secret', '127.1.9.1')).toMatchObject({ 'auth-status': 'OK', 'auth-server': '127.0.0.1', 'auth-port': '4242' });
    expect(await ask('alice@example.test', 'wrong', '127.1.9.1')).toMatchObject({ 'auth-status': 'Authentication credentials invalid', 'auth-error-code': '535 5.7.8', 'auth-wait': '0' });
    expect(service.problems).toEqual([]);
  });

  it("each client address has its own limiter, as each lab session has a fresh auth model", async () => {
    // AUTH_RATELIMIT_IP 5/hour for failures from one /24 (different users, so none is de-duplicated).
    for (let i = 0; i < 5; i++) expect((await ask(`u${i}@example.test`, 'wrong', '127.1.8.1'))['auth-status']).toBe('Authentication credentials invalid');
    expect((await ask('u5@example.test', 'wrong', '127.1.8.1'))['auth-status']).toBe('Temporary authentication failure (rate-limit)');
    // The same /24, another address: a limiter of its own.
    expect((await ask('u5@example.test', 'wrong', '127.1.8.2'))['auth-status']).toBe('Authentication credentials invalid');
  });
});

describe('the lock-step client pauses before each line, as the lab client thinks', () => {
  it("a line answered several times and a close right after: the session ends server-closed, not with QUIT 'answered' by a left-over reply", async () => {
    // As nginx answers a message sent before DATA: one 500 per line, and its max_errors close after the last.
    const server = net.createServer((socket) => {
      socket.write('220 mail.example.test ESMTP ready\r\n');
      socket.once('data', () => {
        socket.write('500 5.5.1 Invalid command\r\n');
        setTimeout(() => socket.end('500 5.5.1 Invalid command\r\n500 5.5.1 Invalid command\r\n'), 5);
      });
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      // The client thinks 1 s before QUIT, so the close 5 ms after the first 500 comes first even on a loaded
      // machine (with 20 ms, a late timer let QUIT go out first and a left-over 500 answer it: 'quit').
      const result = await playLockstep(['Subject: x\r\n\r\nhello', 'QUIT'], { host: '127.0.0.1', port, replyTimeoutMs: 3_000, graceMs: 100, thinkMs: 1_000 });
      expect(result).toEqual({ replies: ['220 mail.example.test ESMTP ready', '500 5.5.1 Invalid command', '500 5.5.1 Invalid command', '500 5.5.1 Invalid command'], end: 'server-closed' });
    } finally {
      server.close();
    }
  });
});

const [[USER, PASSWORD]] = REAL_ACCOUNTS as [readonly [string, string]];
const LOGIN = `AUTH PLAIN ${Buffer.from(`\0${USER}\0${PASSWORD}`, 'latin1').toString('base64')}`;

describe('the lab side', () => {
  it("the lab's nginx greets, answers NOOP, and logs in to the scenario's Postfix", () => {
    expect(runNginxLabSession(['NOOP', 'QUIT'], 1)).toEqual({ replies: ['220 smtp.example.org ESMTP ready', '250 2.0.0 OK', '221 2.0.0 Bye'], end: 'quit' });
    expect(runNginxLabSession([LOGIN, 'NOOP'], 1).replies.slice(1)).toEqual(['235 2.0.0 OK', '250 2.0.0 Ok']);
  });

  it('answers as the real chain did where the differential found the Postfix model wrong (the known list is empty since)', () => {
    expect(KNOWN_NGINX_DISAGREEMENTS).toEqual([]);
    // Real nginx 1.22.1 -> Postfix 3.7.11: "NOOP\rx" after login is NOOP with an argument (smtpd_token() splits at ISSPACE).
    expect(runNginxLabSession([LOGIN, 'NOOP\rx'], 1).replies.slice(1)).toEqual(['235 2.0.0 OK', '250 2.0.0 Ok']);
    // A bare local part is at $myorigin (example.test, the virtual domain): accepted, logged in.
    expect(runNginxLabSession(['EHLO client.example.test', LOGIN, `MAIL FROM:<${USER}>`, 'RCPT TO:<bob>'], 1).replies.at(-1)).toBe('250 2.1.5 Ok');
  });
});
