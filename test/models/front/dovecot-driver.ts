/* dovecot-driver - a Dovecot front driven by hand to the points its tests start from: greeted, its passdb lookup answered */
import { createFront } from '../../../models/front/index.ts';
import type { DovecotFrontConfig } from '../../../models/front/config.ts';
import { DirectDriver } from './direct-driver.ts';

export const CLIENT = 'c1';
export const local = { host: '127.0.0.1', port: 1587 };
export const remote = { host: '127.0.0.1', port: 40000 };
export const OK_RESPONSE = 'HTTP/1.1 200 OK\r\nAuth-Status: OK\r\nAuth-Server: 127.0.0.1\r\nAuth-Port: 10025\r\nContent-Length: 0\r\n\r\n';
export const BAD_RESPONSE = 'HTTP/1.1 200 OK\r\nAuth-Status: Authentication credentials invalid\r\nAuth-Error-Code: 535 5.7.8\r\nContent-Length: 0\r\n\r\n';

/** A Dovecot front with one client past the greeting that has sent EHLO. */
export function greeted(kind: 'dovecot-2.3' | 'dovecot-2.4' | 'lockstep' = 'dovecot-2.3', config: Partial<DovecotFrontConfig> = {}): DirectDriver {
  const d = new DirectDriver(createFront(kind, config)).input({ kind: 'accepted', conn: CLIENT, local, remote }).advanceBy(20_000);
  d.bytes(CLIENT, 'EHLO client.example.test\r\n').advanceBy(1_000);
  return d;
}

/** Answers the passdb lookup the front opens, returns the backend connection id it then opens. */
export function answerLookup(d: DirectDriver, response: string): string | undefined {
  d.advanceBy(1_000);
  const http = d.of('connect').at(-1)!.output;
  d.input({ kind: 'connected', conn: http.conn, local: { host: '127.0.0.1', port: 50000 }, remote: http.to });
  d.bytes(http.conn, response).advanceBy(1_000);
  const last = d.of('connect').at(-1)!.output;
  return last.conn === http.conn ? undefined : last.conn;
}
