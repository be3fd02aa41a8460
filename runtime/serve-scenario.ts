/* serve-scenario - the model side of a scenario on loopback sockets, with the backend of choice
 *
 * Scenario keys become model configurations in exactly one place (scenarios/topology.ts); this
 * file only moves the result onto 127.0.0.1. Two loopback-specific changes, both stated:
 *   - Mailu's layout puts the front, auth service and Postfix on a Docker /24; on loopback all
 *     three are 127.0.0.1, so the model Postfix trusts 127.0.0.0/8 for XCLIENT and mynetworks
 *     (and, unlike in Mailu, so does a client that connects from 127.0.0.1: its own XCLIENT
 *     would be authorized);
 *   - the backend can be the model Postfix, nodemailer's smtp-server with useXClient (lenient),
 *     or a server someone else started (ExternalBackend: the real Postfix 3.7.11 of
 *     conformance/real-backend.ts, which `serve --backend real` starts first).
 * Only the front has a fixed default port (the scenario's front.port); the auth service and the
 * backend take any free port unless told otherwise, so a running `serve` never holds a port
 * that another lab needs.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { SocketAddress } from '../models/contract.ts';
import type { PostfixConfig } from '../models/postfix/config.ts';
import type { Scenario } from '../scenarios/scenario.ts';
import { FRONT_SCENARIOS } from '../scenarios/fronts.ts';
import { authConfigOf, isRealStackLayout, postfixConfigOf } from '../scenarios/topology.ts';
import { FRONT_LISTENER_LIMITS } from './daemon-limits.ts';
import type { ListenerLimits, RuntimeEventListener, WhenFull } from './socket/index.ts';
import { startTopology, type RunningTopology } from './topology.ts';

/** A backend already listening on 127.0.0.1, started by the caller; the serve stops it when it closes. */
export interface ExternalBackend {
  readonly port: number;
  /** The listener line for the user ("postfix 127.0.0.1:N (real Postfix 3.7.11, ...)"). */
  readonly description: string;
  stop(): Promise<void>;
}

export type ServeBackend = 'model' | 'smtp-server' | ExternalBackend;

export interface ServeOptions {
  readonly backend: ServeBackend;
  /** Front port; default the scenario's front.port. 0 picks a free port. */
  readonly port?: number;
  /** Also a TLS (465-style) front listener on this port. */
  readonly tlsPort?: number;
  /** The backend's port (model Postfix, real Postfix or smtp-server); 0 or missing: any free port. */
  readonly backendPort?: number;
  /** The auth service's port; 0 or missing: any free port. */
  readonly authPort?: number;
  /** The front's client limits; default its daemon's (runtime/daemon-limits.ts). */
  readonly frontLimits?: ListenerLimits;
  /** main.cf settings of the model Postfix over the scenario's (the load test lifts message_size_limit for its 100 MB message). */
  readonly postfixSettings?: Partial<PostfixConfig>;
  readonly host?: string;
  readonly onEvent?: RuntimeEventListener;
  /** Called for each message the smtp-server backend receives. */
  readonly onLenientMessage?: (summary: string) => void;
}

export interface RunningServe {
  readonly topology: RunningTopology;
  /** One line per listener, for the user: "front 127.0.0.1:587 (dovecot-2.3)". */
  readonly listeners: readonly string[];
  close(): Promise<void>;
}

