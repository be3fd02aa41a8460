/* haproxy-keepalive - HAProxy without `timeout client`/`timeout server`: held for ever, unless option clitcpka/srvtcpka lets the kernel end it
 *
 * A client connects through HAProxy to a server that greets; then both of HAProxy's links go
 * silent for good (fault `timeout`). HAProxy has no deadline of its own (an unspecified timeout is
 * infinite, doc/configuration.txt). Without keepalive it holds both connections for ever and says
 * so by name (waitsWithoutDeadline); with `option clitcpka`/`srvtcpka` (session.c
 * session_accept_fd(), proto_tcp.c tcp_connect_server()) the kernel's keepalive ends them, after the
 * configured clitcpka-idle + cnt × intvl, and the simulation records the kernel end with the model's
 * word that HAProxy left it to the kernel (deadlineLeftToKernel).
 */
import { describe, expect, it } from 'vitest';
import type { KeepAlive } from '../../../models/contract.ts';
import { edgeHaproxyConfig } from '../../../models/front/config.ts';
import { HaproxyFront } from '../../../models/front/haproxy-front.ts';
import { Simulation } from '../../../sim/simulation.ts';
import { ScriptedPeer } from '../../sim/scripted-peer.ts';

const S = 1_000_000;
const FRONT = { host: '127.0.0.1', port: 587 };
const SERVER = { host: '127.0.0.2', port: 10025 };

function silencedThroughHaproxy(clitcpka: KeepAlive, srvtcpka: KeepAlive) {
  const sim = new Simulation({ seed: 3 });
  const silent = { faults: [{ name: 'timeout' as const, atUs: 10_000 }] };
  const front = new HaproxyFront({ ...edgeHaproxyConfig, server: SERVER, send_proxy: 'none', timeout_client: null, timeout_server: null, clitcpka, srvtcpka });
  sim.addNode(new ScriptedPeer({ name: 'postfix', role: 'server', onOpen: [{ afterUs: 5, text: '220 hi\r\n' }] }), { host: SERVER.host, listen: [{ ...SERVER, link: silent }] });
  sim.addNode(front, { host: FRONT.host, listen: [{ ...FRONT, link: silent }] });
  sim.addNode(new ScriptedPeer({ name: 'client', role: 'client', connectTo: FRONT }), { host: '127.0.0.3' });
  sim.runUntilIdle(1_000_000);
  return sim;
}

describe('HAProxy without timeouts, its links gone silent', () => {
  it('without keepalive: both connections held for ever, excused by name (the old verdict)', () => {
    const sim = silencedThroughHaproxy(false, false);
    expect(sim.kernelEnds()).toEqual([]);
    const front = sim.heldConnections().filter((held) => held.node === 'front');
    expect(front.map((held) => held.realProgramWaits)).toEqual([expect.stringMatching(/no `timeout client`/), expect.stringMatching(/no `timeout server`/)]);
  });

  it('option clitcpka with clitcpka-idle 30s, -intvl 10s, -cnt 3: the kernel ends the client side 60 s after it was last heard, and HAProxy then closes the server side', () => {
    const sim = silencedThroughHaproxy({ idleS: 30, intvlS: 10, cnt: 3 }, false);
    const ends = sim.kernelEnds();
    expect(ends).toHaveLength(1);
    const end = ends[0]!;
    expect(end).toMatchObject({ node: 'front', timer: 'keepalive' });
    expect(end.atUs - end.quietSinceUs).toBe(60 * S);
    expect(end.realProgramWaits).toMatch(/but `option clitcpka`: only the kernel's SO_KEEPALIVE/);
    expect(sim.heldConnections().filter((held) => held.node === 'front')).toEqual([]);
  });

  it('option srvtcpka alone: the server side ends by the kernel after the sysctls (7875 s), and the client side with it', () => {
    const sim = silencedThroughHaproxy(false, true);
    expect(sim.kernelEnds()).toMatchObject([{ node: 'front', timer: 'keepalive', realProgramWaits: expect.stringMatching(/`option srvtcpka`/) }]);
    const end = sim.kernelEnds()[0]!;
    expect(end.atUs - end.quietSinceUs).toBe(7875 * S);
    expect(sim.heldConnections().filter((held) => held.node === 'front')).toEqual([]);
  });
});
