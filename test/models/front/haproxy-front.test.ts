/* haproxy-front - the PROXY header byte by byte, the connect/relay/FIN sequence, the timeouts and retries */
import { describe, expect, it } from 'vitest';
import { bytesToLatin1, type SocketAddress } from '../../../models/contract.ts';
import { edgeHaproxyConfig, type HaproxyFrontConfig } from '../../../models/front/config.ts';
import { HaproxyFront, proxyHeaderV2, proxyLineV1 } from '../../../models/front/haproxy-front.ts';
import { DirectDriver } from './direct-driver.ts';

const CLIENT: SocketAddress = { host: '203.0.113.25', port: 39879 };
const FRONTEND: SocketAddress = { host: '192.168.203.2', port: 587 };
const SERVER: SocketAddress = { host: '192.168.203.4', port: 10025 };
const SERVER_CONN = 'c1>srv1';

function haproxy(config: Partial<HaproxyFrontConfig> = {}): DirectDriver {
  const driver = new DirectDriver(new HaproxyFront({ ...edgeHaproxyConfig, server: SERVER, ...config }));
  return driver.input({ kind: 'accepted', conn: 'c1', local: FRONTEND, remote: CLIENT });
}

const connected = (driver: DirectDriver, conn = SERVER_CONN) => driver.input({ kind: 'connected', conn, local: { host: FRONTEND.host, port: 40000 }, remote: SERVER });
const kinds = (driver: DirectDriver, conn: string) => driver.outputs.filter((o) => 'conn' in o.output && o.output.conn === conn && o.output.kind !== 'log').map((o) => o.output.kind);
const logs = (driver: DirectDriver) => driver.of('log').map((o) => o.output.line);

describe('the PROXY header as make_proxy_line() writes it', () => {
  it('v1: "PROXY TCP4 <src> <dst> <sport> <dport>\\r\\n", the client and the address it connected to', () => {
    expect(bytesToLatin1(proxyLineV1(CLIENT, FRONTEND))).toBe('PROXY TCP4 203.0.113.25 192.168.203.2 39879 587\r\n');
  });

  it('v2: signature, 0x21 (v2 PROXY), 0x11 (TCP4), length 12, addresses and ports in network order', () => {
    expect([...proxyHeaderV2(CLIENT, FRONTEND)]).toEqual([
      0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a,
      0x21, 0x11, 0x00, 0x0c,
      203, 0, 113, 25, 192, 168, 203, 2,
      0x9b, 0xc7, 0x02, 0x4b,
    ]);
  });

  it('refuses an address it cannot encode, naming it', () => {
    expect(() => proxyLineV1({ host: '::1', port: 1 }, FRONTEND)).toThrow(/::1 is not an IPv4 address/);
  });
});

describe('mode tcp: connect at once, header first, then bytes both ways', () => {
  it('connects to the server on accept, with TCP_NODELAY, before the client sends anything', () => {
    const driver = haproxy();
    expect(driver.of('connect').map((o) => o.output)).toEqual([{ kind: 'connect', conn: SERVER_CONN, to: SERVER, noDelay: true, keepAlive: false }]); // no option srvtcpka: HAProxy's default
  });

  it.each([['v1', proxyLineV1], ['v2', proxyHeaderV2]] as const)('send-proxy %s: the header is the first write, made when the connection is established', (version, make) => {
    const driver = haproxy({ send_proxy: version });
    expect(driver.writes(SERVER_CONN)).toEqual([]);
    connected(driver);
    expect(driver.writes(SERVER_CONN)).toEqual([bytesToLatin1(make(CLIENT, FRONTEND))]);
  });

  it('without send-proxy no header at all', () => {
    const driver = connected(haproxy({ send_proxy: 'none' })).bytes('c1', 'EHLO a\r\n').advanceBy(100);
    expect(driver.writes(SERVER_CONN)).toEqual(['EHLO a\r\n']);
  });

  it('bytes a client sends while the server connection is pending wait in the buffer and follow the header', () => {
    const driver = haproxy().bytes('c1', 'EHLO early\r\n');
    connected(driver);
    expect(driver.writes(SERVER_CONN)).toEqual(['PROXY TCP4 203.0.113.25 192.168.203.2 39879 587\r\n', 'EHLO early\r\n']);
  });

  it('relays each way after the relay delay, unchanged, and shuts the other side on a FIN', () => {
    const driver = connected(haproxy());
    driver.bytes(SERVER_CONN, '220 mx ESMTP\r\n').advanceBy(edgeHaproxyConfig.timings.relayDelayUs);
    driver.bytes('c1', 'QUIT\r\n').advanceBy(edgeHaproxyConfig.timings.relayDelayUs);
    driver.bytes(SERVER_CONN, '221 bye\r\n').input({ kind: 'eof', conn: SERVER_CONN }).advanceBy(100);
    expect(driver.writes('c1')).toEqual(['220 mx ESMTP\r\n', '221 bye\r\n']);
    expect(driver.writes(SERVER_CONN).slice(1)).toEqual(['QUIT\r\n']);
    expect(kinds(driver, 'c1').at(-1)).toBe('shutdown');
    driver.input({ kind: 'eof', conn: 'c1' });
    expect(kinds(driver, SERVER_CONN).slice(-2)).toEqual(['shutdown', 'close']);
    expect(logs(driver)).toEqual([`203.0.113.25:39879 [27/Nov/2026:17:18:20.000] smtp postfix/smtpd 0/0/0 23 -- 0/0/0/0/0 0/0`]);
  });
});

