/* back-pressure - stop reading a socket while a socket its bytes were written to is full
 *
 * The real proxies never read faster than they can write: Dovecot's iostream-proxy and nginx's
 * ngx_mail_proxy_handler() stop reading one side while the other side's output buffer is full and
 * go on once it has drained. The runtime does the same without knowing which connections a model
 * pairs: an output is charged to the connection whose bytes led to it (directly, or through a
 * timer those bytes set), and when a write leaves a socket over its high-water mark, that source
 * stops being read until the socket drains. Reading nothing more, the kernel's receive window
 * closes and the sender waits: flow control end to end, with no byte dropped.
 */
import type net from 'node:net';

export interface Flow {
  readonly socket: net.Socket;
  /** Sinks this connection waits for; it is read again once none is left. */
  readonly waitingOn: Set<Flow>;
  /** Sources that wait for this connection's socket to drain. */
  readonly holding: Set<Flow>;
}

export function newFlow(socket: net.Socket): Flow {
  return { socket, waitingOn: new Set(), holding: new Set() };
}

/** `sink`'s buffer is over its high-water mark after bytes `source` caused: pause `source` until `sink` drains. */
export function hold(source: Flow, sink: Flow): void {
  if (sink.holding.has(source)) return;
  sink.holding.add(source);
  source.waitingOn.add(sink);
  source.socket.pause();
}

/** `sink` drained (or is gone): every source it held is read again unless another sink still holds it. */
export function release(sink: Flow): void {
  for (const source of sink.holding) {
    source.waitingOn.delete(sink);
    if (source.waitingOn.size === 0 && !source.socket.destroyed) source.socket.resume();
  }
  sink.holding.clear();
}
