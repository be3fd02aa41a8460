/* runtime - drive sans-I/O models (models/contract.ts) over real TCP sockets
 *
 * The socket twin of the simulator: the same Model objects, the same Input/Output records,
 * but bytes travel through the host kernel on 127.0.0.1 and `now` is wall-clock microseconds.
 * So a real swaks, nodemailer, Dovecot or Postfix can sit on either side of any model.
 *
 *   const rt = new SocketRuntime();
 *   const [addr] = await rt.addNode(postfix, { listen: [{ port: 0 }] });   // 0: any free port
 *   ... a real client connects to addr ...
 *   await rt.close();
 *
 * Output → socket action: connect → net.connect (setNoDelay and setKeepAlive per output; an accepted
 * socket gets the model's keepAliveOnAccept), write → one
 * socket.write, shutdown → end() (FIN, reading goes on), close → end() and nothing more is
 * read (later bytes get an RST, as the kernel does for a closed socket), abort →
 * resetAndDestroy() (RST). Socket events → Input: connection → accepted, connect →
 * connected, data → bytes, end → eof, ECONNRESET/close without FIN → reset (ETIMEDOUT: the reset
 * carries errno ETIMEDOUT, as the kernel's keepalive or retransmission give-up reports it).
 * Caps (limits.ts) reset the offending connection only; the listeners stay up. Each listener holds
 * its own clients (listener-limits.ts), so the lab's internal connections never compete with
 * clients, and a socket whose bytes fill a peer's buffer is not read until it drains
 * (back-pressure.ts).
 */
import net from 'node:net';
import tls from 'node:tls';
import type { ConnId, Input, KeepAlive, Micros, Model, Output, SocketAddress } from '../../models/contract.ts';
import { bytesToLatin1 } from '../../models/contract.ts';
import { WallClock } from './clock.ts';
import type { RuntimeEvent, RuntimeEventListener } from './events.ts';
import { hold, newFlow, release, type Flow } from './back-pressure.ts';
import { EventRing } from './event-ring.ts';
import { RuntimeEventLog } from './event-log.ts';
import { DEFAULT_LIMITS, type RuntimeLimits } from './limits.ts';
import { ACCEPT_QUEUE_MAX, LAB_LISTENER_LIMITS, type ListenerLimits } from './listener-limits.ts';
import { SlotPool } from './slot-pool.ts';
import { TimerWheel } from './timers.ts';

export interface TlsIdentity {
  readonly key: string;
  readonly cert: string;
}

export interface ListenSpec {
  /** Defaults to 127.0.0.1: the lab never listens beyond loopback unless told to. */
  readonly host?: string;
  /** 0 picks a free port; the bound address is returned by addNode. */
  readonly port: number;
  /** Terminate TLS on this listener (a 465-style port); the model sees the plaintext. */
  readonly tls?: TlsIdentity;
  /** TCP_NODELAY on accepted sockets; off by default, as for a plain accept(). */
  readonly noDelay?: boolean;
  /**
   * How many clients it holds and what it does with one more; LAB_LISTENER_LIMITS when missing.
   * A node's listeners given the same object share its slots, as the ports of one daemon service
   * do (Dovecot's submission and submissions listeners of one submission-login service).
   */
  readonly limits?: ListenerLimits;
}

export interface NodeOptions {
  readonly listen?: readonly ListenSpec[];
}

export interface SocketRuntimeOptions {
  readonly limits?: Partial<RuntimeLimits>;
  /** Called for every event as it happens (serve streams them as JSON Lines). */
  readonly onEvent?: RuntimeEventListener;
  /** Events kept in memory for `events` (default 100,000); older ones are dropped first. */
  readonly keepEvents?: number;
  /** Memory the kept events may take (EventRing's estimate; default 16 MiB); older ones are dropped first. */
  readonly keepEventBytes?: number;
}

