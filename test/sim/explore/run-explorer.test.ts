/* run-explorer - the explorer on a toy of two clients and a server in the simulator: every order the server can see, once */
import { describe, expect, it } from 'vitest';
import { OutputQueue, asciiBytes, type Input, type Model, type Output } from '../../../models/contract.ts';
import { Simulation } from '../../../sim/simulation.ts';
import { exploreSchedules, type ExploreBounds } from '../../../sim/explore/dfs.ts';
import { RunExplorer } from '../../../sim/explore/run-explorer.ts';
import type { ChoiceSequence } from '../../../sim/explore/choice-sequence.ts';

/** Connects at start and writes one line once connected. */
class LineClient implements Model {
  private readonly out = new OutputQueue();
  constructor(readonly name: string) {}
  start(): void {
    this.out.push({ kind: 'connect', conn: 'up', to: { host: '127.0.0.1', port: 25 }, noDelay: false });
  }
  handle(_now: number, input: Input): void {
    if (input.kind === 'connected') this.out.push({ kind: 'write', conn: 'up', bytes: asciiBytes(`${this.name}\r\n`) });
  }
  poll(): Output | undefined {
    return this.out.poll();
  }
}

/** Records what it sees, in order: which connection was accepted (c1 is client one's: it connects first), whose line came. */
class RecordingServer implements Model {
  readonly name = 'server';
  readonly seen: string[] = [];
  handle(_now: number, input: Input): void {
    if (input.kind === 'accepted') this.seen.push(`accept:${input.conn}`);
    if (input.kind === 'bytes') this.seen.push(Buffer.from(input.bytes).toString('latin1').trim());
  }
  poll(): Output | undefined {
    return undefined;
  }
}

const BOUNDS: ExploreBounds = { deviations: Infinity, maxDecisions: 100, maxRuns: 10_000 };

/** What the server saw, and the whole trace of the run (what tells two executions apart). */
function run(choices: ChoiceSequence): { seen: string; trace: string } {
  const explorer = new RunExplorer(choices);
  const sim = new Simulation({ seed: 0, trace: true, choices: explorer, explorer });
  const server = new RecordingServer();
  sim.addNode(server, { listen: [{ host: '127.0.0.1', port: 25 }] });
  sim.addNode(new LineClient('one'));
  sim.addNode(new LineClient('two'));
  sim.runUntilIdle(1_000);
  return { seen: server.seen.join(' '), trace: sim.trace.toJsonLines() };
}

/** Each client's accept before its line, the two interleaved in every way: C(4, 2) orders. */
const SERVER_ORDERS = [
  'accept:c1 one accept:c2 two', 'accept:c1 accept:c2 one two', 'accept:c1 accept:c2 two one',
  'accept:c2 accept:c1 one two', 'accept:c2 accept:c1 two one', 'accept:c2 two accept:c1 one',
];

describe('RunExplorer on two clients writing to one server at the same instants', () => {
  it('finds every order the server can see, and runs no execution twice', () => {
    const results: { seen: string; trace: string }[] = [];
    const counts = exploreSchedules(run, BOUNDS, (schedule) => results.push(schedule.result));
    // The handshake ACKs and the lines of both clients reach the server in the same microsecond.
    expect(new Set(results.map((r) => r.seen))).toEqual(new Set(SERVER_ORDERS));
    // Schedules differ in the server's order or in when a delayed ACK fires (its slack's two ends): never the same run.
    expect(new Set(results.map((r) => r.trace)).size).toBe(results.length);
    expect(counts.complete).toBe(true);
  });

  it('a seeded run of the same system takes queue order, the explorer\'s default schedule', () => {
    const sim = new Simulation({ seed: 7, trace: false });
    const server = new RecordingServer();
    sim.addNode(server, { listen: [{ host: '127.0.0.1', port: 25 }] });
    sim.addNode(new LineClient('one'));
    sim.addNode(new LineClient('two'));
    sim.runUntilIdle(1_000);
    const first: string[] = [];
    exploreSchedules(run, { ...BOUNDS, maxRuns: 1 }, (schedule) => first.push(schedule.result.seen));
    expect(first).toEqual([server.seen.join(' ')]);
  });
});
