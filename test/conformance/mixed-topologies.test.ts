/* mixed-topologies - models and real programs on either side of each other, over real sockets
 *
 * All on the host's 127.0.0.1 (node's own sockets must reach the daemons), every listener on a
 * free port: the auth service model and the real Dovecot's passdb send the backend connection
 * to the port the backend actually bound, and each real stack runs from a lab directory of its
 * own, so several test runs (or a running `smtp-lab serve`) can share the machine.
 */
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealStack, runSwaks } from '../../conformance/real-stack.ts';
import { smtpdLines } from '../../conformance/normalise.ts';
import { parseSwaksTranscript, type ClientOutcome } from '../../conformance/swaks-transcript.ts';
import { createPostfix } from '../../models/postfix/smtpd.ts';
import { labPreset, measuredTimings } from '../../models/postfix/config.ts';
import nodemailer from 'nodemailer';
import { SocketRuntime, selfSignedIdentity, type RuntimeEvent } from '../../runtime/socket/index.ts';
import { lenientServer, serveScenario } from '../../runtime/serve-scenario.ts';
import { startRealBackend } from '../../conformance/real-backend.ts';
import { startTopology, type RunningTopology } from '../../runtime/topology.ts';
import { loadScenario } from '../../scenarios/index.ts';
import { realStackSkipReason } from './real-stack-env.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const AUTH = ['--auth', 'PLAIN', '--auth-user', 'alice@example.test', '--auth-password', 'secret', '--helo', 'client.example.test', '--show-time-lapse'];
const MAIL = ['--from', 'alice@example.test', '--to', 'bob@example.test'];
const IMPROPER = 'improper command pipelining after XCLIENT from localhost[127.0.0.1]: EHLO front.example.test\\r\\n';
const QUEUED = /^250 2\.0\.0 Ok: queued as [0-9A-F]+$/;

async function swaksTo(address: { port: number }, args: readonly string[]): Promise<ClientOutcome> {
  const run = await runSwaks(`127.0.0.1:${address.port}`, args);
  return parseSwaksTranscript(run.transcript);
}

async function withTopology(options: Parameters<typeof startTopology>[0], body: (t: RunningTopology) => Promise<void>): Promise<void> {
  const topology = await startTopology(options);
  try {
    await body(topology);
  } finally {
    await topology.close();
  }
}

