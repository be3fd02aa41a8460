/* upstream-proxy - smtpd_upstream_proxy_protocol = haproxy: header parsing (haproxy_srvr.c) and what smtpd does around it */
import { describe, expect, it } from 'vitest';
import { bytesToLatin1 } from '../../../models/contract.js';
import { proxyHeaderV2, proxyLineV1 } from '../../../models/front/haproxy-front.js';
import { labPreset, parsePostfixConfig } from '../../../models/postfix/config.js';
import { parseProxyHeader } from '../../../models/postfix/upstream-proxy.js';
import { lockstep, talk } from './talk.js';

const CLIENT = { host: '203.0.113.25', port: 39879 };
const FRONTEND = { host: '127.0.0.1', port: 587 };
const V1 = bytesToLatin1(proxyLineV1(CLIENT, FRONTEND));
const V2 = bytesToLatin1(proxyHeaderV2(CLIENT, FRONTEND));
const PROXIED = { clientAddr: '203.0.113.25', clientPort: '39879', serverAddr: '127.0.0.1', serverPort: '587' };
const BEHIND_HAPROXY = labPreset({ smtpd_upstream_proxy_protocol: 'haproxy' });
const BANNER = '220 backend.example.test ESMTP lab-postfix';
const LOCAL_ERROR = '421 4.3.0 backend.example.test Server local error';

describe('haproxy_srvr_parse', () => {
  it.each([['v1', V1], ['v2', V2]])('%s whole: the endpoints and the header length', (_v, header) => {
    expect(parseProxyHeader(header, 'ipv4')).toEqual({ ok: true, length: header.length, endpoints: PROXIED });
  });

  it.each([['v1', V1], ['v2', V2]])('%s with trailing data: only the header is taken', (_v, header) => {
    expect(parseProxyHeader(`${header}EHLO a\r\n`, 'ipv4')).toEqual({ ok: true, length: header.length, endpoints: PROXIED });
  });

  it('v1 cut at every point fails: the one peek must hold the whole line', () => {
    for (let cut = 1; cut < V1.length; cut++) {
      const parsed = parseProxyHeader(V1.slice(0, cut), 'ipv4');
      expect(parsed.ok, `cut at ${cut}`).toBe(false);
      expect(['missing protocol header terminator', 'short protocol header']).toContain(!parsed.ok && parsed.error);
    }
  });

  it('v2 cut at every point fails: short header, then short version 2 header', () => {
    for (let cut = 1; cut < V2.length; cut++) {
      expect(parseProxyHeader(V2.slice(0, cut), 'ipv4')).toEqual({ ok: false, error: cut < 16 ? 'short protocol header' : 'short version 2 protocol header' });
    }
  });

  it.each([
    ['PROXY UNKNOWN\r\n', 'bad or missing protocol type'],
    ['PROXY TCP6 203.0.113.25 127.0.0.1 1 2\r\n', 'bad or missing protocol type'],
    ['PROXY TCP4 203.0.113.256 127.0.0.1 1 2\r\n', 'bad or missing client address'],
    ['PROXY TCP4 203.0.113.25 localhost 1 2\r\n', 'bad or missing server address'],
    ['PROXY TCP4 203.0.113.25 127.0.0.1 65536 2\r\n', 'bad or missing client port'],
    ['PROXY TCP4 203.0.113.25 127.0.0.1 1\r\n', 'bad or missing server port'],
    ['EHLO client.example.test\r\n', 'unrecognized protocol header'],
    ['EHLO x\r\n', 'short protocol header'],
    [`${V2.slice(0, 12)}\x31${V2.slice(13)}`, 'unrecognized protocol version'],
    [`${V2.slice(0, 12)}\x22${V2.slice(13)}`, 'bad command in proxy header'],
    [`${V2.slice(0, 13)}\x12${V2.slice(14)}`, 'unsupported network protocol'],
  ])('malformed %j: %s', (text, error) => {
    expect(parseProxyHeader(text, 'ipv4')).toEqual({ ok: false, error });
  });

  it('v2 LOCAL is not proxied: the socket peer stays', () => {
    expect(parseProxyHeader(`${V2.slice(0, 12)}\x20\x00\x00\x00`, 'ipv4')).toEqual({ ok: true, length: 16, endpoints: null });
  });

  it('TCP6 with IPv6 enabled; an IPv4-mapped address becomes IPv4', () => {
    expect(parseProxyHeader('PROXY TCP6 2001:DB8::1 ::ffff:127.0.0.1 1 2\r\n', 'all')).toMatchObject({ ok: true, endpoints: { clientAddr: '2001:db8::1', serverAddr: '127.0.0.1' } });
  });
});