describe('timeouts and retries', () => {
  it('timeout client: a silent client is cut (cD); writes to it count as activity', () => {
    const driver = connected(haproxy({ timeout_client: 1_000, timeout_server: 60_000 }));
    driver.advanceBy(900_000).bytes(SERVER_CONN, '220 mx\r\n').advanceBy(900_000);
    expect(logs(driver)).toEqual([]);
    driver.advanceBy(200_000);
    expect(logs(driver)[0]).toMatch(/ 0\/0\/1900 8 cD /);
    expect(kinds(driver, 'c1').at(-1)).toBe('close');
    expect(kinds(driver, SERVER_CONN).at(-1)).toBe('close');
  });

  it('timeout server: a silent server is cut (sD)', () => {
    const driver = connected(haproxy({ timeout_client: 60_000, timeout_server: 2_000 })).advanceBy(2_000_000);
    expect(logs(driver)[0]).toMatch(/ sD /);
  });

  it('a refused connection is retried `retries` times, each after min(timeout connect, 1 s), then the client is closed (SC)', () => {
    const driver = haproxy({ retries: 2, timeout_connect: 5_000 });
    for (let attempt = 1; attempt <= 3; attempt++) {
      driver.input({ kind: 'connectFailed', conn: `c1>srv${attempt}`, reason: 'refused' }).advanceBy(1_000_000);
    }
    expect(driver.of('connect').map((o) => [o.t, o.output.conn])).toEqual([[0, 'c1>srv1'], [1_000_000, 'c1>srv2'], [2_000_000, 'c1>srv3']]);
    expect(kinds(driver, 'c1')).toEqual(['close']);
    expect(logs(driver)[0]).toMatch(/ 0\/-1\/2000 0 SC 0\/0\/0\/0\/2 /);
  });

  it('timeout connect aborts a silent attempt (sC) and the turn-around is the connect timeout when shorter', () => {
    const driver = haproxy({ retries: 1, timeout_connect: 300 }).advanceBy(1_000_000);
    expect(driver.of('connect').map((o) => o.t)).toEqual([0, 600_000]);
    expect(driver.of('abort').map((o) => o.output.conn)).toEqual(['c1>srv1', 'c1>srv2']);
    expect(logs(driver)[0]).toMatch(/ sC 0\/0\/0\/0\/1 /);
  });

  it('an unset timeout is infinite, and says so when the connection is still held', () => {
    const model = new HaproxyFront({ ...edgeHaproxyConfig, timeout_client: null, timeout_server: null });
    const driver = connected(new DirectDriver(model).input({ kind: 'accepted', conn: 'c1', local: FRONTEND, remote: CLIENT })).advanceBy(3_600_000_000);
    expect(logs(driver)).toEqual([]);
    expect(model.waitsWithoutDeadline('c1')).toMatch(/no `timeout client`/);
    expect(model.waitsWithoutDeadline(SERVER_CONN)).toMatch(/no `timeout server`/);
    expect(new HaproxyFront(edgeHaproxyConfig).waitsWithoutDeadline('c1')).toBeNull();
    expect(model.deadlineLeftToKernel('c1')).toBeNull();
  });

  it('option clitcpka/srvtcpka: SO_KEEPALIVE on the accepted and the connected socket, and an untimed side left to the kernel instead of held for ever', () => {
    const keepAlive = { clitcpka: { idleS: 30 }, srvtcpka: true };
    const model = new HaproxyFront({ ...edgeHaproxyConfig, timeout_client: null, timeout_server: null, ...keepAlive });
    expect(model.keepAliveOnAccept).toEqual({ idleS: 30 });
    const driver = connected(new DirectDriver(model).input({ kind: 'accepted', conn: 'c1', local: FRONTEND, remote: CLIENT }));
    expect(driver.of('connect').map((o) => o.output.keepAlive)).toEqual([true]);
    expect(model.waitsWithoutDeadline('c1')).toBeNull();
    expect(model.waitsWithoutDeadline(SERVER_CONN)).toBeNull();
    expect(model.deadlineLeftToKernel('c1')).toMatch(/no `timeout client` .* but `option clitcpka`: only the kernel's SO_KEEPALIVE \(session\.c session_accept_fd\(\)\)/);
    expect(model.deadlineLeftToKernel(SERVER_CONN)).toMatch(/no `timeout server` .* but `option srvtcpka`: only the kernel's SO_KEEPALIVE \(proto_tcp\.c tcp_connect_server\(\)\)/);
    // one side with keepalive leaves the other's excuse as it was; a side with its own timeout needs neither
    const clientOnly = new HaproxyFront({ ...edgeHaproxyConfig, timeout_client: null, timeout_server: null, clitcpka: true });
    connected(new DirectDriver(clientOnly).input({ kind: 'accepted', conn: 'c1', local: FRONTEND, remote: CLIENT }));
    expect(clientOnly.waitsWithoutDeadline(SERVER_CONN)).toMatch(/no `timeout server`/);
    expect(clientOnly.deadlineLeftToKernel(SERVER_CONN)).toBeNull();
    const timed = new HaproxyFront({ ...edgeHaproxyConfig, ...keepAlive });
    timed.handle(0, { kind: 'accepted', conn: 'c1', local: FRONTEND, remote: CLIENT });
    expect(timed.deadlineLeftToKernel('c1')).toBeNull();
  });
});
