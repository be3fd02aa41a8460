/* nginx-differential - one generated client session against the real nginx → Postfix and against the lab's nginx front
 *
 * Real side (./nginx-differential-real.ts): Debian's nginx 1.22.1 with its mail module, asking an
 * auth_http service in this process that decides as the lab's Mailu auth model does, in front of
 * the real stack's Postfix 3.7.11 (RealStack, forbid=no and the default TCP mode, as the Dovecot
 * differential runs it; nginx waits for every reply of its XCLIENT handshake, so forbid decides
 * nothing here either). Lab side: the built-in `real-stack` scenario (Postfix as the real stack's
 * main.cf) with the nginx front of the same release, the same lines as its client script.
 * What is compared, and how: ./front-differential.ts, shared with the Dovecot differential.
 *
 * The nginx.conf is written from the lab scenario's nginx settings (nginxConfigOf(): server_name,
 * smtp_auth, smtp_capabilities, xclient, max_errors, proxy_pass_error_message, timeout, the Auth-Port
 * header), so the two sides run one configuration; what the conf cannot hold as the lab has it is
 * NGINX_CONF_OVERRIDES. The name and the capabilities are not Mailu's, so the greeting and the EHLO
 * show that the keys reach the lab's front as the directives reach nginx.
 */
import { join } from 'node:path';
import { loadScenario, type Scenario } from '../scenarios/index.ts';
import { authConfigOf, nginxConfigOf } from '../scenarios/topology.ts';
import { REAL_STACK_SETS, REAL_STACK_SETTING, runLabSessionOn, runRealSessionAt, runRealSessionsAt, type SessionOutcome } from './front-differential.ts';
import { AuthHttpService, nginxConf, RealNginx } from './nginx-differential-real.ts';
import { RealStack } from './real-stack.ts';

/** Debian 12's nginx (1.22.1-9+deb12u11), the release the lab's nginx front is asked to be. */
export const REAL_NGINX_RELEASE = '1.22.1';

/** The `real-stack` overrides: the live stack's Postfix and TCP, the nginx front of the real release (smtp_auth, xclient, max_errors: the key defaults), another name and capabilities. */
export const NGINX_DIFFERENTIAL_SETS = [
  ...REAL_STACK_SETS, 'front.model=nginx', `front.version=${REAL_NGINX_RELEASE}`,
  'front.server_name=smtp.example.org', 'front.smtp_capabilities=PIPELINING "SIZE 10240000" 8BITMIME DSN',
] as const;

/**
 * Where the real nginx.conf says otherwise than the lab scenario, and why; the import of the conf
 * (import/nginx-map.ts) gives the scenario's values for every other front key.
 */
export const NGINX_CONF_OVERRIDES: Readonly<Record<string, string>> = {
  'front.port': "listen is a port the kernel chose for this run; the lab keeps 1587, which with Postfix 3.7.11 selects the real stack's layout (scenarios/layout.ts)",
  'front.version': '`nginx -v` is not part of a conf; the lab is set to the installed release with front.version',
};

/** The lab's scenario, built once. */
let scenario: Scenario | undefined;
export function nginxDifferentialScenario(): Scenario {
  scenario ??= loadScenario({ scenario: 'real-stack', sets: [...NGINX_DIFFERENTIAL_SETS] });
  return scenario;
}

/** The session in the simulator. */
export function runNginxLabSession(lines: readonly string[], seed: number): SessionOutcome {
  return runLabSessionOn(nginxDifferentialScenario(), lines, seed);
}

/** The nginx.conf for a run: the lab scenario's front settings, this run's ports and directory. */
export function differentialNginxConf(dir: string, port: number, authPort: number): string {
  const lab = nginxConfigOf(nginxDifferentialScenario());
  return nginxConf({
    dir,
    port,
    authPort,
    serverName: lab.server_name,
    smtpAuth: lab.smtp_auth,
    smtpCapabilities: lab.smtp_capabilities,
    xclient: lab.xclient,
    maxErrors: lab.max_errors,
    proxyPassErrorMessage: lab.proxy_pass_error_message,
    timeoutMs: lab.timeout,
    authPortHeader: Number(lab.auth_http_header.find(([name]) => name === 'Auth-Port')![1]),
  });
}

/** The real chain: RealStack's Postfix (and the Dovecot its SASL needs), the auth service, nginx. */
export class NginxDifferentialStack {
  private constructor(
    readonly stack: RealStack,
    readonly auth: AuthHttpService,
    readonly nginx: RealNginx,
  ) {}

  static async start(): Promise<NginxDifferentialStack> {
    // Dovecot too: the Postfix service has smtpd_sasl_auth_enable = yes with Dovecot's SASL socket (real-stack/config.ts).
    const stack = await RealStack.start({ netns: null });
    let auth: AuthHttpService | undefined;
    try {
      await stack.configure(REAL_STACK_SETTING);
      const config = authConfigOf(nginxDifferentialScenario());
      auth = await AuthHttpService.start({ ...config, smtpPorts: { authenticated: stack.ports.postfix, unauthenticated: stack.ports.postfix } });
      const dir = join(stack.lab, 'nginx');
      const nginx = await RealNginx.start(dir, (port) => differentialNginxConf(dir, port, auth!.port));
      return new NginxDifferentialStack(stack, auth, nginx);
    } catch (error) {
      await auth?.stop();
      await stack.stop();
      throw error;
    }
  }

  /** The session at the real nginx. */
  runSession(lines: readonly string[]): Promise<SessionOutcome> {
    return runRealSessionAt(this.nginx.port, lines);
  }

  /** The real outcome of each session, `concurrency` at a time. */
  runSessions(sessions: readonly (readonly string[])[], concurrency: number): Promise<Map<string, SessionOutcome>> {
    return runRealSessionsAt(this.nginx.port, sessions, concurrency);
  }

  async stop(): Promise<void> {
    await this.nginx.stop();
    await this.auth.stop();
    await this.stack.stop();
  }
}
