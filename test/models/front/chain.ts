/* chain - the lab chain in the simulator for front-model tests: swaks-like client -> front -> Postfix model, front -> auth model
 *
 * Addresses as recorded (raw/listeners.txt): the front on 127.0.0.1:1587, Postfix on 127.0.0.1:10025;
 * the auth service (Mailu admin) on 127.0.0.1:8080.
 */
import { Simulation, type LinkOptions } from '../../../sim/simulation.ts';
import { SmtpClient, swaksScript, type SwaksOptions } from '../../../models/client/index.ts';
import { createPostfix } from '../../../models/postfix/smtpd.ts';
import { labPreset, type PostfixConfig } from '../../../models/postfix/config.ts';
import { createFront, type FrontKind } from '../../../models/front/index.ts';
import type { DovecotFrontConfig } from '../../../models/front/config.ts';
import { createAuthService, type AuthServiceConfig } from '../../../models/auth/index.ts';
import type { TraceEvent } from '../../../sim/trace.ts';

export interface ChainOptions {
  readonly kind?: Exclude<FrontKind, 'nginx'>;
  readonly seed?: number;
  readonly postfix?: Partial<PostfixConfig>;
  readonly postfixLink?: LinkOptions;
  readonly front?: Partial<DovecotFrontConfig>;
  readonly auth?: Partial<AuthServiceConfig> | 'absent';
  readonly client?: Partial<SwaksOptions>;
}

export function runChain(options: ChainOptions = {}) {
  const sim = new Simulation({ seed: options.seed ?? 1 });
  const postfix = createPostfix(labPreset(options.postfix));
  sim.addNode(postfix, { listen: [{ host: '127.0.0.1', port: 10025, link: options.postfixLink ?? { profile: 'linux-default' } }] });
  if (options.auth !== 'absent') sim.addNode(createAuthService(options.auth ?? {}), { listen: [{ host: '127.0.0.1', port: 8080 }] });
  const front = createFront(options.kind ?? 'dovecot-2.3', options.front ?? {});
  sim.addNode(front, { listen: [{ host: '127.0.0.1', port: 1587 }] });
  const client = new SmtpClient(swaksScript({
    connectTo: { host: '127.0.0.1', port: 1587 }, user: 'alice@example.test', password: 'secret', helo: 'client.example.test',
    auth: 'PLAIN', pipelining: false, ...options.client,
  }));
  sim.addNode(client);
  sim.runUntilIdle(2_000_000);
  const events = sim.trace.events;
  return { sim, client, postfix, events };
}

/** The front's application writes on its backend connections, one entry per write(), grouped by connection. */
export function backendWrites(events: readonly TraceEvent[]): string[][] {
  const byConn = new Map<string, string[]>();
  for (const e of events) {
    if (e.kind !== 'write' || e.from !== 'front' || e.to !== 'postfix') continue;
    const conn = String(e.conn);
    if (!byConn.has(conn)) byConn.set(conn, []);
    byConn.get(conn)!.push(String(e.data));
  }
  return [...byConn.values()];
}

/** What the client received, as one string per write of the front towards the client. */
export function clientReceived(events: readonly TraceEvent[]): string {
  return events.filter((e) => e.kind === 'write' && e.from === 'front' && e.to === 'client').map((e) => String(e.data)).join('');
}

export function writeTimes(events: readonly TraceEvent[], from: string, to: string, match: RegExp): number[] {
  return events.filter((e) => e.kind === 'write' && e.from === from && e.to === to && match.test(String(e.data))).map((e) => e.t);
}

/** Times of the front's connects to the backend (Postfix on port 10025). */
export function backendConnects(events: readonly TraceEvent[]): number[] {
  return events.filter((e) => e.kind === 'connect' && e.node === 'front' && (e.remote as { port: number }).port === 10025).map((e) => e.t);
}
