/* dovecot-make-room - at the process limit Dovecot drops its oldest client still logging in (client_destroy_oldest()) */
import { describe, expect, test } from 'vitest';
import { createFront } from '../../../models/front/index.ts';
import { DirectDriver } from './direct-driver.ts';

const local = { host: '127.0.0.1', port: 1587 };
const remote = (port: number) => ({ host: '127.0.0.1', port });

describe('DovecotFront.makeRoom', () => {
  test('the oldest client not logged in gets 421 4.0.0 "Connection queue full", is logged and closed; the next call takes the next', () => {
    const front = createFront('dovecot-2.3');
    const d = new DirectDriver(front);
    d.input({ kind: 'accepted', conn: 'old', local, remote: remote(40001) }).advanceBy(1_000_000);
    d.input({ kind: 'accepted', conn: 'new', local, remote: remote(40002) }).advanceBy(20_000);
    expect(front.makeRoom!(d.now)).toBe(true);
    // makeRoom's outputs are drained with the next input, as the runtime drains after the call.
    d.input({ kind: 'timeout', timer: 'none' });
    expect(d.writes('old').at(-1)).toBe('421 4.0.0 front.example.test Connection queue full\r\n');
    expect(d.of('close').map((o) => o.output.conn)).toEqual(['old']);
    expect(d.of('log').map((o) => o.output.line)).toContainEqual(expect.stringMatching(/^Info: Disconnected: Connection queue full \(no auth attempts in 1 secs\): user=<>, rip=127\.0\.0\.1, rport=40001/));
    expect(front.makeRoom!(d.now)).toBe(true);
    expect(front.makeRoom!(d.now)).toBe(false);
  });
});
