/* line-model - a tiny line server model for driving the socket runtime in tests
 *
 * Greets with "220 ready" after a timer (so timers are exercised), answers each LF-terminated
 * line with "250 <line>", answers QUIT with "221 bye" and closes. It records every input it got
 * so tests can check what the runtime delivered. Deliberately not SMTP: the runtime is protocol-blind.
 */
import { asciiBytes, bytesToLatin1, OutputQueue, type Input, type Micros, type Model, type Output } from '../../models/contract.ts';

export class LineModel implements Model {
  readonly inputs: Input[] = [];
  private readonly out = new OutputQueue();
  private readonly buffers = new Map<string, string>();

  constructor(
    readonly name = 'line',
    private readonly greetDelayUs: Micros = 2_000,
  ) {}

  handle(now: Micros, input: Input): void {
    this.inputs.push(input);
    switch (input.kind) {
      case 'accepted':
        this.buffers.set(input.conn, '');
        this.out.push({ kind: 'timer', timer: `greet ${input.conn}`, at: now + this.greetDelayUs });
        return;
      case 'timeout': {
        const conn = input.timer.slice('greet '.length);
        if (this.buffers.has(conn)) this.reply(conn, '220 ready');
        return;
      }
      case 'bytes': {
        let buffer = (this.buffers.get(input.conn) ?? '') + bytesToLatin1(input.bytes);
        for (let lf = buffer.indexOf('\n'); lf >= 0; lf = buffer.indexOf('\n')) {
          const line = buffer.slice(0, lf).replace(/\r$/, '');
          buffer = buffer.slice(lf + 1);
          if (line.toUpperCase() === 'QUIT') {
            this.reply(input.conn, '221 bye');
            this.out.push({ kind: 'close', conn: input.conn });
            this.buffers.delete(input.conn);
            return;
          }
          this.reply(input.conn, `250 ${line}`);
        }
        this.buffers.set(input.conn, buffer);
        return;
      }
      case 'eof':
        this.out.push({ kind: 'close', conn: input.conn });
        this.buffers.delete(input.conn);
        return;
      case 'reset':
        this.buffers.delete(input.conn);
        return;
      default:
        return;
    }
  }

  poll(): Output | undefined {
    return this.out.poll();
  }

  private reply(conn: string, text: string): void {
    this.out.push({ kind: 'write', conn, bytes: asciiBytes(`${text}\r\n`) });
    this.out.push({ kind: 'log', program: 'line', line: `${conn}: ${text}`, conn });
  }
}

/** A model that opens one outgoing connection at start and records what happens to it. */
export class DialModel implements Model {
  readonly inputs: Input[] = [];
  private readonly out = new OutputQueue();

  constructor(
    readonly name: string,
    private readonly to: { host: string; port: number },
    private readonly send: string,
    /** SO_KEEPALIVE on the dialled socket. */
    private readonly keepAlive = false,
  ) {}

  start(): void {
    this.out.push({ kind: 'connect', conn: 'dial', to: this.to, noDelay: true, keepAlive: this.keepAlive });
  }

  handle(_now: Micros, input: Input): void {
    this.inputs.push(input);
    if (input.kind === 'connected') {
      this.out.push({ kind: 'write', conn: 'dial', bytes: asciiBytes(this.send) });
      this.out.push({ kind: 'shutdown', conn: 'dial' });
    }
    if (input.kind === 'eof') this.out.push({ kind: 'close', conn: 'dial' });
  }

  poll(): Output | undefined {
    return this.out.poll();
  }
}

/**
 * A one-way relay like a proxy's: each accepted client gets a connection to `to`, and its bytes go
 * there one timer later (as the fronts' relays do), the connection's end after them. The timer hop
 * makes the runtime charge the write to the client through the timer (back-pressure.ts).
 */
export class RelayModel implements Model {
  private readonly out = new OutputQueue();
  private readonly queued = new Map<string, Uint8Array[]>();
  private readonly ended = new Set<string>();

  constructor(
    readonly name: string,
    private readonly to: { host: string; port: number },
  ) {}

  handle(now: Micros, input: Input): void {
    switch (input.kind) {
      case 'accepted':
        this.queued.set(input.conn, []);
        this.out.push({ kind: 'connect', conn: `up ${input.conn}`, to: this.to, noDelay: false });
        return;
      case 'bytes':
        this.queued.get(input.conn)?.push(input.bytes);
        this.out.push({ kind: 'timer', timer: input.conn, at: now });
        return;
      case 'eof':
        this.ended.add(input.conn);
        this.out.push({ kind: 'timer', timer: input.conn, at: now });
        return;
      case 'timeout': {
        const client = input.timer;
        for (const bytes of this.queued.get(client)?.splice(0) ?? []) this.out.push({ kind: 'write', conn: `up ${client}`, bytes });
        if (this.ended.has(client)) this.out.push({ kind: 'shutdown', conn: `up ${client}` });
        return;
      }
      default:
        return;
    }
  }

  poll(): Output | undefined {
    return this.out.poll();
  }
}