/** What the runtime holds for connections and timers now: all zero once every session is over and no timer is set. */
export interface RuntimeHeld {
  readonly connections: number;
  /** Connections waiting in a listener's accept queue. */
  readonly queuedClients: number;
  readonly timers: number;
  /** Timers remembered with the connection whose bytes set them (back-pressure.ts). */
  readonly timerSources: number;
}

interface NodeState {
  readonly name: string;
  readonly model: Model;
  readonly servers: net.Server[];
  /** Slots by the limits object that defines them: listeners given the same one share them. */
  readonly pools: Map<ListenerLimits, SlotPool<ListenerState>>;
  acceptCount: number;
  /** Outgoing connections open now (they take slots on a listener that `countsOutgoing`). */
  outgoingOpen: number;
}

interface ListenerState {
  readonly node: NodeState;
  readonly spec: ListenSpec;
  readonly pool: SlotPool<ListenerState>;
}

interface ConnState {
  readonly id: ConnId;
  readonly node: NodeState;
  readonly socket: net.Socket;
  /** The listener it was accepted on; undefined for an outgoing connection. */
  readonly listener: ListenerState | undefined;
  readonly flow: Flow;
  /** Its slot (on its listener, or as an outgoing connection) is free again. */
  slotReleased: boolean;
  established: boolean;
  bytesSinceLf: number;
  localEnded: boolean;
  peerEnded: boolean;
  /** The model called close(): it reads nothing more and gets no further input. */
  modelClosed: boolean;
  /** The model has been told this connection is gone (reset/connectFailed). */
  finished: boolean;
  /** The kernel failed the socket with ETIMEDOUT (keepalive or retransmissions gave up): the reset carries that errno. */
  timedOut: boolean;
  connectTimer?: NodeJS.Timeout;
}

export class SocketRuntime extends RuntimeEventLog {
  readonly limits: RuntimeLimits;
  private readonly clock = new WallClock();
  private readonly timers: TimerWheel;
  private readonly nodes = new Map<string, NodeState>();
  /** Keyed by node and ConnId: each model names its own outgoing connections. */
  private readonly conns = new Map<string, ConnState>();
  private readonly pending: Array<{ node: NodeState; what: string; step: (now: Micros) => void; source: ConnState | undefined }> = [];
  /** The connection whose bytes led to the input being handled: outputs are charged to it. */
  private source: ConnState | undefined;
  /** The connection whose bytes set each timer (by owner and name), so the timer's outputs are charged to it. */
  private readonly timerSources = new Map<string, ConnState>();
  private draining = false;
  private closed = false;

  constructor(options: SocketRuntimeOptions = {}) {
    super(new EventRing(options.keepEvents ?? 100_000, options.keepEventBytes ?? 16 * 1024 * 1024));
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    if (options.onEvent) this.onEvent(options.onEvent);
    this.timers = new TimerWheel(this.clock, (owner, timer) => {
      const node = this.nodes.get(owner);
      const key = timerKey(owner, timer);
      const source = this.timerSources.get(key);
      this.timerSources.delete(key);
      if (node) this.deliver(node, { kind: 'timeout', timer }, source);
    });
  }

  /** Wall-clock microseconds since this runtime was created. */
  now(): Micros {
    return this.clock.now();
  }

  /**
   * Add a model: bind its listeners (127.0.0.1 unless a host is given), then call its
   * start(now). Returns the bound addresses in the order of `options.listen`.
   */
  async addNode(model: Model, options: NodeOptions = {}): Promise<SocketAddress[]> {
    if (this.closed) throw new Error('runtime is closed');
    if (this.nodes.has(model.name)) throw new Error(`a node named '${model.name}' is already running`);
    const node: NodeState = { name: model.name, model, servers: [], pools: new Map(), acceptCount: 0, outgoingOpen: 0 };
    this.nodes.set(model.name, node);
    const bound: SocketAddress[] = [];
    for (const spec of options.listen ?? []) bound.push(await this.listen(node, spec));
    model.start?.(this.now());
    this.drain(node);
    return bound;
  }