describe('smtpd behind an upstream proxy', () => {
  it('takes the client address from the header before "connect from", and serves the session', () => {
    const run = talk(BEHIND_HAPROXY, [[10, V1], ...lockstep(['EHLO c.example.test\r\n', 'QUIT\r\n'])], '127.0.0.1');
    expect(run.replies[0]).toBe(BANNER);
    expect(run.logLines[0]).toBe('connect from unknown[203.0.113.25]');
    expect(run.logLines.at(-1)).toBe('disconnect from unknown[203.0.113.25] ehlo=1 quit=1 commands=2');
  });

  it('a client that talks first is judged on its own bytes, after the header is taken off', () => {
    const run = talk({ ...BEHIND_HAPROXY, smtpd_forbid_unauth_pipelining: true }, [[10, `${V1}EHLO c.example.test\r\n`]]);
    expect(run.logLines).toContain('improper command pipelining after CONNECT from unknown[203.0.113.25]: EHLO c.example.test\\r\\n');
    expect(run.replies).toEqual(['554 5.5.0 Error: SMTP protocol synchronization']);
  });

  it('a malformed header: warning with the peeked bytes, the proxy as the client, 421 and hang up', () => {
    const run = talk(BEHIND_HAPROXY, [[10, 'EHLO c.example.test\r\n']]);
    expect(run.logLines).toEqual([
      'warning: haproxy read: unrecognized protocol header: EHLO c.example.test\\r\\n',
      'connect from localhost[127.0.0.1]',
      'disconnect from localhost[127.0.0.1] commands=0/0',
    ]);
    expect(run.replies).toEqual([LOCAL_ERROR]);
    expect(run.closed.has('c')).toBe(true);
  });

  it('a header split across two segments fails at the first one', () => {
    const run = talk(BEHIND_HAPROXY, [[10, V1.slice(0, 20)], [20, V1.slice(20)]]);
    expect(run.logLines[0]).toBe('warning: haproxy read: missing protocol header terminator: PROXY TCP4 203.0.113');
    expect(run.replies).toEqual([LOCAL_ERROR]);
  });

  it('no header within smtpd_upstream_proxy_timeout: "timeout error", then 421', () => {
    const run = talk({ ...BEHIND_HAPROXY, smtpd_upstream_proxy_timeout: 5 }, []);
    expect(run.logs[0]).toEqual({ t: 5_000_000, program: 'postfix/smtpd', line: 'warning: haproxy read: timeout error' });
    expect(run.replies).toEqual([LOCAL_ERROR]);
  });

  it('the peer closes first: "EOF"', () => {
    expect(talk(BEHIND_HAPROXY, [[10, 'EOF']]).logLines[0]).toBe('warning: haproxy read: EOF');
  });

  it('off by default, and main.cf names only haproxy', () => {
    expect(labPreset().smtpd_upstream_proxy_protocol).toBe('');
    expect(parsePostfixConfig({ smtpd_upstream_proxy_protocol: 'haproxy', smtpd_upstream_proxy_timeout: '10s' })).toMatchObject({ smtpd_upstream_proxy_protocol: 'haproxy', smtpd_upstream_proxy_timeout: 10 });
    expect(() => parsePostfixConfig({ smtpd_upstream_proxy_protocol: 'nginx' })).toThrow('smtpd_upstream_proxy_protocol: unsupported value "nginx"; allowed: haproxy, or empty');
  });
});
