/* dovecot-session-id - the session id a Dovecot front sends in XCLIENT SESSION: the first 16 base64 characters of "<name>#<sessions>:<counter>" */
import { describe, expect, test } from 'vitest';
import { createFront } from '../../../models/front/index.ts';
import { DirectDriver } from './direct-driver.ts';
import { answerLookup, CLIENT, local, OK_RESPONSE, remote } from './dovecot-driver.ts';

const PLAIN_ALICE = `AUTH PLAIN ${Buffer.from('\0alice@example.test\0secret').toString('base64')}\r\n`;

/** xtext (RFC 1891 §5, as the XCLIENT command writes its values): '+' and '=' as +HH. */
const xtext = (text: string) => text.replace(/[+=]/g, (c) => `+${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** The SESSION= value of the XCLIENT the front `name` writes for its first client. */
function sessionSent(name: string): string | undefined {
  const d = new DirectDriver(createFront('dovecot-2.3', { name })).input({ kind: 'accepted', conn: CLIENT, local, remote }).advanceBy(20_000);
  d.bytes(CLIENT, `EHLO client.example.test\r\n${PLAIN_ALICE}`).advanceBy(1_000);
  const backend = answerLookup(d, OK_RESPONSE)!;
  d.input({ kind: 'connected', conn: backend, local: { host: '127.0.0.1', port: 50001 }, remote: { host: '127.0.0.1', port: 10025 } });
  d.bytes(backend, '220 b\r\n').advanceBy(1_000);
  d.bytes(backend, '250 XCLIENT ADDR SESSION\r\n').advanceBy(1_000);
  return /SESSION=(\S+)/.exec(d.writes(backend).find((write) => write.startsWith('XCLIENT')) ?? '')?.[1];
}

describe('the session id (base64 of the front name, its session count and its counter, cut to 16 characters)', () => {
  // Lengths 4 to 15 bytes before the cut: every padding of a short id, and the cut at 12 bytes; then UTF-8.
  test.each(['', 'f', 'fr', 'front', 'front1', 'front12', 'front-of-the-chain', 'frönt', 'ö-front-of-the-chain'])('front named %j', (name) => {
    expect(sessionSent(name)).toBe(xtext(Buffer.from(`${name}#0:1`).toString('base64').slice(0, 16)));
  });
});
