/* topology - the model side of a mail chain on loopback: front proxy, Mailu auth service, Postfix
 *
 *   client (real: swaks, nodemailer) ──▶ model front ──HTTP──▶ model auth service
 *                                           │
 *                                           └──▶ 127.0.0.1:<backend>: model Postfix, or whatever
 *                                                real server listens there (real Postfix,
 *                                                smtp-server)
 *
 * Every listener takes a port, 0 meaning any free one. Mailu's auth service answers Postfix's
 * ports (get_server: 10025 for authenticated mail, 25 for port-25 delivery); here it answers the
 * ports the backend actually has, and the front is pointed at the auth service's actual port,
 * so several chains can run on one machine. The front can also terminate TLS on a 465-style
 * listener with a generated self-signed certificate.
 */
import type { Model, SocketAddress } from '../models/contract.ts';
import { createAuthService, type AuthServiceConfig } from '../models/auth/index.ts';
import { FRONT_MODELS, frontModel, type AnyFrontConfig, type FrontKind } from '../models/front/index.ts';
import type { PostfixConfig } from '../models/postfix/config.ts';
import type { QueueRetention } from '../models/postfix/queue.ts';
import { createPostfix } from '../models/postfix/smtpd.ts';
import { FRONT_LISTENER_LIMITS, POSTFIX_LISTENER_LIMITS } from './daemon-limits.ts';
import { freePort } from './free-port.ts';
import { SocketRuntime, selfSignedIdentity, type ListenerLimits, type ListenSpec, type SocketRuntimeOptions } from './socket/index.ts';

/** Postfix's two services in Mailu: authenticated mail (Mailu's 10025) and port-25 delivery (25, nginx only). */
export interface BackendPorts {
  readonly authenticated: number;
  readonly unauthenticated: number;
}

/**
 * What a live model Postfix keeps of the mail it queues: a lab that serves for days must not hold
 * every message (size, digest and envelope of the newest 10,000; content up to 16 MiB in all).
 */
export const LIVE_QUEUE_RETENTION: QueueRetention = { keepMessages: 10_000, keepContentBytes: 16 * 1024 * 1024 };

export interface TopologyOptions {
  readonly front: FrontKind;
  /** Plain listener of the front; 0 picks a free port. */
  readonly frontPort: number;
  /** Also listen with TLS (465-style) on this port; 0 picks a free port. */
  readonly frontTlsPort?: number;
  /** Settings of that front (its FRONT_MODELS row says which); the auth address is filled in. */
  readonly frontConfig?: Partial<AnyFrontConfig>;
  /** Auth service settings, or null for no listener at all (auth.fault = refused). */
  readonly auth?: Partial<AuthServiceConfig> | null;
  /** The auth service's port; 0 or missing: any free port. */
  readonly authPort?: number;
  /** The model Postfix with this configuration, or null when a real server is the backend. */
  readonly postfix: PostfixConfig | null;
  /** What the model Postfix keeps of queued mail; default LIVE_QUEUE_RETENTION. */
  readonly queueRetention?: QueueRetention;
  /**
   * With a model Postfix: the ports it listens on (0 or missing: any free port; the port-25
   * service only behind a front that reaches it, FrontModelRow.reachesPort25). With a real server: where it listens (`authenticated` required;
   * `unauthenticated` defaults to the same port).
   */
  readonly backendPorts?: Partial<BackendPorts>;
  /** The front's client limits; default its daemon's (daemon-limits.ts). */
  readonly frontLimits?: ListenerLimits;
  /** Listen address for the front (127.0.0.1 unless told otherwise). */
  readonly host?: string;
  readonly runtime?: SocketRuntimeOptions;
}

export interface RunningTopology {
  readonly runtime: SocketRuntime;
  readonly front: SocketAddress;
  readonly frontTls: SocketAddress | null;
  readonly auth: SocketAddress | null;
  /** The model Postfix's listeners (none for a real backend). */
  readonly postfix: readonly SocketAddress[];
  /** The ports the auth service sends the front to. */
  readonly backendPorts: BackendPorts;
  readonly models: { readonly front: Model; readonly auth: Model | null; readonly postfix: Model | null };
  close(): Promise<void>;
}

export async function startTopology(options: TopologyOptions): Promise<RunningTopology> {
  const runtime = new SocketRuntime(options.runtime);
  try {
    let postfix: Model | null = null;
    let postfixAddresses: SocketAddress[] = [];
    let backendPorts: BackendPorts;
    if (options.postfix) {
      postfix = createPostfix(options.postfix, options.queueRetention ?? LIVE_QUEUE_RETENTION);
      const wanted = [options.backendPorts?.authenticated ?? 0, ...(FRONT_MODELS[options.front].reachesPort25 ? [options.backendPorts?.unauthenticated ?? 0] : [])];
      // Each port is a master.cf service of its own, with its own maxproc: a copy of the limits each.
      postfixAddresses = await runtime.addNode(postfix, { listen: wanted.map((port) => ({ port, limits: { ...POSTFIX_LISTENER_LIMITS } })) });
      backendPorts = { authenticated: postfixAddresses[0]!.port, unauthenticated: (postfixAddresses[1] ?? postfixAddresses[0]!).port };
    } else {
      const authenticated = options.backendPorts?.authenticated;
      if (!authenticated) throw new Error('startTopology: a real backend needs backendPorts.authenticated (the port it listens on)');
      backendPorts = { authenticated, unauthenticated: options.backendPorts?.unauthenticated || authenticated };
    }
    let auth: Model | null = null;
    let authAddress: SocketAddress;
    if (options.auth !== null) {
      auth = createAuthService({ ...options.auth, SMTP_ADDRESS: '127.0.0.1', IMAP_ADDRESS: '127.0.0.1', smtpPorts: backendPorts });
      [authAddress] = (await runtime.addNode(auth, { listen: [{ port: options.authPort ?? 0 }] })) as [SocketAddress];
    } else {
      // No listener: a port that was free a moment ago refuses the front's connections.
      authAddress = { host: '127.0.0.1', port: await freePort() };
    }
    const row = frontModel(options.front);
    const front = row.create(row.withPeers(options.frontConfig ?? {}, { authService: authAddress, backend: { host: '127.0.0.1', port: backendPorts.authenticated } }));
    const host = options.host ?? '127.0.0.1';
    // One limits object for both ports: they are one service (one pool of slots, SocketRuntime's ListenSpec.limits).
    const limits = options.frontLimits ?? FRONT_LISTENER_LIMITS[options.front];
    const listen: ListenSpec[] = [{ host, port: options.frontPort, limits }];
    if (options.frontTlsPort !== undefined) listen.push({ host, port: options.frontTlsPort, tls: selfSignedIdentity(), limits });
    const [frontAddress, frontTls] = await runtime.addNode(front, { listen });
    return {
      runtime,
      front: frontAddress!,
      frontTls: frontTls ?? null,
      auth: auth ? authAddress : null,
      postfix: postfixAddresses,
      backendPorts,
      models: { front, auth, postfix },
      close: () => runtime.close(),
    };
  } catch (error) {
    await runtime.close();
    throw error;
  }
}
