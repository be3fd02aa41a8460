/* scripted-peer - a tiny test model: answers each received message with timed writes, one message at a time
 *
 * A "message" is a CRLF line (server role) or a whole SMTP reply, ending with a
 * line whose fourth character is a space (client role). Messages are processed in
 * order; while one is being processed the next waits unread, like a busy daemon.
 */
import { OutputQueue, asciiBytes, bytesToLatin1, type ConnId, type Input, type Model, type Output, type SocketAddress } from '../../models/contract.ts';

export interface Step {
  /** Delay before this write, counted from the previous step (or from the message's arrival). */
  readonly afterUs: number;
  readonly text: string;
}

export interface ScriptedPeerOptions {
  readonly name: string;
  readonly role: 'client' | 'server';
  /** Client role: where to connect. */
  readonly connectTo?: SocketAddress;
  readonly noDelay?: boolean;
  /** Steps once connected/accepted (a server's banner). */
  readonly onOpen?: readonly Step[];
  /** Steps for the i-th message received. */
  readonly onMessage?: readonly (readonly Step[])[];
  /** After the last scripted step of the last message: shutdown / close / abort. */
  readonly finally?: 'shutdown' | 'close' | 'abort';
}

export class ScriptedPeer implements Model {
  readonly name: string;
  readonly received: { t: number; text: string }[] = [];
  readonly inputs: { t: number; kind: Input['kind'] }[] = [];
  private readonly out = new OutputQueue();
  private conn: ConnId | null = null;
  private buffer = '';
  private messages = 0;
  private readonly pending: Step[][] = [];
  private busy = false;
  private stepsLeft: Step[] = [];
  private timerCount = 0;

  constructor(private readonly options: ScriptedPeerOptions) {
    this.name = options.name;
  }

  start(): void {
    if (this.options.role === 'client' && this.options.connectTo) {
      this.out.push({ kind: 'connect', conn: 'out', to: this.options.connectTo, noDelay: this.options.noDelay ?? false });
    }
  }

  handle(now: number, input: Input): void {
    this.inputs.push({ t: now, kind: input.kind });
    switch (input.kind) {
      case 'accepted':
      case 'connected':
        this.conn = input.conn;
        if (this.options.onOpen) this.enqueue(this.options.onOpen.slice(), now);
        return;
      case 'bytes': {
        const text = bytesToLatin1(input.bytes);
        this.received.push({ t: now, text });
        this.buffer += text;
        this.splitMessages(now);
        return;
      }
      case 'timeout':
        this.runStep(now);
        return;
      default:
        return;
    }
  }

  poll(): Output | undefined {
    return this.out.poll();
  }

  private splitMessages(now: number): void {
    // bounded by the buffer length: each pass removes one complete message
    while (true) {
      const end = this.messageEnd();
      if (end === 0) return;
      this.buffer = this.buffer.slice(end);
      const steps = this.options.onMessage?.[this.messages++];
      if (steps) this.enqueue(steps.slice(), now);
    }
  }

  private messageEnd(): number {
    let from = 0;
    while (true) {
      const eol = this.buffer.indexOf('\r\n', from);
      if (eol < 0) return 0;
      if (this.options.role === 'server' || this.buffer.charAt(from + 3) !== '-') return eol + 2;
      from = eol + 2;
    }
  }

  private enqueue(steps: Step[], now: number): void {
    this.pending.push(steps);
    if (!this.busy) this.next(now);
  }

  private next(now: number): void {
    const steps = this.pending.shift();
    if (!steps) {
      this.busy = false;
      return;
    }
    this.busy = true;
    this.stepsLeft = steps;
    this.arm(now);
  }

  private arm(now: number): void {
    const step = this.stepsLeft[0];
    if (!step) {
      const lastMessage = this.messages >= (this.options.onMessage?.length ?? 0) && this.pending.length === 0;
      if (lastMessage && this.options.finally && this.conn) this.out.push({ kind: this.options.finally, conn: this.conn });
      this.next(now);
      return;
    }
    this.out.push({ kind: 'timer', timer: `step${this.timerCount++}`, at: now + step.afterUs });
  }

  private runStep(now: number): void {
    const step = this.stepsLeft.shift();
    if (step && this.conn) this.out.push({ kind: 'write', conn: this.conn, bytes: asciiBytes(step.text) });
    this.arm(now);
  }
}