  /** Counts of the per-connection and per-timer tables: a load test's check that finished sessions leave nothing behind. */
  held(): RuntimeHeld {
    let queuedClients = 0;
    for (const node of this.nodes.values()) for (const pool of node.pools.values()) queuedClients += pool.queued;
    return { connections: this.conns.size, queuedClients, timers: this.timers.pending, timerSources: this.timerSources.size };
  }

  /** Stop listening, reset every connection, cancel every timer. Models get no more input. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.timers.stop();
    for (const conn of this.conns.values()) {
      if (conn.connectTimer) clearTimeout(conn.connectTimer);
      conn.socket.destroy();
    }
    this.conns.clear();
    for (const node of this.nodes.values()) for (const pool of node.pools.values()) pool.destroyQueued();
    const servers = [...this.nodes.values()].flatMap((n) => n.servers);
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  private listen(node: NodeState, spec: ListenSpec): Promise<SocketAddress> {
    const host = spec.host ?? '127.0.0.1';
    const limits = spec.limits ?? LAB_LISTENER_LIMITS;
    let pool = node.pools.get(limits);
    if (!pool) node.pools.set(limits, (pool = new SlotPool(limits)));
    const listener: ListenerState = { node, spec, pool };
    const onSocket = (socket: net.Socket) => this.arrived(listener, socket);
    const server = spec.tls
      ? tls.createServer({ key: spec.tls.key, cert: spec.tls.cert, allowHalfOpen: true }, onSocket)
      : net.createServer({ allowHalfOpen: true }, onSocket);
    // A failed TLS handshake is the client's problem; the listener carries on.
    server.on('tlsClientError', (error: Error) => this.record({ t: this.now(), kind: 'error', node: node.name, message: `tls: ${error.message}` }));
    node.servers.push(server);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      // A backlog as deep as the accept queue the pools allow, so a burst of connects is not
      // dropped by the kernel at Node's default of 511 before the pool can queue it.
      server.listen({ port: spec.port, host, backlog: ACCEPT_QUEUE_MAX }, () => {
        server.off('error', reject);
        server.on('error', (error) => this.record({ t: this.now(), kind: 'error', node: node.name, message: `listener: ${error.message}` }));
        const address = server.address() as net.AddressInfo;
        this.record({ t: this.now(), kind: 'listen', node: node.name, host, port: address.port, tls: spec.tls !== undefined });
        resolve({ host, port: address.port });
      });
    });
  }

  /** A connection reached the listener: take it, queue it, or refuse it as the listener's daemon does at its cap. */
  private arrived(listener: ListenerState, socket: net.Socket): void {
    socket.on('error', () => undefined);
    if (this.closed) {
      socket.resetAndDestroy();
      return;
    }
    const { node, pool } = listener;
    if (pool.queued === 0 && pool.hasRoom(node.outgoingOpen)) {
      this.accept(listener, socket);
      return;
    }
    this.record({ t: this.now(), kind: 'limit', node: node.name, what: 'maxConnections', setting: pool.limits.setting });
    const full = pool.limits.logWhenFull;
    if (full) this.record({ t: this.now(), kind: 'log', node: node.name, program: full.program, line: full.line });
    if (pool.limits.whenFull === 'close') {
      socket.destroy();
      return;
    }
    if (!pool.enqueue(listener, socket)) {
      socket.resetAndDestroy();
      return;
    }
    const makeRoom = node.model.makeRoom?.bind(node.model);
    if (pool.limits.whenFull === 'make-room' && makeRoom) this.run(node, 'makeRoom', (now) => makeRoom(now));
  }