export async function serveScenario(scenario: Scenario, options: ServeOptions): Promise<RunningServe> {
  const kind = scenario.get('front.model');
  const frontPort = options.port ?? scenario.get('front.port');
  const closers: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const closer of closers.splice(0).reverse()) await closer();
  };
  try {
    let backendLine = '';
    let backendPort = options.backendPort ?? 0;
    if (typeof options.backend === 'object') {
      const external = options.backend;
      closers.push(() => external.stop());
      backendPort = external.port;
      backendLine = external.description;
    } else if (options.backend === 'smtp-server') {
      const server = lenientServer(options.onLenientMessage ?? (() => undefined));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(backendPort, '127.0.0.1', resolve);
      });
      closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
      backendPort = (server.server.address() as AddressInfo).port;
      backendLine = `backend 127.0.0.1:${backendPort} (smtp-server with useXClient: lenient)`;
    }
    const postfix = options.backend === 'model' ? { ...loopbackPostfix(scenario), ...options.postfixSettings } : null;
    const topology = await startTopology({
      front: kind,
      frontPort,
      ...(options.tlsPort !== undefined ? { frontTlsPort: options.tlsPort } : {}),
      frontConfig: FRONT_SCENARIOS[kind].configOf(scenario),
      auth: scenario.get('auth.fault') === 'refused' ? null : authConfigOf(scenario),
      ...(options.authPort !== undefined ? { authPort: options.authPort } : {}),
      postfix,
      ...(options.frontLimits ? { frontLimits: options.frontLimits } : {}),
      backendPorts: { authenticated: backendPort },
      ...(options.host ? { host: options.host } : {}),
      runtime: { ...(options.onEvent ? { onEvent: options.onEvent } : {}) },
    });
    closers.push(() => topology.close());
    const at = (a: SocketAddress) => `${a.host}:${a.port}`;
    const frontLimits = options.frontLimits ?? FRONT_LISTENER_LIMITS[kind];
    const listeners = [
      `front ${at(topology.front)} (${kind})`,
      ...(topology.frontTls ? [`front ${at(topology.frontTls)} (${kind}, TLS, self-signed)`] : []),
      `  clients: at most ${frontLimits.maxConnections} at once (${frontLimits.setting}); then ${WHEN_FULL_TEXT[frontLimits.whenFull]}`,
      topology.auth ? `auth ${at(topology.auth)} (Mailu auth service model)` : 'auth: no listener (auth.fault=refused)',
      ...(postfix ? topology.postfix.map((a) => `postfix ${at(a)} (model, Postfix ${postfix.mail_version}, smtpd_forbid_unauth_pipelining=${postfix.smtpd_forbid_unauth_pipelining ? 'yes' : 'no'})`) : [backendLine]),
    ];
    return { topology, listeners, close };
  } catch (error) {
    await close();
    throw error;
  }
}

const WHEN_FULL_TEXT: Readonly<Record<WhenFull, string>> = {
  close: 'a new client is closed at once',
  wait: 'a new client waits in the accept queue',
  'make-room': 'the oldest client not logged in yet is dropped for a new one',
};

function loopbackPostfix(scenario: Scenario) {
  const config = postfixConfigOf(scenario);
  if (isRealStackLayout(scenario)) return config;
  // A list the user gave is theirs (e.g. empty, to watch a front that is not offered XCLIENT).
  const xclientHosts = scenario.given.has('postfix.smtpd_authorized_xclient_hosts') ? config.smtpd_authorized_xclient_hosts : ['127.0.0.0/8'];
  return { ...config, smtpd_authorized_xclient_hosts: xclientHosts, mynetworks: ['127.0.0.0/8'] };
}

/** nodemailer's smtp-server as a lenient backend: XCLIENT allowed from anywhere, every message accepted. */
export function lenientServer(onMessage: (summary: string) => void): SMTPServer {
  return new SMTPServer({
    useXClient: true,
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    // XCLIENT LOGIN= arrives as an onAuth call with method XCLIENT: take it as the identity.
    onAuth: (auth, _session, callback) => callback(null, { user: auth.username }),
    onData: (stream, session, callback) => {
      let bytes = 0;
      stream.on('data', (chunk: Buffer) => (bytes += chunk.length));
      stream.on('end', () => {
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        onMessage(`smtp-server: message from=<${from}> user=${String(session.user)} size=${bytes}`);
        callback();
      });
    },
  });
}
