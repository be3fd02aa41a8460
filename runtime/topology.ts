/* topology - the model side of a mail chain on loopback: front proxy, Mailu auth service, Postfix
 *
 *   client (real: swaks, nodemailer) ──▶ model front ──HTTP──▶ model auth service
 *                                           │
 *                                           └──▶ 127.0.0.1:10025: model Postfix, or whatever real
 *                                                server listens there (real Postfix, smtp-server)
 *
 * The backend port is 10025 because Mailu's auth service answers it for submission
 * (core/admin/mailu/internal/nginx.py: get_server, port 10025 for authenticated smtp); the auth
 * service and the front listen where they are told (port 0: any free port). The front can also
 * terminate TLS on a 465-style listener with a generated self-signed certificate.
 */
import type { Model, SocketAddress } from '../models/contract.ts';
import { createAuthService, type AuthServiceConfig } from '../models/auth/index.ts';
import { createFront, labDovecotConfig, mailuNginxConfig, type DovecotFrontConfig, type FrontKind, type NginxFrontConfig } from '../models/front/index.ts';
import type { PostfixConfig } from '../models/postfix/config.ts';
import { createPostfix } from '../models/postfix/smtpd.ts';
import { SocketRuntime, selfSignedIdentity, type ListenSpec, type SocketRuntimeOptions } from './socket/index.ts';

/** Where Mailu's auth service sends authenticated submission (statuses.ts, Mailu nginx.py). */
export const BACKEND_PORT = 10025;

export interface TopologyOptions {
  readonly front: FrontKind;
  /** Plain listener of the front; 0 picks a free port. */
  readonly frontPort: number;
  /** Also listen with TLS (465-style) on this port; 0 picks a free port. */
  readonly frontTlsPort?: number;
  readonly frontConfig?: Partial<DovecotFrontConfig> & Partial<NginxFrontConfig>;
  readonly auth?: Partial<AuthServiceConfig>;
  /** The model Postfix with this configuration on 127.0.0.1:10025, or null when a real server is there. */
  readonly postfix: PostfixConfig | null;
  /** Listen address for the front (127.0.0.1 unless told otherwise). */
  readonly host?: string;
  readonly runtime?: SocketRuntimeOptions;
}

export interface RunningTopology {
  readonly runtime: SocketRuntime;
  readonly front: SocketAddress;
  readonly frontTls: SocketAddress | null;
  readonly auth: SocketAddress;
  readonly postfix: SocketAddress | null;
  readonly models: { readonly front: Model; readonly auth: Model; readonly postfix: Model | null };
  close(): Promise<void>;
}

export async function startTopology(options: TopologyOptions): Promise<RunningTopology> {
  const runtime = new SocketRuntime(options.runtime);
  try {
    const auth = createAuthService({ SMTP_ADDRESS: '127.0.0.1', ...options.auth });
    const [authAddress] = await runtime.addNode(auth, { listen: [{ port: 0 }] });
    let postfix: Model | null = null;
    let postfixAddress: SocketAddress | null = null;
    if (options.postfix) {
      postfix = createPostfix(options.postfix);
      [postfixAddress] = (await runtime.addNode(postfix, { listen: [{ port: BACKEND_PORT }] })) as [SocketAddress];
    }
    const front = options.front === 'nginx'
      ? createFront('nginx', { ...options.frontConfig, auth_http: { ...mailuNginxConfig.auth_http, ...options.frontConfig?.auth_http, address: authAddress! } })
      : createFront(options.front, { ...options.frontConfig, authHttp: { ...labDovecotConfig.authHttp, ...options.frontConfig?.authHttp, address: authAddress! } });
    const host = options.host ?? '127.0.0.1';
    const listen: ListenSpec[] = [{ host, port: options.frontPort }];
    if (options.frontTlsPort !== undefined) listen.push({ host, port: options.frontTlsPort, tls: selfSignedIdentity() });
    const [frontAddress, frontTls] = await runtime.addNode(front, { listen });
    return {
      runtime,
      front: frontAddress!,
      frontTls: frontTls ?? null,
      auth: authAddress!,
      postfix: postfixAddress,
      models: { front, auth, postfix },
      close: () => runtime.close(),
    };
  } catch (error) {
    await runtime.close();
    throw error;
  }
}