  /** Slots freed on `node`: take waiting connections, oldest first, while there is room. */
  private admitWaiting(node: NodeState): void {
    for (const pool of node.pools.values()) {
      while (!this.closed && pool.hasRoom(node.outgoingOpen)) {
        const waiting = pool.next();
        if (!waiting) break;
        this.accept(waiting.listener, waiting.socket);
      }
    }
  }

  private accept(listener: ListenerState, socket: net.Socket): void {
    const { node, spec } = listener;
    const id = `${node.name}<${++node.acceptCount}`;
    listener.pool.open++;
    const conn = this.track(node, id, socket, listener);
    conn.established = true;
    socket.setNoDelay(spec.noDelay ?? false);
    // the listener's SO_KEEPALIVE, which Linux copies to every accepted socket
    setKeepAlive(socket, node.model.keepAliveOnAccept ?? false);
    const local = { host: socket.localAddress ?? '', port: socket.localPort ?? 0 };
    const remote = { host: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };
    this.record({ t: this.now(), kind: 'accept', node: node.name, conn: id, local, remote });
    this.deliver(node, { kind: 'accepted', conn: id, local, remote });
  }

  /** The connection no longer takes a slot: the model closed it or the socket is gone. */
  private releaseSlot(conn: ConnState): void {
    if (conn.slotReleased) return;
    conn.slotReleased = true;
    if (conn.listener) conn.listener.pool.open--;
    else conn.node.outgoingOpen--;
    release(conn.flow);
    this.admitWaiting(conn.node);
  }

  private connect(node: NodeState, output: Extract<Output, { kind: 'connect' }>): void {
    if (this.conns.has(connKey(node, output.conn))) {
      this.record({ t: this.now(), kind: 'error', node: node.name, conn: output.conn, message: 'connect: connection id already in use' });
      return;
    }
    this.record({ t: this.now(), kind: 'connect', node: node.name, conn: output.conn, to: output.to, noDelay: output.noDelay });
    const socket = net.connect({ host: output.to.host, port: output.to.port, allowHalfOpen: true });
    socket.setNoDelay(output.noDelay);
    setKeepAlive(socket, output.keepAlive ?? false);
    const conn = this.track(node, output.conn, socket, undefined);
    node.outgoingOpen++;
    conn.connectTimer = setTimeout(() => this.failConnect(conn, 'timeout'), this.limits.connectTimeoutMs);
    socket.once('connect', () => {
      clearTimeout(conn.connectTimer);
      conn.established = true;
      this.record({ t: this.now(), kind: 'connected', node: node.name, conn: conn.id });
      const local = { host: socket.localAddress ?? '', port: socket.localPort ?? 0 };
      const remote = { host: socket.remoteAddress ?? output.to.host, port: socket.remotePort ?? output.to.port };
      this.deliver(node, { kind: 'connected', conn: conn.id, local, remote });
    });
  }

  private failConnect(conn: ConnState, reason: 'refused' | 'timeout'): void {
    if (conn.finished) return;
    conn.finished = true;
    clearTimeout(conn.connectTimer);
    this.record({ t: this.now(), kind: 'refused', node: conn.node.name, conn: conn.id, reason });
    this.forget(conn);
    conn.socket.destroy();
    this.deliver(conn.node, { kind: 'connectFailed', conn: conn.id, reason });
  }

