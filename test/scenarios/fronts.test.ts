/* fronts - the registry rows: every kind has both halves, and a key the chosen front does not read is refused */
import { describe, expect, it } from 'vitest';
import { FRONT_KINDS, FRONT_MODELS } from '../../models/front/index.ts';
import { loadScenario, ScenarioError } from '../../scenarios/index.ts';
import { buildChain } from '../../scenarios/chain.ts';
import { chainPlanOf } from '../../scenarios/chain-plan.ts';
import { FRONT_SCENARIOS } from '../../scenarios/fronts.ts';

describe('front registry', () => {
  it('has a model row and a scenario row for every front kind, and the keys enum lists exactly those kinds', () => {
    expect(Object.keys(FRONT_MODELS).sort()).toEqual([...FRONT_KINDS].sort());
    expect(Object.keys(FRONT_SCENARIOS).sort()).toEqual([...FRONT_KINDS].sort());
    for (const kind of FRONT_KINDS) {
      const chain = buildChain(chainPlanOf(loadScenario({ sets: [`front.model=${kind}`] })), (node) => node.listen.map(({ address }) => address));
      expect(chain.front.name).toBe('front');
    }
  });

  it("refuses a front.* key that the scenario's front does not read, naming the fronts that do", () => {
    expect(() => loadScenario({ scenario: 'mailu-2024.06', sets: ['front.smtp_auth=none'] })).toThrow(ScenarioError);
    expect(() => loadScenario({ scenario: 'mailu-2024.06', sets: ['front.smtp_auth=none'] })).toThrow(/front\.smtp_auth is a setting of nginx; this scenario's front is dovecot-2\.3/);
    expect(() => loadScenario({ scenario: 'nginx-port25', sets: ['front.login_proxy_max_reconnects=1'] })).toThrow(/setting of dovecot-2\.3, dovecot-2\.4, lockstep/);
    expect(loadScenario({ scenario: 'nginx-port25', sets: ['front.xclient=off'] }).get('front.xclient')).toBe('off');
  });

  it("HAProxy's tcpka keys reach its config as the sockets' keepalive; nginx does not read them", () => {
    const configOf = (sets: string[]) => FRONT_SCENARIOS.haproxy.configOf(loadScenario({ scenario: 'haproxy-proxy-protocol', sets }));
    expect(configOf([])).toMatchObject({ clitcpka: false, srvtcpka: false });
    expect(configOf(['front.clitcpka=on', 'front.clitcpka_idle=1m', 'front.clitcpka_cnt=0x3', 'front.srvtcpka=on'])).toMatchObject({ clitcpka: { idleS: 60, intvlS: undefined, cnt: 3 }, srvtcpka: { idleS: undefined, intvlS: undefined, cnt: undefined } });
    expect(configOf(['front.srvtcpka_idle=30s'])).toMatchObject({ srvtcpka: false }); // the values need the option, as in session.c/proto_tcp.c
    expect(() => loadScenario({ scenario: 'haproxy-proxy-protocol', sets: ['front.clitcpka_intvl=10x'] })).toThrow("front.clitcpka_intvl: '10x' is not allowed: unexpected character 'x' in argument to <clitcpka-intvl>.");
    expect(() => loadScenario({ scenario: 'nginx-port25', sets: ['front.clitcpka=on'] })).toThrow(/front\.clitcpka is a setting of haproxy/);
  });

  it("nginx's proxy_timeout reaches its config in ms, nginx's 24 h unless set; a value nginx or the lab's clock cannot take is refused; the other fronts do not read it", () => {
    const configOf = (sets: string[]) => FRONT_SCENARIOS.nginx.configOf(loadScenario({ scenario: 'nginx-port25', sets }));
    expect(configOf([])).toMatchObject({ proxy_timeout: 86_400_000 });
    expect(configOf(['front.proxy_timeout=1m30s'])).toMatchObject({ proxy_timeout: 90_000 });
    expect(configOf(['front.proxy_timeout=250ms'])).toMatchObject({ proxy_timeout: 250 });
    expect(() => loadScenario({ scenario: 'nginx-port25', sets: ['front.proxy_timeout=1M'] })).toThrow(`front.proxy_timeout: '1M' is not allowed: "proxy_timeout" directive invalid value`);
    expect(() => loadScenario({ scenario: 'nginx-port25', sets: ['front.proxy_timeout=9007199254741ms'] })).toThrow("proxy_timeout 9007199254741ms: nginx takes it, but the lab's virtual clock (µs) reaches 9007199254740 ms at most");
    expect(configOf(['front.proxy_timeout=9007199254740ms'])).toMatchObject({ proxy_timeout: 9_007_199_254_740 });
    expect(() => loadScenario({ scenario: 'mailu-2024.06', sets: ['front.proxy_timeout=10s'] })).toThrow(/front\.proxy_timeout is a setting of nginx/);
  });

  it("HAProxy's timeouts: 0 is none, as `timeout client 0` is TICK_ETERNITY (null in its config); any other value is kept in ms", () => {
    const configOf = (sets: string[]) => FRONT_SCENARIOS.haproxy.configOf(loadScenario({ scenario: 'haproxy-proxy-protocol', sets }));
    expect(configOf(['front.timeout_client=0', 'front.timeout_server=0', 'front.timeout_connect=0'])).toMatchObject({ timeout_client: null, timeout_server: null, timeout_connect: null });
    expect(configOf(['front.timeout_client=1'])).toMatchObject({ timeout_client: 1, timeout_server: 60_000, timeout_connect: 10_000 });
  });
});
