/* smtpd - the Postfix smtpd model: one instance (shared queue), one session per connection
 *
 * The factory the simulator and the socket runtime use: createPostfix(config) returns a
 * contract Model that accepts connections, routes bytes/EOF/timers to their session,
 * and exposes the instance's queue of accepted messages.
 */
import { bytesToLatin1, OutputQueue, type Input, type Micros, type Model, type Output } from '../contract.js';
import { labPreset, type PostfixConfig } from './config.js';
import { KEEP_EVERYTHING, PostfixQueue, type QueueRetention } from './queue.js';
import { SmtpdSession, type SmtpdShared } from './session.js';

export type PostfixModel = Model & { readonly queue: PostfixQueue; readonly config: PostfixConfig };

class PostfixSmtpd implements PostfixModel {
  readonly name = 'postfix';
  /**
   * SO_KEEPALIVE on every TCP connection smtpd takes: single_server.c accepts with inet_accept() ->
   * sane_accept(), which sets it on each AF_INET/AF_INET6 socket (v3.7.11 util/sane_accept.c, "Work
   * around NAT induced damage"). smtpd's own timeouts (smtpd_timeout) end a silent peer long before.
   */
  readonly keepAliveOnAccept = true;
  readonly queue: PostfixQueue;
  private readonly out = new OutputQueue();
  private readonly sessions = new Map<string, SmtpdSession>();
  private readonly shared: SmtpdShared;

  constructor(
    readonly config: PostfixConfig,
    retention: QueueRetention,
  ) {
    this.queue = new PostfixQueue(retention);
    this.shared = { config, queue: this.queue, out: this.out, ehloCount: config.processReused ? 1 : 0, sessionCount: config.processReused ? 1 : 0, anvilCounts: new Map(), sessionsFailed: 0 };
  }

  handle(now: Micros, input: Input): void {
    this.route(now, input);
    // A finished session keeps nothing the driver can still reach.
    for (const [conn, session] of this.sessions) if (session.closed) this.sessions.delete(conn);
  }

  private route(now: Micros, input: Input): void {
    switch (input.kind) {
      case 'accepted': {
        const session = new SmtpdSession(this.shared, input.conn, input.local, input.remote);
        this.sessions.set(input.conn, session);
        session.start(now);
        return;
      }
      case 'bytes':
        return this.sessions.get(input.conn)?.bytes(now, bytesToLatin1(input.bytes));
      case 'eof':
      case 'reset':
        return this.sessions.get(input.conn)?.endOfInput(now, input.kind === 'reset');
      case 'timeout': {
        const conn = input.timer.slice(0, input.timer.lastIndexOf('/'));
        return this.sessions.get(conn)?.timeout(now, input.timer);
      }
      default:
        return; // smtpd opens no outgoing connections
    }
  }

  poll(): Output | undefined {
    return this.out.poll();
  }
}

/** A Postfix smtpd instance; defaults to the recorded lab stack, keeping every message it queues. */
export function createPostfix(config: PostfixConfig = labPreset(), retention: QueueRetention = KEEP_EVERYTHING): PostfixModel {
  return new PostfixSmtpd(config, retention);
}
