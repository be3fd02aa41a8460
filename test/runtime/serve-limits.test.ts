/* serve-limits - a whole chain on loopback at its front's cap: the front's own connections to the auth service and Postfix never take a client's slot */
import { afterEach, expect, it } from 'vitest';
import { sendOne } from '../../bench/loadtest/smtp-client.ts';
import type { PostfixModel } from '../../models/postfix/smtpd.ts';
import { serveScenario, type RunningServe } from '../../runtime/serve-scenario.ts';
import { loadScenario } from '../../scenarios/index.ts';

let serve: RunningServe | undefined;
afterEach(async () => {
  await serve?.close();
  serve = undefined;
});

it('lockstep capped at 3 clients serves 6 sessions started at once: 3 wait in the accept queue, all are queued, digests equal', async () => {
  serve = await serveScenario(loadScenario({ scenario: 'lockstep', sets: [] }), { backend: 'model', port: 0, frontLimits: { setting: 'test: 3 clients', maxConnections: 3, whenFull: 'wait' } });
  const port = serve.topology.front.port;
  const results = await Promise.all(Array.from({ length: 6 }, (_, i) => sendOne(port, 'alice@example.test', 'secret', { bytes: 3_000, tag: `t${i}` })));
  expect(results.map((r) => r.outcome)).toEqual(Array(6).fill('queued'));
  const queue = (serve.topology.models.postfix as PostfixModel).queue.messages;
  expect(new Set(queue.map((m) => m.sha256))).toEqual(new Set(results.map((r) => r.sha256)));
  expect(serve.topology.runtime.events.filter((e) => e.kind === 'limit').map((e) => e.node)).toEqual(expect.arrayContaining(['front']));
  expect(serve.topology.runtime.events.filter((e) => e.kind === 'limit' && e.node !== 'front')).toEqual([]);
});
