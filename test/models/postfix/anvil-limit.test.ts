/* anvil-limit - smtpd_client_connection_count_limit: 421 past the limit per client, proxies and $mynetworks exempt */
import { describe, expect, it } from 'vitest';
import { postfixDefaults } from '../../../models/postfix/config.ts';
import { createPostfix } from '../../../models/postfix/smtpd.ts';
import { DirectDriver } from '../front/direct-driver.ts';

const local = { host: '192.0.2.10', port: 25 };
const outsider = (port: number) => ({ host: '198.51.100.7', port });

function connect(d: DirectDriver, conn: string, remote = outsider(40000)) {
  d.input({ kind: 'accepted', conn, local, remote }).advanceBy(1_000_000);
}

const withLimit = (limit: number) => new DirectDriver(createPostfix({ ...postfixDefaults(), smtpd_client_connection_count_limit: limit }));
const BANNER = ['220 localhost ESMTP Postfix\r\n'];
const TOO_MANY = ['421 4.7.0 localhost Error: too many connections from 198.51.100.7\r\n'];

describe('smtpd_client_connection_count_limit (smtpd.c smtpd_proto(), anvil)', () => {
  it('the connection over the limit gets 421 4.7.0 and the warning; a slot freed lets the next one in', () => {
    const d = withLimit(2);
    for (const conn of ['a', 'b', 'c']) connect(d, conn);
    expect(d.writes('a')).toEqual(BANNER);
    expect(d.writes('c')).toEqual(TOO_MANY);
    expect(d.of('log').map((o) => o.output.line)).toContainEqual('warning: Connection concurrency limit exceeded: 3 from unknown[198.51.100.7] for service smtp');
    d.input({ kind: 'eof', conn: 'a' }).advanceBy(1_000_000);
    connect(d, 'd');
    expect(d.writes('d')).toEqual(BANNER);
  });

  it('does not count $mynetworks (the default exceptions) or an XCLIENT-authorized proxy', () => {
    const fromLoopback = new DirectDriver(createPostfix({ ...postfixDefaults(), smtpd_client_connection_count_limit: 1 }));
    const proxy = new DirectDriver(createPostfix({ ...postfixDefaults(), smtpd_client_connection_count_limit: 1, smtpd_authorized_xclient_hosts: ['198.51.100.7'] }));
    for (const conn of ['a', 'b', 'c']) {
      connect(fromLoopback, conn, { host: '127.0.0.1', port: 40000 });
      connect(proxy, conn);
    }
    expect(fromLoopback.writes('c')).toEqual(BANNER);
    expect(proxy.writes('c')).toEqual(BANNER);
  });

  it('0 is no limit (smtpd_proto(): var_smtpd_cconn_limit > 0)', () => {
    const d = withLimit(0);
    for (const conn of ['a', 'b', 'c']) connect(d, conn);
    expect(d.writes('c')).toEqual(BANNER);
  });

  it('a refused connection leaves the count as it was: the ones still open keep theirs', () => {
    const d = withLimit(1);
    for (const conn of ['a', 'b', 'c']) connect(d, conn);
    expect(d.writes('b')).toEqual(TOO_MANY);
    expect(d.writes('c')).toEqual(TOO_MANY);
  });

  it('a session that ends before it was counted (554 for input before the greeting) does not lower the count of the others (anvil drops only what this process linked)', () => {
    const d = withLimit(1);
    connect(d, 'a');
    d.input({ kind: 'accepted', conn: 'b', local, remote: outsider(40001) }).bytes('b', 'EHLO early\r\n').advanceBy(1_000_000);
    expect(d.writes('b')).toEqual(['554 5.5.0 Error: SMTP protocol synchronization\r\n']);
    connect(d, 'c');
    expect(d.writes('c')).toEqual(TOO_MANY);
  });

  it('the service in the warning is master.cf\'s name: "smtp" for port 25, the port itself otherwise (Mailu\'s 10025)', () => {
    const d = withLimit(1);
    for (const conn of ['a', 'b']) d.input({ kind: 'accepted', conn, local: { host: '192.0.2.10', port: 10025 }, remote: outsider(40000) }).advanceBy(1_000_000);
    expect(d.of('log').map((o) => o.output.line)).toContainEqual('warning: Connection concurrency limit exceeded: 2 from unknown[198.51.100.7] for service 10025');
  });
});