describe.skipIf(realStackSkipReason !== null)('real Dovecot → model Postfix', () => {
  /** The model Postfix on a free port, then the real Dovecot (alone) proxying to that port. */
  async function withModelPostfix(xclientLookupDelayUs: number, body: (runtime: SocketRuntime, stack: RealStack) => Promise<void>): Promise<void> {
    const runtime = new SocketRuntime();
    let stack: RealStack | undefined;
    try {
      const postfix = createPostfix(labPreset({ timings: { ...measuredTimings, xclientLookupDelayUs } }));
      const [backend] = await runtime.addNode(postfix, { listen: [{ port: 0 }] });
      stack = await RealStack.start({ netns: null, postfix: false, dovecot: true, ports: { postfix: backend!.port } });
      await body(runtime, stack);
    } finally {
      await stack?.stop();
      await runtime.close();
    }
  }

  it('fast model Postfix: the real Dovecot logs in, relays the message, one backend connection', async () => {
    await withModelPostfix(0, async (runtime, stack) => {
      const run = await stack.swaks([...AUTH, ...MAIL]);
      const client = parseSwaksTranscript(run.transcript);
      expect(client.authReply).toBe('235 2.7.0 Logged in.');
      expect(client.replies.at(-2)).toMatch(/^250 2\.0\.0 Ok: queued as [0-9A-F]+$/);
      expect(runtime.events.filter((e) => e.kind === 'accept')).toHaveLength(1);
      expect(smtpdLines(runtime.logLines('postfix')).filter((l) => l.includes('improper'))).toEqual([]);
    });
  });

  it('slow XCLIENT lookup in the model: 554 on each of 4 connections, the real Dovecot gives up with 454', async () => {
    await withModelPostfix(100_000, async (runtime, stack) => {
      const mark = stack.mark();
      const run = await stack.swaks([...AUTH, '--quit-after', 'AUTH']);
      const client = parseSwaksTranscript(run.transcript);
      expect(client.authReply).toBe('454 4.7.0 Account is temporarily unavailable.');
      // 3 reconnects 1 s apart plus 4 × (2 lookups of 100 ms): README reports 3.82 s for E1.
      expect(client.authToReplyMs).toBeGreaterThan(3_000);
      expect(client.authToReplyMs).toBeLessThan(5_000);
      expect(runtime.events.filter((e) => e.kind === 'accept')).toHaveLength(4);
      const writes554 = runtime.events.filter((e) => e.kind === 'write' && e.data === '554 5.5.0 Error: SMTP protocol synchronization\r\n');
      expect(writes554).toHaveLength(4);
      expect(smtpdLines(runtime.logLines('postfix')).filter((l) => l.includes('improper'))).toEqual(
        Array(4).fill('postfix/smtpd: improper command pipelining after XCLIENT from localhost[127.0.0.1]: EHLO front.example.test\\r\\n'),
      );
      await stack.settleDovecot(mark, 'Disconnected');
      const dovecot = stack.dovecotLogSince(mark).join('\n');
      expect(dovecot.match(/XCLIENT failed: 554 5\.5\.0 Error: SMTP protocol synchronization - reconnecting \(attempt #\d\)/g)).toHaveLength(3);
    });
  });
});

describe.skipIf(realStackSkipReason !== null)('real clients (swaks, nodemailer) → model front → model Postfix', () => {
  it('dovecot-2.3 front, plain and 465-style TLS listener: 235 and the message queued in the model', async () => {
    await withTopology({ front: 'dovecot-2.3', frontPort: 0, frontTlsPort: 0, postfix: labPreset() }, async (t) => {
      for (const [address, extra] of [[t.front, []], [t.frontTls!, ['--tls-on-connect']]] as const) {
        const client = await swaksTo(address, [...AUTH, ...MAIL, ...extra]);
        expect(client.replies[0]).toBe('220 front.example.test Dovecot (Debian) ready.');
        expect(client.authReply).toBe('235 2.7.0 Logged in.');
        expect(client.replies.at(-2)).toMatch(QUEUED);
      }
      const log = smtpdLines(t.runtime.logLines('postfix'));
      expect(log.filter((l) => l.includes('sasl_method=XCLIENT, sasl_username=alice@example.test'))).toHaveLength(2);
      expect(t.runtime.events.filter((e) => e.kind === 'error')).toEqual([]);
    });
  });

  it('nodemailer submits through the dovecot-2.3 front, plain and over TLS (pinned self-signed certificate)', async () => {
    await withTopology({ front: 'dovecot-2.3', frontPort: 0, frontTlsPort: 0, postfix: labPreset() }, async (t) => {
      for (const [address, secure] of [[t.front, false], [t.frontTls!, true]] as const) {
        const transport = nodemailer.createTransport({
          host: '127.0.0.1', port: address.port, secure, ignoreTLS: !secure, name: 'client.example.test',
          auth: { user: 'alice@example.test', pass: 'secret' }, authMethod: 'PLAIN',
          tls: { ca: selfSignedIdentity().cert, servername: 'localhost' },
        });
        try {
          const info = await transport.sendMail({ from: 'alice@example.test', to: 'bob@example.test', subject: 'lab', text: 'hello' });
          expect(info.accepted).toEqual(['bob@example.test']);
          expect(info.response).toMatch(QUEUED);
        } finally {
          transport.close();
        }
      }
      expect(t.runtime.events.filter((e) => e.kind === 'fact' && e.fact.kind === 'queued')).toHaveLength(2);
    });
  });

  it('dovecot-2.3 front against model Postfix 3.9 with a slow XCLIENT lookup: 454 after 4 backend connections', async () => {
    const postfix = labPreset({ mail_version: '3.9', timings: { ...measuredTimings, xclientLookupDelayUs: 100_000 } });
    await withTopology({ front: 'dovecot-2.3', frontPort: 0, postfix }, async (t) => {
      const client = await swaksTo(t.front, [...AUTH, '--quit-after', 'AUTH']);
      expect(client.authReply).toBe('454 4.7.0 Account is temporarily unavailable.');
      expect(t.runtime.events.filter((e) => e.kind === 'accept' && e.node === 'postfix')).toHaveLength(4);
      expect(smtpdLines(t.runtime.logLines('postfix')).filter((l) => l.includes('improper'))).toEqual(Array(4).fill(`postfix/smtpd: ${IMPROPER}`));
    });
  });

  it('lockstep front against the same slow Postfix 3.9: 235, queued, no improper pipelining', async () => {
    const postfix = labPreset({ mail_version: '3.9', timings: { ...measuredTimings, xclientLookupDelayUs: 100_000 } });
    await withTopology({ front: 'lockstep', frontPort: 0, postfix }, async (t) => {
      const client = await swaksTo(t.front, [...AUTH, ...MAIL]);
      expect(client.authReply).toBe('235 2.7.0 Logged in.');
      expect(client.replies.at(-2)).toMatch(QUEUED);
      expect(t.runtime.events.filter((e) => e.kind === 'accept' && e.node === 'postfix')).toHaveLength(1);
      expect(smtpdLines(t.runtime.logLines('postfix')).filter((l) => l.includes('improper'))).toEqual([]);
    });
  });
});

describe.skipIf(realStackSkipReason !== null)('swaks → model front → real Postfix (forbid=yes, slow XCLIENT lookup)', () => {
  let stack: RealStack;
  beforeAll(async () => {
    // Dovecot runs too: the real smtpd's SASL server (smtpd_sasl_type=dovecot) needs its auth socket.
    stack = await RealStack.start({ netns: null });
    await stack.configure({ forbid: true, tcpMode: 'default', xclientLookupMs: 100 });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('dovecot-2.3 front: the real Postfix rejects each pipelined EHLO, the client gets 454', async () => {
    await withTopology({ front: 'dovecot-2.3', frontPort: 0, postfix: null, backendPorts: { authenticated: stack.ports.postfix } }, async (t) => {
      const mark = stack.mark();
      const client = await swaksTo(t.front, [...AUTH, '--quit-after', 'AUTH']);
      await stack.settle(mark);
      expect(client.authReply).toBe('454 4.7.0 Account is temporarily unavailable.');
      const log = smtpdLines(stack.postfixLogSince(mark));
      expect(log.filter((l) => l.startsWith('postfix/smtpd: connect from'))).toHaveLength(4);
      expect(log.filter((l) => l.includes('improper'))).toEqual(Array(4).fill(`postfix/smtpd: ${IMPROPER}`));
      const replies554 = t.runtime.events.filter((e) => e.kind === 'recv' && e.data.startsWith('554 5.5.0 Error: SMTP protocol synchronization\r\n'));
      expect(replies554).toHaveLength(4);
    });
  });

  it('lockstep front: the real Postfix accepts, 235 and the message queued', async () => {
    await withTopology({ front: 'lockstep', frontPort: 0, postfix: null, backendPorts: { authenticated: stack.ports.postfix } }, async (t) => {
      const mark = stack.mark();
      const client = await swaksTo(t.front, [...AUTH, ...MAIL]);
      await stack.settle(mark);
      expect(client.authReply).toBe('235 2.7.0 Logged in.');
      expect(client.replies.at(-2)).toMatch(QUEUED);
      const log = smtpdLines(stack.postfixLogSince(mark));
      expect(log.filter((l) => l.includes('improper'))).toEqual([]);
      expect(log).toContainEqual(expect.stringMatching(/^postfix\/smtpd: <queue-id>: client=localhost\[127\.0\.0\.1\], sasl_method=XCLIENT, sasl_username=alice@example\.test$/));
    });
  });
});

describe.skipIf(realStackSkipReason !== null)('swaks → model front → smtp-server (useXClient) as a lenient backend', () => {
  it('dovecot-2.3 pipelines EHLO after XCLIENT and the lenient server does not mind: 235, message delivered', async () => {
    const received: string[] = [];
    const server = lenientServer((summary) => received.push(summary));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const backend = (server.server.address() as AddressInfo).port;
      await withTopology({ front: 'dovecot-2.3', frontPort: 0, postfix: null, backendPorts: { authenticated: backend } }, async (t) => {
        const client = await swaksTo(t.front, [...AUTH, ...MAIL]);
        expect(client.authReply).toBe('235 2.7.0 Logged in.');
        expect(client.replies.at(-2)).toMatch(/^250 OK: message queued/);
        // The front did pipeline: its second EHLO went out before the reply to XCLIENT came back.
        const backend = t.runtime.events.filter((e): e is Extract<RuntimeEvent, { kind: 'write' | 'recv' }> =>
          (e.kind === 'write' || e.kind === 'recv') && e.node === 'front' && e.conn.includes('backend'));
        const xclient = backend.findIndex((e) => e.kind === 'write' && e.data.startsWith('XCLIENT '));
        const secondEhlo = backend.findIndex((e, i) => i > xclient && e.kind === 'write' && e.data.startsWith('EHLO '));
        const xclientReply = backend.findIndex((e, i) => i > xclient && e.kind === 'recv');
        expect(xclient).toBeGreaterThan(0);
        expect(secondEhlo).toBeGreaterThan(xclient);
        expect(secondEhlo).toBeLessThan(xclientReply);
      });
      expect(received).toEqual([expect.stringMatching(/^smtp-server: message from=<alice@example\.test> user=alice@example\.test size=\d+$/)]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe.skipIf(realStackSkipReason !== null)('smtp-lab serve: swaks against a served scenario', () => {
  it('lockstep delivers a message (model backend)', async () => {
    const served = await serveScenario(loadScenario({ scenario: 'lockstep' }), { backend: 'model', port: 0 });
    try {
      const client = await swaksTo(served.topology.front, [...AUTH, ...MAIL]);
      expect(client.authReply).toBe('235 2.7.0 Logged in.');
      expect(client.replies.at(-2)).toMatch(QUEUED);
      expect(served.listeners[0]).toBe(`front 127.0.0.1:${served.topology.front.port} (lockstep)`);
    } finally {
      await served.close();
    }
  });

  it('mailu-2024.06 with the real trigger (real Postfix, slow XCLIENT lookup): 454', async () => {
    const scenario = loadScenario({ scenario: 'mailu-2024.06', sets: ['postfix.xclient_lookup_ms=100'] });
    const served = await serveScenario(scenario, { backend: await startRealBackend(scenario), port: 0 });
    try {
      const client = await swaksTo(served.topology.front, [...AUTH, '--quit-after', 'AUTH']);
      expect(client.authReply).toBe('454 4.7.0 Account is temporarily unavailable.');
      expect(served.listeners.at(-1)).toMatch(new RegExp(`^postfix 127\\.0\\.0\\.1:${served.topology.backendPorts.authenticated} \\(real Postfix 3\\.7\\.11, smtpd_forbid_unauth_pipelining=yes, XCLIENT lookup 100 ms;`));
    } finally {
      await served.close();
    }
  });

  it('the CLI prints its ports, serves swaks, and stops on SIGINT with exit 0', async () => {
    const child = spawn(process.execPath, ['bin/smtp-lab.js', 'serve', '--scenario', 'lockstep', '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (out += t));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      for (let i = 0; i < 100 && !/front 127\.0\.0\.1:\d+/.test(out); i++) await sleep(100);
      const port = Number(/front 127\.0\.0\.1:(\d+) \(lockstep\)/.exec(out)?.[1]);
      const client = await swaksTo({ port }, [...AUTH, ...MAIL]);
      expect(client.replies.at(-2)).toMatch(QUEUED);
      for (let i = 0; i < 50 && !out.includes('disconnect from'); i++) await sleep(100);
      expect(out).toMatch(/ postfix postfix\/smtpd: [0-9A-F]+: client=localhost\[127\.0\.0\.1\], sasl_method=XCLIENT, sasl_username=alice@example\.test/);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  });
});
