/* bounded - every run ends: random fault mixes settle within the step bound, and byte streams stay in order */
import { describe, expect, it } from 'vitest';
import type { Model, Output } from '../../models/contract.ts';
import { LivenessError } from '../../sim/errors.ts';
import type { FaultSpec } from '../../sim/faults/catalogue.ts';
import { Prng } from '../../sim/prng.ts';
import { Simulation } from '../../sim/simulation.ts';
import type { TcpProfileName } from '../../sim/tcp/profiles.ts';
import { ScriptedPeer } from './scripted-peer.ts';

const PROFILES: TcpProfileName[] = ['linux-default', 'pingpong3', 'quickack', 'nodelay'];

/** A random mix of faults, drawn from `p` (test-side choice of what to attach, not a sim decision). */
function randomFaults(p: Prng): FaultSpec[] {
  const pool: (() => FaultSpec)[] = [
    () => ({ name: 'latency', extraUs: p.below(500), jitterUs: p.below(300) }),
    () => ({ name: 'bandwidth', bytesPerSec: 1000 + p.below(1_000_000) }),
    () => ({ name: 'slicer', numerator: p.below(3), denominator: 3, maxPieces: 2 + p.below(5) }),
    () => ({ name: 'coalesce', holdUs: 1 + p.below(200), direction: p.chance(1, 2) ? 'toListener' : 'toConnector' }),
    () => ({ name: 'reset_peer', afterBytes: p.below(400) }),
    () => ({ name: 'reset_peer', atUs: p.below(5_000) }),
    () => ({ name: 'timeout', afterBytes: p.below(400) }),
    () => ({ name: 'slow_close', delayUs: p.below(100_000) }),
    () => ({ name: 'limit_data', bytes: p.below(400) }),
    () => ({ name: 'half_close', afterBytes: p.below(200), direction: p.chance(1, 2) ? 'toListener' : 'toConnector' }),
  ];
  return Array.from({ length: p.below(4) }, () => (pool[p.below(pool.length)] as () => FaultSpec)());
}

const CLIENT_WRITES = ['EHLO front.example.test\r\n', 'XCLIENT ADDR=127.0.0.1 LOGIN=alice\r\n', 'EHLO front.example.test\r\n', 'MAIL FROM:<a@b>\r\n', 'QUIT\r\n'];

describe('bounded runs', () => {
  it('500 random fault mixes on all profiles settle within the bound; each side receives a prefix of what the other wrote', () => {
    let complete = 0;
    for (let seed = 0; seed < 500; seed++) {
      const p = new Prng(seed + 1_000_000);
      const faults = randomFaults(p);
      const profile = PROFILES[p.below(PROFILES.length)] as TcpProfileName;
      const sim = new Simulation({ seed, trace: false });
      const serverReplies = ['220 backend ESMTP\r\n', '250-backend\r\n250 XCLIENT ADDR\r\n', '220 backend ESMTP\r\n', '250 backend\r\n', '250 Ok\r\n', '221 Bye\r\n'];
      const server = new ScriptedPeer({
        name: 'srv', role: 'server', onOpen: [{ afterUs: 500, text: serverReplies[0] as string }],
        onMessage: serverReplies.slice(1).map((text) => [{ afterUs: 30, text }]), finally: 'close',
      });
      const client = new ScriptedPeer({
        name: 'cli', role: 'client', connectTo: { host: '127.0.0.1', port: 25 },
        onMessage: [
          [{ afterUs: 50, text: CLIENT_WRITES[0] as string }],
          [{ afterUs: 50, text: CLIENT_WRITES[1] as string }, { afterUs: 3, text: CLIENT_WRITES[2] as string }],
          [], [{ afterUs: 10, text: CLIENT_WRITES[3] as string }], [{ afterUs: 10, text: CLIENT_WRITES[4] as string }], [],
        ],
        finally: 'close',
      });
      sim.addNode(server, { listen: [{ host: '127.0.0.1', port: 25, link: { profile, faults } }] });
      sim.addNode(client);
      const result = sim.runUntilIdle(5_000);
      const context = `seed ${seed} ${profile} ${JSON.stringify(faults)}`;
      expect(result.idle, context).toBe(true);
      const got = server.received.map((r) => r.text).join('');
      expect(CLIENT_WRITES.join('').startsWith(got), context).toBe(true);
      const back = client.received.map((r) => r.text).join('');
      expect(serverReplies.join('').startsWith(back), context).toBe(true);
      if (got === CLIENT_WRITES.join('') && back === serverReplies.join('')) complete++;
    }
    // the mixes matter: some sessions finish, others are cut short
    expect(complete).toBeGreaterThan(50);
    expect(complete).toBeLessThan(450);
  });

  it('a model that never stops emitting outputs for one input is a liveness failure, not a hang', () => {
    class Chatty implements Model {
      readonly name = 'chatty';
      start(): void {}
      handle(): void {}
      poll(): Output | undefined {
        return { kind: 'log', program: 'chatty', line: 'again' };
      }
    }
    const sim = new Simulation({ seed: 77, trace: false });
    sim.addNode(new Chatty());
    expect(() => sim.runUntilIdle(10)).toThrow(LivenessError);
    expect(() => new Simulation({ seed: 77 }).runUntilIdle(10)).not.toThrow();
  });
});
