/* chain - one builder for both drivers: the same nodes in the same order, each pointed at what the driver bound */
import { describe, expect, it } from 'vitest';
import type { SocketAddress } from '../../models/contract.ts';
import { FRONT_KINDS, type FrontPeers } from '../../models/front/index.ts';
import { loadScenario } from '../../scenarios/index.ts';
import { buildChain, buildChainAsync, type ChainPlan, type NodeRequest } from '../../scenarios/chain.ts';
import { chainPlanOf } from '../../scenarios/chain-plan.ts';
import { postfixConfigOf } from '../../scenarios/topology.ts';

/** What a driver was asked, without the models themselves. */
const shape = (node: NodeRequest) => `${node.role}@${node.host}: ${node.listen.map(({ role, address }) => `${role}=${address.port}`).join(' ')}`;

/** A driver that binds port 0 as the socket runtime does: to a port of its own choosing. */
function portPicker() {
  let next = 40_000;
  return (node: NodeRequest): SocketAddress[] => node.listen.map(({ address }) => ({ host: address.host, port: address.port === 0 ? next++ : address.port }));
}

describe('chain builder', () => {
  it.each(FRONT_KINDS)('%s: a synchronous and an asynchronous driver are asked for the same nodes in the same order', async (kind) => {
    const plan = chainPlanOf(loadScenario({ sets: [`front.model=${kind}`] }));
    const sync: string[] = [];
    const async: string[] = [];
    buildChain(plan, (node) => (sync.push(shape(node)), node.listen.map(({ address }) => address)));
    await buildChainAsync(plan, async (node) => (async.push(shape(node)), node.listen.map(({ address }) => address)));
    expect(async).toEqual(sync);
    // Postfix first, then the auth service, then the front: the simulator's random streams follow this order.
    expect(sync.map((line) => line.split('@')[0])).toEqual(['postfix', 'auth', 'front']);
  });

  it("opens Postfix's port-25 service only behind a front that can be sent there (Mailu's get_server, nginx's port-25 listener)", () => {
    const listenersOf = (kind: string) => {
      const asked: string[] = [];
      buildChain(chainPlanOf(loadScenario({ sets: [`front.model=${kind}`] })), (node) => (asked.push(shape(node)), node.listen.map(({ address }) => address)));
      return asked[0];
    };
    expect(listenersOf('nginx')).toBe('postfix@192.168.203.4: postfix-submission=10025 postfix-smtp=25');
    expect(listenersOf('dovecot-2.3')).toBe('postfix@192.168.203.4: postfix-submission=10025');
  });

  it('points the auth service and the front at the ports the driver bound, not the ones asked for', () => {
    const seenPeers: FrontPeers[] = [];
    const plan: ChainPlan = {
      postfix: { model: postfixConfigOf(loadScenario({})), host: '127.0.0.1', ports: { authenticated: 0, unauthenticated: 0 } },
      auth: { config: {}, address: { host: '127.0.0.1', port: 0 } },
      front: { kind: 'nginx', config: (peers) => (seenPeers.push(peers), {}), address: { host: '127.0.0.1', port: 0 } },
    };
    const chain = buildChain(plan, portPicker());
    expect(chain.postfixListeners.map((a) => a.port)).toEqual([40_000, 40_001]);
    expect(chain.backendPorts).toEqual({ authenticated: 40_000, unauthenticated: 40_001 });
    expect(chain.authAddress).toEqual({ host: '127.0.0.1', port: 40_002 });
    expect(seenPeers).toEqual([{ authService: { host: '127.0.0.1', port: 40_002 }, backend: { host: '127.0.0.1', port: 40_000 } }]);
    expect(chain.frontListeners).toEqual([{ host: '127.0.0.1', port: 40_003 }]);
  });

  it('leaves out what the plan does not run: a refused auth service, an external backend', () => {
    const asked: string[] = [];
    const chain = buildChain(
      {
        postfix: { external: true, host: '127.0.0.1', ports: { authenticated: 2525, unauthenticated: 2525 } },
        auth: { refusedAt: { host: '127.0.0.1', port: 9 } },
        front: { kind: 'dovecot-2.3', config: () => ({}), address: { host: '127.0.0.1', port: 0 } },
      },
      (node) => (asked.push(shape(node)), portPicker()(node)),
    );
    expect(asked).toEqual(['front@127.0.0.1: front=0']);
    expect(chain.postfix).toBeNull();
    expect(chain.auth).toBeNull();
    expect(chain.authAddress).toEqual({ host: '127.0.0.1', port: 9 });
    expect(chain.backendPorts).toEqual({ authenticated: 2525, unauthenticated: 2525 });
  });
});
