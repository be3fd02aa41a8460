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
import type { AuthServiceConfig } from '../models/auth/index.ts';
import { frontModel, type AnyFrontConfig, type FrontKind } from '../models/front/index.ts';
import type { PostfixConfig } from '../models/postfix/config.ts';
import type { QueueRetention } from '../models/postfix/queue.ts';
import { buildChainAsync, type BackendPorts, type ChainPlan, type ListenRequest, type PostfixPlan } from '../scenarios/chain.ts';
import { FRONT_LISTENER_LIMITS, POSTFIX_LISTENER_LIMITS } from './daemon-limits.ts';
import { freePort } from './free-port.ts';
import { SocketRuntime, selfSignedIdentity, type ListenerLimits, type ListenSpec, type SocketRuntimeOptions } from './socket/index.ts';

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
    const host = options.host ?? '127.0.0.1';
    // One limits object for both front ports: they are one service (one pool of slots, SocketRuntime's ListenSpec.limits).
    const frontLimits = options.frontLimits ?? FRONT_LISTENER_LIMITS[options.front];
    const listenSpecOf = ({ role, address }: ListenRequest): ListenSpec => {
      switch (role) {
        // Each port is a master.cf service of its own, with its own maxproc: a copy of the limits each.
        case 'postfix-submission':
        case 'postfix-smtp': return { ...address, limits: { ...POSTFIX_LISTENER_LIMITS } };
        case 'auth': return address;
        case 'front': return { ...address, limits: frontLimits };
        case 'front-tls': return { ...address, tls: selfSignedIdentity(), limits: frontLimits };
      }
    };
    const chain = await buildChainAsync(await planOf(options, host), (node) => runtime.addNode(node.model, { listen: node.listen.map(listenSpecOf) }));
    return {
      runtime,
      front: chain.frontListeners[0]!,
      frontTls: chain.frontListeners[1] ?? null,
      auth: chain.auth ? chain.authAddress : null,
      postfix: chain.postfixListeners,
      backendPorts: chain.backendPorts,
      models: { front: chain.front, auth: chain.auth, postfix: chain.postfix },
      close: () => runtime.close(),
    };
  } catch (error) {
    await runtime.close();
    throw error;
  }
}

/** The chain on loopback: the model Postfix or a real server, the auth service or a refusing port, the front on `host`. */
async function planOf(options: TopologyOptions, host: string): Promise<ChainPlan> {
  const wanted = options.backendPorts ?? {};
  let postfix: PostfixPlan;
  if (options.postfix) {
    const authenticated = wanted.authenticated ?? 0;
    postfix = { model: options.postfix, retention: options.queueRetention ?? LIVE_QUEUE_RETENTION, host: '127.0.0.1', ports: { authenticated, unauthenticated: wanted.unauthenticated ?? 0 } };
  } else {
    const authenticated = wanted.authenticated;
    if (!authenticated) throw new Error('startTopology: a real backend needs backendPorts.authenticated (the port it listens on)');
    postfix = { external: true, host: '127.0.0.1', ports: { authenticated, unauthenticated: wanted.unauthenticated || authenticated } };
  }
  const row = frontModel(options.front);
  const frontConfig = options.frontConfig ?? {};
  return {
    postfix,
    // No listener: a port that was free a moment ago refuses the front's connections.
    auth: options.auth === null
      ? { refusedAt: { host: '127.0.0.1', port: await freePort() } }
      : { config: options.auth ?? {}, address: { host: '127.0.0.1', port: options.authPort ?? 0 } },
    front: {
      kind: options.front,
      config: (peers) => row.withPeers(frontConfig, peers),
      address: { host, port: options.frontPort },
      ...(options.frontTlsPort !== undefined ? { tlsAddress: { host, port: options.frontTlsPort } } : {}),
    },
  };
}
