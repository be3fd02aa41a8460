/* haproxy-tcpka - option clitcpka/srvtcpka and their -idle/-intvl/-cnt as HAProxy parses and applies them
 *
 * haproxy/haproxy @50872daa6: src/proxy.c proxy_parse_tcpka_idle/_intvl (parse_time_err(TIME_UNIT_S),
 * src/tools.c) and proxy_parse_tcpka_cnt (strtol base 0); src/session.c and src/proto_tcp.c set each
 * non-zero value after SO_KEEPALIVE.
 */
import { describe, expect, it } from 'vitest';
import { parseTcpkaCnt, parseTcpkaTime, tcpkaKeepAlive, tcpkaProblem } from '../../../models/front/haproxy-tcpka.ts';

describe('parse_time_err in seconds (clitcpka-idle, -intvl)', () => {
  it('digits with an optional unit; none is seconds; every unit rounds up to whole seconds', () => {
    const cases: [string, number][] = [['30', 30], ['30s', 30], ['2m', 120], ['2h', 7200], ['1d', 86_400], ['1500ms', 2], ['1us', 1], ['0', 0], ['0ms', 0]];
    for (const [text, seconds] of cases) expect(parseTcpkaTime('clitcpka-idle', text), text).toBe(seconds);
  });

  it('text after the unit is only a warning at this release: the value stands', () => {
    expect(parseTcpkaTime('clitcpka-idle', '30sec')).toBe(30);
  });

  it("refuses what parse_time_err refuses, in proxy_parse_tcpka_idle()'s words", () => {
    expect(parseTcpkaTime('clitcpka-idle', 's30')).toBe("unexpected character 's' in argument to <clitcpka-idle>.");
    expect(parseTcpkaTime('srvtcpka-intvl', '30x')).toBe("unexpected character 'x' in argument to <srvtcpka-intvl>.");
    expect(parseTcpkaTime('srvtcpka-intvl', '30u')).toBe("unexpected character 'u' in argument to <srvtcpka-intvl>.");
    expect(parseTcpkaTime('clitcpka-idle', '2147483647')).toBe(2147483647);
    expect(parseTcpkaTime('clitcpka-idle', '2147483648')).toBe("timer overflow in argument '2147483648' to 'clitcpka-idle' (maximum value is 2147483647 ms or ~24.8 days)");
    expect(parseTcpkaTime('clitcpka-idle', '24856d')).toMatch(/^timer overflow/);
  });
});

describe('strtol(value, 0) (clitcpka-cnt)', () => {
  it('decimal, 0x hex, 0 octal, a sign and leading blanks', () => {
    const cases: [string, number][] = [['3', 3], ['0x10', 16], ['010', 8], ['0', 0], ['-1', -1], ['+4', 4], [' 5', 5]];
    for (const [text, value] of cases) expect(parseTcpkaCnt('clitcpka-cnt', text), text).toBe(value);
  });

  it("refuses anything after the number, in proxy_parse_tcpka_cnt()'s words", () => {
    expect(parseTcpkaCnt('clitcpka-cnt', '3s')).toBe("'clitcpka-cnt' : unexpected character 's' in integer value '3s'");
    expect(parseTcpkaCnt('srvtcpka-cnt', '09')).toBe("'srvtcpka-cnt' : unexpected character '9' in integer value '09'");
    expect(parseTcpkaCnt('srvtcpka-cnt', 'x')).toBe("'srvtcpka-cnt' : unexpected character 'x' in integer value 'x'");
  });

  it('tcpkaProblem: empty is not set; each keyword gets its parser', () => {
    expect(tcpkaProblem('clitcpka-cnt', '')).toBeNull();
    expect(tcpkaProblem('clitcpka-cnt', '0x10')).toBeNull();
    expect(tcpkaProblem('clitcpka-idle', '0x10')).toBe("unexpected character 'x' in argument to <clitcpka-idle>.");
  });
});

describe('what a side sets on its sockets', () => {
  const none = { idle: '', intvl: '', cnt: '' };
  it('off unless the option is on; on alone keeps the sysctls; each value given is passed', () => {
    expect(tcpkaKeepAlive('cli', { enabled: false, idle: '30s', intvl: '', cnt: '' })).toBe(false);
    expect(tcpkaKeepAlive('cli', { enabled: true, ...none })).toEqual({});
    expect(tcpkaKeepAlive('srv', { enabled: true, idle: '1m', intvl: '10s', cnt: '0x3' })).toEqual({ idleS: 60, intvlS: 10, cnt: 3 });
  });

  it('a value the lab was given unchecked is refused with the keyword', () => {
    expect(() => tcpkaKeepAlive('srv', { enabled: true, ...none, cnt: 'three' })).toThrow("haproxy model: srvtcpka-cnt three: 'srvtcpka-cnt' : unexpected character 't' in integer value 'three'");
  });
});
