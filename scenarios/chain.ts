/* chain - the mail chain, built once for both drivers: Postfix, Mailu's auth service, the front proxy
 *
 *   client ──▶ front ──HTTP──▶ auth service (answers: Postfix at <backend host>:<its bound ports>)
 *                │
 *                └──▶ Postfix (model), or a server that already listens there (real Postfix, smtp-server)
 *
 * The simulator (run.ts) and the socket runtime (runtime/topology.ts) differ only in how a node
 * is placed: the simulator puts it at the addresses asked for, at once, each listener on its hop's
 * TCP link; the runtime opens loopback sockets, asynchronously, where port 0 becomes a free port.
 * Which node comes first, what each is configured with and whom it is pointed at is decided here
 * alone: the builder is a generator that yields each node with its listeners and is resumed with
 * the addresses the driver bound, so a synchronous and an asynchronous driver run the same steps.
 * The order is part of the simulator's determinism (each node's random stream follows its index).
 */
import type { Model, SocketAddress } from '../models/contract.ts';
import { createAuthService, type AuthServiceConfig } from '../models/auth/index.ts';
import { FRONT_MODELS, frontModel, type AnyFrontConfig, type FrontKind, type FrontPeers } from '../models/front/index.ts';
import type { PostfixConfig } from '../models/postfix/config.ts';
import type { QueueRetention } from '../models/postfix/queue.ts';
import { createPostfix, type PostfixModel } from '../models/postfix/smtpd.ts';

/** Postfix's two services in Mailu: authenticated mail (Mailu's 10025) and port-25 delivery (25, for nginx's port-25 listener). */
export interface BackendPorts {
  readonly authenticated: number;
  readonly unauthenticated: number;
}

/** What a listener is for: the driver picks the TCP link (simulator) or the client limits and TLS (runtime) by it. */
export type ListenerRole = 'postfix-submission' | 'postfix-smtp' | 'auth' | 'front' | 'front-tls';
export type NodeRole = 'postfix' | 'auth' | 'front';

export interface ListenRequest {
  readonly role: ListenerRole;
  /** Port 0: any free port (socket runtime only; the simulator binds what it is given). */
  readonly address: SocketAddress;
}

export interface NodeRequest {
  readonly role: NodeRole;
  readonly model: Model;
  /** The node's host (its listeners' host). */
  readonly host: string;
  readonly listen: readonly ListenRequest[];
}

export type PostfixPlan =
  /** The model Postfix, listening on `host` at `ports` (port 25's service only for a front that reaches it). */
  | { readonly model: PostfixConfig; readonly retention?: QueueRetention; readonly host: string; readonly ports: BackendPorts }
  /** A server someone else started, already listening at `host`:`ports`. */
  | { readonly external: true; readonly host: string; readonly ports: BackendPorts };

export type AuthPlan =
  | { readonly config: Partial<AuthServiceConfig>; readonly address: SocketAddress }
  /** No listener at all (auth.fault = refused): the front's connections to `address` are refused. */
  | { readonly refusedAt: SocketAddress };

export interface ChainPlan {
  readonly postfix: PostfixPlan;
  readonly auth: AuthPlan;
  readonly front: {
    readonly kind: FrontKind;
    /** The front's configuration once its peers' addresses are known. */
    config(peers: FrontPeers): Partial<AnyFrontConfig>;
    readonly address: SocketAddress;
    /** A second, TLS-terminating listener (465-style; socket runtime only). */
    readonly tlsAddress?: SocketAddress;
  };
}

export interface Chain {
  /** Null when the backend is an external server. */
  readonly postfix: PostfixModel | null;
  readonly postfixListeners: readonly SocketAddress[];
  /** The ports the auth service sends the front to. */
  readonly backendPorts: BackendPorts;
  /** Null when the plan has no auth listener. */
  readonly auth: Model | null;
  readonly authAddress: SocketAddress;
  readonly front: Model;
  readonly frontListeners: readonly SocketAddress[];
}

type Builder = Generator<NodeRequest, Chain, readonly SocketAddress[]>;

function* chainSteps(plan: ChainPlan): Builder {
  const reachesPort25 = FRONT_MODELS[plan.front.kind].reachesPort25;
  let postfix: PostfixModel | null = null;
  let postfixListeners: readonly SocketAddress[] = [];
  let backendPorts = plan.postfix.ports;
  if ('model' in plan.postfix) {
    const { host, ports } = plan.postfix;
    postfix = createPostfix(plan.postfix.model, plan.postfix.retention);
    const listen: ListenRequest[] = [{ role: 'postfix-submission', address: { host, port: ports.authenticated } }];
    if (reachesPort25) listen.push({ role: 'postfix-smtp', address: { host, port: ports.unauthenticated } });
    postfixListeners = yield { role: 'postfix', model: postfix, host, listen };
    // Without a port-25 service, Mailu's unauthenticated answer has nowhere else to go.
    backendPorts = { authenticated: postfixListeners[0]!.port, unauthenticated: (postfixListeners[1] ?? postfixListeners[0]!).port };
  }
  const backendHost = plan.postfix.host;

  let auth: Model | null = null;
  let authAddress: SocketAddress;
  if ('config' in plan.auth) {
    // Mailu's get_server answers Postfix's address and ports; here the ones the backend actually has.
    auth = createAuthService({ ...plan.auth.config, SMTP_ADDRESS: backendHost, IMAP_ADDRESS: backendHost, smtpPorts: backendPorts });
    [authAddress] = (yield { role: 'auth', model: auth, host: plan.auth.address.host, listen: [{ role: 'auth', address: plan.auth.address }] }) as [SocketAddress];
  } else {
    authAddress = plan.auth.refusedAt;
  }

  const row = frontModel(plan.front.kind);
  const front = row.create(plan.front.config({ authService: authAddress, backend: { host: backendHost, port: backendPorts.authenticated } }));
  const listen: ListenRequest[] = [{ role: 'front', address: plan.front.address }];
  if (plan.front.tlsAddress) listen.push({ role: 'front-tls', address: plan.front.tlsAddress });
  const frontListeners = yield { role: 'front', model: front, host: plan.front.address.host, listen };
  return { postfix, postfixListeners, backendPorts, auth, authAddress, front, frontListeners };
}

/** The chain of `plan`, each node placed by `place` (the simulator's: at once, at the addresses asked for). */
export function buildChain(plan: ChainPlan, place: (node: NodeRequest) => readonly SocketAddress[]): Chain {
  const steps = chainSteps(plan);
  for (let step = steps.next(); ; ) {
    if (step.done) return step.value;
    step = steps.next(place(step.value));
  }
}

/** The chain of `plan`, each node placed by `place` (the socket runtime's: listening sockets, free ports for 0). */
export async function buildChainAsync(plan: ChainPlan, place: (node: NodeRequest) => Promise<readonly SocketAddress[]>): Promise<Chain> {
  const steps = chainSteps(plan);
  for (let step = steps.next(); ; ) {
    if (step.done) return step.value;
    step = steps.next(await place(step.value));
  }
}
