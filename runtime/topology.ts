/* topology - the model side of a mail chain on loopback: front proxy, Mailu auth service, Postfix
 *
 *   client (real: swaks, nodemailer) ──▶ model front ──HTTP──▶ model auth service
 *                                           │
 *                                           └──▶ 127.0.0.1:10025 (and :25): model Postfix, or
 *                                                whatever real server listens there (real
 *                                                Postfix, smtp-server)
 *
 * The backend ports are fixed because Mailu's auth service answers them (models/auth/statuses.ts,
 * Mailu core/admin/mailu/internal/nginx.py get_server: 10025 for authenticated submission, 25
 * for port-25 delivery); the auth service and the front listen where they are told (port 0:
 * any free port), and the front is pointed at the auth service's real port. The front can also
 * terminate TLS on a 465-style listener with a generated self-signed certificate.
 */
import net from 'node:net';
import type { Model, SocketAddress } from '../models/contract.ts';
import { createAuthService, type AuthServiceConfig } from '../models/auth/index.ts';
import { createFront, labDovecotConfig, mailuNginxConfig, type DovecotFrontConfig, type FrontKind, type NginxFrontConfig } from '../models/front/index.ts';
import type { PostfixConfig } from '../models/postfix/config.ts';
import { createPostfix } from '../models/postfix/smtpd.ts';
import { SocketRuntime, selfSignedIdentity, type ListenSpec, type SocketRuntimeOptions } from './socket/index.ts';

/** Where Mailu's auth service sends authenticated submission. */
export const BACKEND_PORT = 10025;

export interface TopologyOptions {
  readonly front: FrontKind;
  /** Plain listener of the front; 0 picks a free port. */
  readonly frontPort: number;
  /** Also listen with TLS (465-style) on this port; 0 picks a free port. */
  readonly frontTlsPort?: number;
  /** Front settings (Dovecot's for the dovecot kinds, nginx's for nginx); the auth address is filled in. */
  readonly frontConfig?: Partial<DovecotFrontConfig> | Partial<NginxFrontConfig>;
  /** Auth service settings, or null for no listener at all (auth.fault = refused). */
  readonly auth?: Partial<AuthServiceConfig> | null;
  /** The model Postfix with this configuration, or null when a real server has the backend ports. */
  readonly postfix: PostfixConfig | null;
  /** Ports the model Postfix listens on (default 10025). */
  readonly postfixPorts?: readonly number[];
  /** Listen address for the front (127.0.0.1 unless told otherwise). */
  readonly host?: string;
  readonly runtime?: SocketRuntimeOptions;
}

export interface RunningTopology {
  readonly runtime: SocketRuntime;
  readonly front: SocketAddress;
  readonly frontTls: SocketAddress | null;
  readonly auth: SocketAddress | null;
  readonly postfix: readonly SocketAddress[];
  readonly models: { readonly front: Model; readonly auth: Model | null; readonly postfix: Model | null };
  close(): Promise<void>;
}

export async function startTopology(options: TopologyOptions): Promise<RunningTopology> {
  const runtime = new SocketRuntime(options.runtime);
  try {
    let auth: Model | null = null;
    let authAddress: SocketAddress = { host: '127.0.0.1', port: 0 };
    if (options.auth !== null) {
      auth = createAuthService({ ...options.auth, SMTP_ADDRESS: '127.0.0.1', IMAP_ADDRESS: '127.0.0.1' });
      [authAddress] = (await runtime.addNode(auth, { listen: [{ port: 0 }] })) as [SocketAddress];
    } else {
      // No listener: a port that was free a moment ago refuses the front's connections.
      authAddress = await freePort();
    }
    let postfix: Model | null = null;
    let postfixAddresses: SocketAddress[] = [];
    if (options.postfix) {
      postfix = createPostfix(options.postfix);
      postfixAddresses = await runtime.addNode(postfix, { listen: (options.postfixPorts ?? [BACKEND_PORT]).map((port) => ({ port })) });
    }
    const front = options.front === 'nginx'
      ? createFront('nginx', { ...(options.frontConfig as Partial<NginxFrontConfig>), auth_http: { ...((options.frontConfig as Partial<NginxFrontConfig>)?.auth_http ?? mailuNginxConfig.auth_http), address: authAddress } })
      : createFront(options.front, { ...(options.frontConfig as Partial<DovecotFrontConfig>), authHttp: { ...((options.frontConfig as Partial<DovecotFrontConfig>)?.authHttp ?? labDovecotConfig.authHttp), address: authAddress } });
    const host = options.host ?? '127.0.0.1';
    const listen: ListenSpec[] = [{ host, port: options.frontPort }];
    if (options.frontTlsPort !== undefined) listen.push({ host, port: options.frontTlsPort, tls: selfSignedIdentity() });
    const [frontAddress, frontTls] = await runtime.addNode(front, { listen });
    return {
      runtime,
      front: frontAddress!,
      frontTls: frontTls ?? null,
      auth: auth ? authAddress : null,
      postfix: postfixAddresses,
      models: { front, auth, postfix },
      close: () => runtime.close(),
    };
  } catch (error) {
    await runtime.close();
    throw error;
  }
}

function freePort(): Promise<SocketAddress> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve({ host: '127.0.0.1', port }));
    });
  });
}
