/* serve-held - finished sessions leave nothing in the runtime's per-connection and per-timer tables (issue 17: memory flat under load) */
import { afterEach, expect, it } from 'vitest';
import { heldWhenSettled } from '../../bench/loadtest/measurements.ts';
import { sendOne } from '../../bench/loadtest/smtp-client.ts';
import type { PostfixModel } from '../../models/postfix/smtpd.ts';
import type { RuntimeHeld } from '../../runtime/socket/index.ts';
import { serveScenario, type RunningServe } from '../../runtime/serve-scenario.ts';
import { loadScenario } from '../../scenarios/index.ts';

let serve: RunningServe | undefined;
afterEach(async () => {
  await serve?.close();
  serve = undefined;
});

const NOTHING: RuntimeHeld = { connections: 0, queuedClients: 0, timers: 0, timerSources: 0 };

it('lockstep, 40 whole sessions 10 at a time: all queued, then no connection, timer or waiting client is left', async () => {
  serve = await serveScenario(loadScenario({ scenario: 'lockstep', sets: [] }), { backend: 'model', port: 0 });
  const port = serve.topology.front.port;
  const outcomes: string[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < 40; i = next++) outcomes.push((await sendOne(port, 'alice@example.test', 'secret', { bytes: 2_000, tag: `h${i}` })).outcome);
  };
  await Promise.all(Array.from({ length: 10 }, worker));
  expect(outcomes).toEqual(Array(40).fill('queued'));
  expect((serve.topology.models.postfix as PostfixModel).queue.messages).toHaveLength(40);
  expect(await heldWhenSettled(serve.topology.runtime, 2_000)).toEqual(NOTHING);
});
