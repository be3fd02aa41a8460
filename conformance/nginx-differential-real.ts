/* nginx-differential-real - the real side of the nginx differential: Debian's nginx mail proxy, an auth_http service, the real Postfix
 *
 *   client ──▶ nginx 1.22.1 (libnginx-mod-mail) 127.0.0.1:<free port>, smtp_auth plain login, xclient on
 *                 │ auth_http ──▶ this process: Mailu's /internal/auth/email decision (models/auth/authenticate.ts)
 *                 └──▶ RealStack's Postfix 3.7.11 127.0.0.1:<its port> (XCLIENT from 127.0.0.0/8)
 *
 * nginx runs in the foreground as the only child we start (`-p <dir> -c <dir>/nginx.conf -g
 * 'daemon off;'`), its pid file and error log in a directory under the real stack's lab directory,
 * which RealStack.stop() removes. nginx reads its port from the file, so it gets a port the kernel
 * chose a moment before (runtime/free-port.ts), as the real stack's daemons do. stop() ends nginx by
 * its PID (SIGTERM, nginx's fast shutdown: the master ends its workers and exits; SIGKILL after 5 s).
 *
 * The auth service answers as the lab's auth model answers (the same MailuAuthenticator, configured
 * from the lab's scenario), one authenticator per Client-IP: each real session comes from an address
 * of its own (front-differential.ts), so each starts with an empty rate limiter, as each lab session,
 * a fresh simulation, does. Its Auth-Port is the real Postfix's.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MailuAuthenticator, type AuthAnswer } from '../models/auth/authenticate.ts';
import type { AuthServiceConfig } from '../models/auth/config.ts';
import { invalidHeaderOutcome, sendableHeaderValue } from '../models/auth/gunicorn-response.ts';
import { freePort } from '../runtime/free-port.ts';
import { firstMissingTool } from './real-stack.ts';

/** Debian's dynamic mail module (package libnginx-mod-mail). */
export const NGINX_MAIL_MODULE = '/usr/lib/nginx/modules/ngx_mail_module.so';

/** Why the real nginx cannot run here, or null (the real stack's own needs are realStackMissing()'s). */
export function nginxMissing(): string | null {
  if (firstMissingTool(['nginx'])) return 'nginx is not installed (run .ci/install-real-stack.sh)';
  if (!existsSync(NGINX_MAIL_MODULE)) return `${NGINX_MAIL_MODULE} is missing (libnginx-mod-mail; run .ci/install-real-stack.sh)`;
  return null;
}

/** What the nginx.conf is written from: the lab scenario's front settings and the ports of this run. */
export interface NginxConfSettings {
  readonly dir: string;
  readonly port: number;
  readonly authPort: number;
  readonly serverName: string;
  readonly smtpAuth: readonly string[];
  readonly smtpCapabilities: readonly string[];
  readonly xclient: boolean;
  readonly maxErrors: number;
  readonly proxyPassErrorMessage: boolean;
  /** `timeout`, ms. */
  readonly timeoutMs: number;
  /** auth_http_header Auth-Port: the port the lab's front listens on (what Mailu's conf writes for each server). */
  readonly authPortHeader: number;
}

/**
 * Mailu's `mail { }` (core/nginx/conf/nginx.conf at 2.0.43: server_name, auth_http, proxy_pass_error_message,
 * smtp_capabilities, one smtp server with smtp_auth and auth_http_header Auth-Port) with this run's addresses.
 * Mailu's resolver, TLS (starttls only, ssl), error_log to stderr and other protocols' servers are left out:
 * the lab models no TLS and no resolver (import/nginx-map.ts reads them as unsupported or ignored).
 */
export function nginxConf(s: NginxConfSettings): string {
  const word = (text: string) => (/\s/.test(text) ? `"${text}"` : text);
  return `# smtp-lab nginx differential (conformance/nginx-differential-real.ts)
load_module ${NGINX_MAIL_MODULE};
worker_processes 1;
pid ${s.dir}/nginx.pid;
error_log ${s.dir}/error.log info;
events {
    worker_connections 512;
}
mail {
    server_name ${s.serverName};
    auth_http 127.0.0.1:${s.authPort}/internal/auth/email;
    proxy_pass_error_message ${s.proxyPassErrorMessage ? 'on' : 'off'};
    timeout ${s.timeoutMs % 1000 === 0 ? `${s.timeoutMs / 1000}s` : `${s.timeoutMs}ms`};
    smtp_capabilities ${s.smtpCapabilities.map(word).join(' ')};
    server {
        listen 127.0.0.1:${s.port};
        protocol smtp;
        smtp_auth ${s.smtpAuth.join(' ')};
        xclient ${s.xclient ? 'on' : 'off'};
        max_errors ${s.maxErrors};
        auth_http_header Auth-Port ${s.authPortHeader};
    }
}
`;
}

type Headers = [string, string][];