  /** Wire one socket's events to inputs for its model. */
  private track(node: NodeState, id: ConnId, socket: net.Socket, listener: ListenerState | undefined): ConnState {
    const conn: ConnState = {
      id, node, socket, listener, flow: newFlow(socket), slotReleased: false, established: false, bytesSinceLf: 0,
      localEnded: false, peerEnded: false, modelClosed: false, finished: false, timedOut: false,
    };
    this.conns.set(connKey(node, id), conn);
    socket.setTimeout(this.limits.idleTimeoutMs);
    socket.on('timeout', () => this.enforce(conn, 'idleTimeoutMs'));
    socket.on('data', (chunk: Buffer) => this.received(conn, chunk));
    socket.on('end', () => {
      conn.peerEnded = true;
      if (conn.modelClosed || conn.finished) return;
      this.record({ t: this.now(), kind: 'fin', node: node.name, conn: id, from: 'peer' });
      this.deliver(node, { kind: 'eof', conn: id });
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (!conn.established) {
        this.failConnect(conn, error.code === 'ETIMEDOUT' ? 'timeout' : 'refused');
        return;
      }
      conn.timedOut = error.code === 'ETIMEDOUT';
      if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') {
        this.record({ t: this.now(), kind: 'error', node: node.name, conn: id, message: error.message });
      }
    });
    socket.on('drain', () => release(conn.flow));
    socket.on('close', () => this.gone(conn));
    return conn;
  }

  private received(conn: ConnState, chunk: Buffer): void {
    if (conn.finished) return;
    if (conn.modelClosed) {
      // Bytes for a socket the application has closed: the kernel answers with RST.
      this.abortSocket(conn);
      return;
    }
    const lastLf = chunk.lastIndexOf(0x0a);
    conn.bytesSinceLf = lastLf < 0 ? conn.bytesSinceLf + chunk.length : chunk.length - lastLf - 1;
    if (conn.bytesSinceLf > this.limits.maxLineBytes) {
      this.enforce(conn, 'maxLineBytes');
      return;
    }
    const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.record({ t: this.now(), kind: 'recv', node: conn.node.name, conn: conn.id, len: bytes.length, data: bytesToLatin1(bytes) });
    this.deliver(conn.node, { kind: 'bytes', conn: conn.id, bytes }, conn);
  }

  /** The socket is fully closed: tell the model unless the close was orderly or its own doing. */
  private gone(conn: ConnState): void {
    clearTimeout(conn.connectTimer);
    this.forget(conn);
    this.releaseSlot(conn);
    if (conn.finished || conn.modelClosed) return;
    if (!conn.established) {
      this.failConnect(conn, 'refused');
      return;
    }
    if (conn.localEnded && conn.peerEnded) return;
    conn.finished = true;
    this.record({ t: this.now(), kind: 'rst', node: conn.node.name, conn: conn.id, from: 'peer' });
    this.deliver(conn.node, conn.timedOut ? { kind: 'reset', conn: conn.id, errno: 'ETIMEDOUT' } : { kind: 'reset', conn: conn.id });
  }

  /** A cap was hit: reset this connection (only this one) and tell its model. */
  private enforce(conn: ConnState, what: keyof RuntimeLimits): void {
    if (conn.finished) return;
    this.record({ t: this.now(), kind: 'limit', node: conn.node.name, conn: conn.id, what });
    this.abortSocket(conn);
    if (conn.modelClosed) return;
    conn.finished = true;
    this.deliver(conn.node, { kind: 'reset', conn: conn.id });
  }

  private abortSocket(conn: ConnState): void {
    this.forget(conn);
    this.releaseSlot(conn);
    this.record({ t: this.now(), kind: 'rst', node: conn.node.name, conn: conn.id, from: 'local' });
    if (!conn.socket.destroyed) conn.socket.resetAndDestroy();
  }

  private forget(conn: ConnState): void {
    const key = connKey(conn.node, conn.id);
    if (this.conns.get(key) === conn) this.conns.delete(key);
  }

  /** Queue an input and run models until no input is pending (inputs never nest). */
  private deliver(node: NodeState, input: Input, source?: ConnState): void {
    this.run(node, input.kind, (now) => node.model.handle(now, input), source);
  }

  /** Queue a step of a model and run models until no step is pending (steps never nest). */
  private run(node: NodeState, what: string, step: (now: Micros) => void, source?: ConnState): void {
    if (this.closed) return;
    this.pending.push({ node, what, step, source });
    if (this.draining) return;
    this.draining = true;
    try {
      for (let next = this.pending.shift(); next; next = this.pending.shift()) {
        this.source = next.source;
        try {
          next.step(this.now());
        } catch (error) {
          // The contract says models never throw; if one does, the runtime and the
          // other sessions stay up and the failure is on record.
          this.record({ t: this.now(), kind: 'error', node: next.node.name, message: `model threw on ${next.what}: ${String(error)}` });
        }
        this.drain(next.node);
      }
    } finally {
      this.draining = false;
      this.source = undefined;
    }
  }

  private drain(node: NodeState): void {
    for (let count = 0; ; count++) {
      if (count >= this.limits.maxOutputsPerInput) {
        this.record({ t: this.now(), kind: 'limit', node: node.name, what: 'maxOutputsPerInput' });
        return;
      }
      const output = node.model.poll();
      if (!output) return;
      this.perform(node, output);
    }
  }

  private perform(node: NodeState, output: Output): void {
    const t = this.now();
    switch (output.kind) {
      case 'connect':
        this.connect(node, output);
        return;
      case 'timer': {
        const key = timerKey(node.name, output.timer);
        if (this.source && output.at !== null) this.timerSources.set(key, this.source);
        else this.timerSources.delete(key);
        this.timers.set(node.name, output.timer, output.at);
        return;
      }
      case 'log':
        this.record({ t, kind: 'log', node: node.name, program: output.program, line: output.line, ...(output.conn ? { conn: output.conn } : {}) });
        return;
      case 'fact':
        this.record({ t, kind: 'fact', node: node.name, fact: output.fact, ...(output.conn ? { conn: output.conn } : {}) });
        return;
    }
    const conn = this.conns.get(connKey(node, output.conn));
    if (!conn) {
      // Writing to a connection the peer already reset is normal; nothing to do.
      return;
    }
    switch (output.kind) {
      case 'write':
        this.record({ t, kind: 'write', node: node.name, conn: conn.id, len: output.bytes.length, data: bytesToLatin1(output.bytes) });
        if (conn.socket.write(output.bytes)) return;
        // Bytes some connection's input caused: that connection waits for this one to drain. What
        // is pending then is bounded by what one turn of the event loop reads (libuv: 32 reads).
        if (this.source) hold(this.source.flow, conn.flow);
        else if (conn.socket.writableLength > this.limits.maxPendingWriteBytes) this.enforce(conn, 'maxPendingWriteBytes');
        return;
      case 'shutdown':
        this.endSocket(conn);
        return;
      case 'close':
        conn.modelClosed = true;
        this.endSocket(conn);
        // close() gives the descriptor back: the daemon's slot is free though the FIN may wait for the peer.
        this.releaseSlot(conn);
        return;
      case 'abort':
        conn.modelClosed = true;
        this.abortSocket(conn);
        return;
    }
  }

  private endSocket(conn: ConnState): void {
    if (conn.localEnded) return;
    conn.localEnded = true;
    this.record({ t: this.now(), kind: 'fin', node: conn.node.name, conn: conn.id, from: 'local' });
    conn.socket.end();
  }
}

function timerKey(owner: string, timer: string): string {
  return `${owner}\u0000${timer}`;
}

function connKey(node: NodeState, conn: ConnId): string {
  return `${node.name}\u0000${conn}`;
}

/**
 * SO_KEEPALIVE as the model asks. Node 20's setKeepAlive(true, ms) sets TCP_KEEPIDLE from its delay
 * (0 keeps the system's tcp_keepalive_time); it has no call for TCP_KEEPINTVL or TCP_KEEPCNT, so on
 * real sockets a model's intvlS and cnt are not applied and the sysctls stay (the simulator applies them).
 */
function setKeepAlive(socket: net.Socket, keepAlive: KeepAlive): void {
  if (typeof keepAlive === 'boolean') socket.setKeepAlive(keepAlive);
  else socket.setKeepAlive(true, (keepAlive.idleS ?? 0) * 1000);
}