/**
 * Mailu's auth endpoint over HTTP: the lab's decision (MailuAuthenticator) for `config`, one per
 * Client-IP. nginx 1.22.1 sends no Client-Port (auth_http_header takes no variables there: the
 * header text is copied as written, ngx_mail_auth_http_create_request()); the decision reads it
 * only to require it, so the client's port 0 stands in, as the lab's nginx model adds its own.
 */
export class AuthHttpService {
  private readonly authenticators = new Map<string, MailuAuthenticator>();
  private readonly started = process.hrtime.bigint();
  /** Requests the service could not answer as Mailu would: each is a failure of the run, not a disagreement. */
  readonly problems: string[] = [];

  private constructor(
    private readonly server: http.Server,
    private readonly config: AuthServiceConfig,
  ) {}

  static async start(config: AuthServiceConfig): Promise<AuthHttpService> {
    const server = http.createServer();
    const service = new AuthHttpService(server, config);
    server.on('request', (request: http.IncomingMessage, response: http.ServerResponse) => service.answer(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    return service;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private answer(request: http.IncomingMessage, response: http.ServerResponse): void {
    const headers: Headers = [];
    for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) headers.push([request.rawHeaders[i]!, request.rawHeaders[i + 1]!]);
    if (!headers.some(([name]) => name.toLowerCase() === 'client-port')) headers.push(['Client-Port', '0']);
    const clientIp = headers.find(([name]) => name.toLowerCase() === 'client-ip')?.[1] ?? '';
    let authenticator = this.authenticators.get(clientIp);
    if (!authenticator) this.authenticators.set(clientIp, (authenticator = new MailuAuthenticator(this.config)));
    const path = (request.url ?? '').split('?')[0];
    const decided: AuthAnswer =
      path === '/internal/auth/email' ? authenticator.authenticate(headers, Number((process.hrtime.bigint() - this.started) / 1000n)) : { status: 404, reason: `no route ${path}` };
    if (decided.status !== 200) {
      this.problems.push(`${decided.status} ${decided.reason} for ${JSON.stringify(headers)}`);
      response.writeHead(decided.status, { 'Content-Type': 'text/html; charset=utf-8' }).end();
      return;
    }
    const refused = decided.headers.find(([, value]) => !sendableHeaderValue(value));
    if (refused !== undefined) {
      // gunicorn's answer to a header value it cannot send (models/auth/gunicorn-response.ts): a 400 page or nothing, then the close.
      const outcome = invalidHeaderOutcome(refused[1], '127.0.0.1');
      if (outcome.bytes !== null) request.socket.write(outcome.bytes);
      request.socket.destroySoon();
      return;
    }
    response.writeHead(200, [['Content-Type', 'text/html; charset=utf-8'], ...decided.headers].flat()).end();
  }
}

/** Whether a connection to 127.0.0.1:`port` gets a 220 greeting within a second. */
function greets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 1_000);
    socket.once('data', (bytes) => done(bytes.toString('latin1').startsWith('220 ')));
    socket.once('error', () => done(false));
    socket.once('end', () => done(false));
  });
}

/** The real nginx: started on a free port with `conf(port)`, stopped by its PID. */
export class RealNginx {
  private constructor(
    private readonly child: ChildProcess,
    readonly dir: string,
    readonly port: number,
  ) {}

  /** Write `conf(port)` into `dir` (created), check it with `nginx -t`, start nginx and wait until it listens. */
  static async start(dir: string, conf: (port: number) => string): Promise<RealNginx> {
    const missing = nginxMissing();
    if (missing) throw new Error(`real nginx unavailable: ${missing}`);
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    const port = await freePort();
    const file = join(dir, 'nginx.conf');
    writeFileSync(file, conf(port), { mode: 0o644 });
    const args = ['-p', dir, '-c', file, '-e', join(dir, 'error.log'), '-g', 'daemon off;'];
    const check = spawnSync('nginx', ['-t', ...args], { encoding: 'utf8', timeout: 20_000 });
    if (check.status !== 0) throw new Error(`nginx -t refused ${file}: ${check.stderr.trim()}`);
    const child = spawn('nginx', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const nginx = new RealNginx(child, dir, port);
    // Ready when a connection gets its greeting: here, sessions begun as soon as the pid file was there
    // (main() writes it after ngx_init_cycle() opened the sockets) were closed unanswered.
    let greeted = false;
    for (let i = 0; i < 100 && child.exitCode === null && !greeted; i++) {
      greeted = await greets(port);
      if (!greeted) await sleep(100);
    }
    if (!greeted) {
      await nginx.stop();
      throw new Error(`nginx did not greet on 127.0.0.1:${port} within 10 s (exit ${child.exitCode}): ${stderr.trim() || nginx.errorLog().slice(-5).join('\n')}`);
    }
    return nginx;
  }

  /** nginx's error log, line by line. */
  errorLog(): string[] {
    const file = join(this.dir, 'error.log');
    return existsSync(file) ? readFileSync(file, 'latin1').split('\n').filter((line) => line !== '') : [];
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    const kill = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    this.child.kill('SIGTERM');
    await exited;
    clearTimeout(kill);
  }
}
