import { describe, expect, it } from 'vitest';
import { SmtpClient } from '../../../models/client/client.ts';
import { lockstepGroups, type ClientScript } from '../../../models/client/script.ts';
import { defaultSwaksScript, swaksScript } from '../../../models/client/swaks.ts';
import { recordedClientLines, recordedClientSegments } from './recorded.ts';
import { ruleServer, runClient, type ScriptedServer, type ServerAnswer } from './scripted-server.ts';

const FRONT = { host: '127.0.0.1', port: 1587 };

/** Replays the front's recorded replies: greeting, then the n-th recorded reply for the n-th write. */
function replayServer(run: string): ScriptedServer {
  const replies = recordedClientSegments(run).filter((s) => s.from === 'dovecot').map((s) => s.data);
  return {
    onConnect: () => [{ bytes: replies[0] ?? '' }],
    onWrite: (_text, { writeIndex }) => {
      const reply = replies[writeIndex + 1];
      return reply === undefined ? [] : [{ bytes: reply }];
    },
  };
}

const EHLO_REPLY = '250-front.example.test\r\n250-AUTH PLAIN LOGIN\r\n250-PIPELINING\r\n250 VRFY\r\n';

function mailServer(extra: ReadonlyArray<readonly [RegExp, string | ServerAnswer[]]> = []): ScriptedServer {
  return ruleServer('220 front.example.test ESMTP\r\n', [
    ...extra,
    [/^EHLO /, EHLO_REPLY],
    [/^HELO /, '250 front.example.test\r\n'],
    [/^AUTH /, '235 2.7.0 Logged in.\r\n'],
    [/^MAIL /, '250 2.1.0 Ok\r\n'],
    [/^RCPT /, '250 2.1.5 Ok\r\n'],
    [/^DATA$/, '354 End data with <CR><LF>.<CR><LF>\r\n'],
    [/^\.$/, '250 2.0.0 Ok: queued as ABC123\r\n'],
    [/^(RSET|NOOP)$/, '250 2.0.0 Ok\r\n'],
    [/^QUIT$/, [{ bytes: '221 2.0.0 Bye\r\n' }, { eof: true }]],
  ]);
}

describe('default script against the recorded swaks run (A1)', () => {
  const client = new SmtpClient(defaultSwaksScript(FRONT));
  const run = runClient(client, replayServer('A1-forbid-yes-default-plain'));
  const result = client.result();

  it('writes byte for byte what swaks wrote, one write per recorded segment', () => {
    const recorded = recordedClientSegments('A1-forbid-yes-default-plain').filter((s) => s.from === 'client').map((s) => s.data);
    expect(run.writes.map((w) => w.text)).toEqual(recorded);
  });

  it('sends the lines of the swaks transcript in order', () => {
    const lines = run.writes.map((w) => w.text).join('').split('\r\n').slice(0, -1);
    expect(lines).toEqual(recordedClientLines('A1-forbid-yes-default-plain'));
  });

  it('connects with Nagle on, as swaks does', () => {
    expect(run.outputs[0]).toEqual({ kind: 'connect', conn: 'client:smtp', to: FRONT, noDelay: false });
  });

  it('records every reply, the AUTH outcome and the queue id', () => {
    expect(result.replies).toHaveLength(8);
    expect(result.replies[1]?.split('\n')).toHaveLength(10);
    expect(result.replies[7]).toBe('221 2.0.0 Bye');
    expect(result.authReply).toBe('235 2.7.0 Logged in.');
    expect(result.authenticated).toBe(true);
    expect(result.authToReplyUs).toBe(0);
    expect(result.queuedIds).toEqual(['E48D920C078']);
    expect(result.acceptedMessages).toEqual([
      { from: 'alice@example.test', to: ['bob@example.test'], bytes: 262, queueId: 'E48D920C078', reply: '250 2.0.0 Ok: queued as E48D920C078' },
    ]);
    expect(result.ehloKeywords).toContain('PIPELINING');
    expect(result).toMatchObject({ closedBy: 'client', done: true, error: null });
  });

  it('reacts one think time after each reply and closes after 221', () => {
    expect(run.writes.map((w) => w.at)).toEqual([150, 300, 450, 600, 750, 900, 1050]);
    const closeAt = run.outputs.findIndex((o) => o.kind === 'close');
    expect(run.outputs.slice(closeAt)).toEqual([{ kind: 'close', conn: 'client:smtp' }]);
    expect(run.now).toBe(1200);
  });
});

describe('AUTH LOGIN against the recorded swaks run (A3)', () => {
  it('sends user and password as base64 continuations, as swaks did', () => {
    const client = new SmtpClient(swaksScript({ connectTo: FRONT, user: 'alice@example.test', password: 'secret', helo: 'client.example.test', auth: 'LOGIN', pipelining: false }));
    const run = runClient(client, replayServer('A3-forbid-yes-quickack-login'));
    const recorded = recordedClientLines('A3-forbid-yes-quickack-login');
    const sent = run.writes.map((w) => w.text).join('').split('\r\n');
    expect(sent.slice(0, 7)).toEqual(recorded.slice(0, 7));
    expect(client.result().authReply).toBe('235 2.7.0 Logged in.');
  });
});

describe('AUTH failures end the session as swaks does (E1, E3)', () => {
  for (const [run, auth] of [['E1-slowxclient-forbid-yes-default-plain', 'PLAIN'], ['E3-slowxclient-forbid-yes-default-login', 'LOGIN']] as const) {
    it(`${auth}: 454 to AUTH, then QUIT and nothing else`, () => {
      const client = new SmtpClient(swaksScript({ connectTo: FRONT, user: 'alice@example.test', password: 'secret', helo: 'client.example.test', auth, pipelining: false }));
      const written = runClient(client, replayServer(run)).writes.map((w) => w.text).join('').split('\r\n').slice(0, -1);
      expect(written).toEqual(recordedClientLines(run));
      expect(client.result()).toMatchObject({ authReply: '454 4.7.0 Account is temporarily unavailable.', authenticated: false, queuedIds: [] });
    });
  }
});

describe('swaks --quit-after AUTH (the recorded trials: conformance/records/README.md)', () => {
  for (const auth of ['PLAIN', 'LOGIN'] as const) {
    it(`${auth}: EHLO, AUTH, then QUIT after the 235: no MAIL, no message`, () => {
      const client = new SmtpClient(swaksScript({ connectTo: FRONT, user: 'alice@example.test', password: 'secret', helo: 'client.example.test', auth, pipelining: false, quitAfter: 'AUTH' }));
      const verbs = runClient(client, mailServer()).writes.map((w) => w.text.split(/[ \r]/)[0]);
      expect(verbs).toEqual(['EHLO', 'AUTH', 'QUIT']);
      expect(client.result()).toMatchObject({ authReply: '235 2.7.0 Logged in.', authenticated: true, queuedIds: [], quitAnswered: true });
    });
  }

  it('a refused AUTH quits as without it (swaks: do_smtp_quit(1, 28))', () => {
    const client = new SmtpClient(swaksScript({ connectTo: FRONT, user: 'a', password: 'b', helo: 'c', auth: 'PLAIN', pipelining: false, quitAfter: 'AUTH' }));
    const verbs = runClient(client, mailServer([[/^AUTH /, '535 5.7.8 Authentication failed.\r\n']])).writes.map((w) => w.text.split(' ')[0]);
    expect(verbs).toEqual(['EHLO', 'AUTH', 'QUIT\r\n']);
  });
});

describe('pipelining', () => {
  const pipelined = swaksScript({ connectTo: FRONT, user: 'alice@example.test', password: 'secret', helo: 'client.example.test', auth: 'PLAIN', pipelining: true });

  it('writes MAIL, RCPT and DATA as one write and matches the three replies by count', () => {
    const client = new SmtpClient(pipelined);
    const run = runClient(client, mailServer());
    expect(run.writes[2]?.text).toBe('MAIL FROM:<alice@example.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n');
    expect(run.writes[3]?.text.startsWith('Date: ')).toBe(true);
    expect(client.result().replies.slice(3, 6)).toEqual(['250 2.1.0 Ok', '250 2.1.5 Ok', '354 End data with <CR><LF>.<CR><LF>']);
    expect(client.result().queuedIds).toEqual(['ABC123']);
  });

  it("writes: 'separate' gives one write per step at the same instant", () => {
    const script: ClientScript = { ...pipelined, groups: pipelined.groups.map((g) => ({ ...g, writes: 'separate' as const })) };
    const run = runClient(new SmtpClient(script), mailServer());
    const envelope = run.writes.slice(2, 5);
    expect(envelope.map((w) => w.text)).toEqual(['MAIL FROM:<alice@example.test>\r\n', 'RCPT TO:<bob@example.test>\r\n', 'DATA\r\n']);
    expect(new Set(envelope.map((w) => w.at)).size).toBe(1);
  });

  it('can express illegal groups: EHLO and AUTH together, before the greeting', () => {
    const script: ClientScript = {
      ...pipelined,
      waitForGreeting: false,
      groups: [{ steps: [{ kind: 'ehlo', domain: 'c' }, { kind: 'auth', mechanism: 'PLAIN', user: 'u', password: 'p', initialResponse: true }], writes: 'one' }, ...lockstepGroups([{ kind: 'quit' }])],
    };
    const client = new SmtpClient(script);
    const run = runClient(client, mailServer());
    expect(run.writes[0]).toEqual({ at: 150, text: 'EHLO c\r\nAUTH PLAIN AHUAcA==\r\n' });
    // The greeting came before the write was answered: by count it is the greeting's reply, not EHLO's.
    expect(client.result().replies).toEqual(['220 front.example.test ESMTP', EHLO_REPLY.replaceAll('\r\n', '\n').trimEnd(), '235 2.7.0 Logged in.', '221 2.0.0 Bye']);
    expect(client.result().authenticated).toBe(true);
  });

  it('a continuation joins the queue behind replies already owed', () => {
    // AUTH LOGIN pipelined with MAIL (illegal): the 334 is answered after MAIL's reply is owed.
    const script: ClientScript = {
      ...pipelined,
      groups: [
        ...lockstepGroups([{ kind: 'ehlo', domain: 'c' }]),
        { steps: [{ kind: 'auth', mechanism: 'LOGIN', user: 'u', password: 'p', initialResponse: false }, { kind: 'noop' }], writes: 'one' },
        ...lockstepGroups([{ kind: 'quit' }]),
      ],
    };
    const server = ruleServer('220 s\r\n', [
      [/^EHLO /, '250 s\r\n'],
      [/^AUTH LOGIN$/, '334 VXNlcm5hbWU6\r\n'],
      [/^NOOP$/, '250 noop\r\n'],
      [/^dQ==$/, '334 UGFzc3dvcmQ6\r\n'],
      [/^cA==$/, '235 ok\r\n'],
      [/^QUIT$/, '221 bye\r\n'],
    ]);
    const client = new SmtpClient(script);
    const run = runClient(client, server);
    expect(run.writes.map((w) => w.text)).toEqual(['EHLO c\r\n', 'AUTH LOGIN\r\nNOOP\r\n', 'dQ==\r\n', 'cA==\r\n', 'QUIT\r\n']);
    expect(client.result()).toMatchObject({ authReply: '235 ok', authenticated: true, closedBy: 'client' });
  });
});

describe('AUTH variants', () => {
  it('PLAIN without initial response answers the empty 334 and times AUTH to its final reply', () => {
    const server: ScriptedServer = {
      onConnect: () => [{ bytes: '220 s\r\n' }],
      onWrite: (text) =>
        text.startsWith('EHLO') ? [{ bytes: '250 s\r\n' }]
        : text === 'AUTH PLAIN\r\n' ? [{ bytes: '334 \r\n' }]
        : text.startsWith('AGFs') ? [{ bytes: '235 2.7.0 Logged in.\r\n' }]
        : text === 'QUIT\r\n' ? [{ bytes: '221 bye\r\n' }]
        : [],
    };
    const script: ClientScript = {
      ...defaultSwaksScript(FRONT),
      groups: lockstepGroups([{ kind: 'ehlo', domain: 'c' }, { kind: 'auth', mechanism: 'PLAIN', user: 'alice@example.test', password: 'secret', initialResponse: false }, { kind: 'quit' }]),
    };
    const client = new SmtpClient(script);
    const run = runClient(client, server);
    expect(run.writes.map((w) => w.text)).toEqual(['EHLO c\r\n', 'AUTH PLAIN\r\n', 'AGFsaWNlQGV4YW1wbGUudGVzdABzZWNyZXQ=\r\n', 'QUIT\r\n']);
    expect(client.result().authToReplyUs).toBe(150);
  });

  it('credentials of any alphabet go out as base64 of their UTF-8 bytes', () => {
    const script: ClientScript = {
      ...defaultSwaksScript(FRONT),
      groups: lockstepGroups([{ kind: 'auth', mechanism: 'LOGIN', user: 'jürgen@bücher.test', password: 'пароль 🔑', initialResponse: false }]),
    };
    const server = ruleServer('220 s\r\n', [[/^(AUTH|[A-Za-z0-9+/=]+$)/, '334 x\r\n']]);
    const run = runClient(new SmtpClient(script), server);
    expect(run.writes.map((w) => w.text)).toEqual([
      'AUTH LOGIN\r\n',
      `${Buffer.from('jürgen@bücher.test', 'utf8').toString('base64')}\r\n`,
      `${Buffer.from('пароль 🔑', 'utf8').toString('base64')}\r\n`,
      // The server's third 334 asks for more than LOGIN has: swaks expects 235, so this is a failure.
      'QUIT\r\n',
    ]);
  });
});

describe('failures, closes and resets', () => {
  const base = defaultSwaksScript(FRONT);

  it('a refused MAIL makes the client QUIT without RCPT', () => {
    const client = new SmtpClient(base);
    const run = runClient(client, mailServer([[/^MAIL /, '553 5.7.1 Sender rejected\r\n']]));
    expect(run.writes.map((w) => w.text.split('\r\n')[0])).toEqual(['EHLO client.example.test', 'AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABzZWNyZXQ=', 'MAIL FROM:<alice@example.test>', 'QUIT']);
  });

  it('one refused RCPT of two goes on; both refused means QUIT', () => {
    const twoRcpts = (refuse: RegExp): string[] => {
      const script: ClientScript = {
        ...base,
        groups: lockstepGroups([{ kind: 'mail', from: 'a@x' }, { kind: 'rcpt', to: 'b@x' }, { kind: 'rcpt', to: 'c@x' }, { kind: 'data' }, { kind: 'quit' }]),
      };
      return runClient(new SmtpClient(script), mailServer([[refuse, '550 5.1.1 no such user\r\n']])).writes.map((w) => w.text.trimEnd());
    };
    expect(twoRcpts(/^RCPT TO:<b@x>$/)).toEqual(['MAIL FROM:<a@x>', 'RCPT TO:<b@x>', 'RCPT TO:<c@x>', 'DATA', 'QUIT']);
    expect(twoRcpts(/^RCPT /)).toEqual(['MAIL FROM:<a@x>', 'RCPT TO:<b@x>', 'RCPT TO:<c@x>', 'QUIT']);
  });

  it('a failed EHLO falls back to HELO, as swaks does', () => {
    const script: ClientScript = { ...base, groups: lockstepGroups([{ kind: 'ehlo', domain: 'c' }, { kind: 'quit' }]) };
    const run = runClient(new SmtpClient(script), mailServer([[/^EHLO /, '502 5.5.1 no EHLO\r\n']]));
    expect(run.writes.map((w) => w.text)).toEqual(['EHLO c\r\n', 'HELO c\r\n', 'QUIT\r\n']);
  });

  it('421 then close: the session ends, closed by the server', () => {
    const client = new SmtpClient(base);
    runClient(client, mailServer([[/^AUTH /, [{ bytes: '421 4.3.2 Service shutting down\r\n' }, { eof: true }]]]));
    expect(client.result()).toMatchObject({ closedBy: 'server', done: true, authReply: '421 4.3.2 Service shutting down', authenticated: false });
  });

  it('a reset ends the session without a close', () => {
    const client = new SmtpClient(base);
    const run = runClient(client, mailServer([[/^MAIL /, [{ reset: true }]]]));
    expect(client.result()).toMatchObject({ closedBy: 'reset', done: true });
    expect(run.outputs.some((o) => o.kind === 'close')).toBe(false);
  });

  it('a silent server ends in the reply timeout', () => {
    const client = new SmtpClient(base);
    const run = runClient(client, { onConnect: () => [], onWrite: () => [] });
    expect(client.result()).toMatchObject({ closedBy: 'timeout', done: true, replies: [] });
    expect(run.now).toBe(30_000_000);
  });

  it('a refused connect is reported', () => {
    const client = new SmtpClient(base);
    client.start(0);
    client.handle(5, { kind: 'connectFailed', conn: 'client:smtp', reason: 'refused' });
    expect(client.result()).toMatchObject({ closedBy: 'connectFailed', done: true, error: 'connect to 127.0.0.1:1587 failed: refused' });
  });
});

describe('several transactions, RSET and NOOP', () => {
  it('records each accepted message with its envelope', () => {
    let queued = 0;
    const server = ruleServer('220 s\r\n', [
      [/^\.$/, [{ bytes: '' }]],
      [/^(MAIL|RCPT|RSET|NOOP)/, '250 Ok\r\n'],
      [/^DATA$/, '354 go\r\n'],
      [/^QUIT$/, '221 bye\r\n'],
    ]);
    const onWrite = server.onWrite.bind(server);
    const counting: ScriptedServer = {
      onConnect: server.onConnect,
      onWrite: (text, ctx) => (text.endsWith('\r\n.\r\n') || text === '.\r\n' ? [{ bytes: `250 2.0.0 Ok: queued as Q${++queued}\r\n` }] : onWrite(text, ctx)),
    };
    const script: ClientScript = {
      ...defaultSwaksScript(FRONT),
      groups: lockstepGroups([
        { kind: 'mail', from: 'a@x' }, { kind: 'rcpt', to: 'b@x' }, { kind: 'data' }, { kind: 'message', content: 'one\r\n.dot\r\n' },
        { kind: 'noop' }, { kind: 'mail', from: 'c@x' }, { kind: 'rset' },
        { kind: 'mail', from: 'd@x' }, { kind: 'rcpt', to: 'e@x' }, { kind: 'data' }, { kind: 'message', content: '' }, { kind: 'quit' },
      ]),
    };
    const client = new SmtpClient(script);
    const run = runClient(client, counting);
    expect(run.writes[3]?.text).toBe('one\r\n..dot\r\n.\r\n');
    expect(client.result().acceptedMessages).toEqual([
      { from: 'a@x', to: ['b@x'], bytes: 11, queueId: 'Q1', reply: '250 2.0.0 Ok: queued as Q1' },
      { from: 'd@x', to: ['e@x'], bytes: 0, queueId: 'Q2', reply: '250 2.0.0 Ok: queued as Q2' },
    ]);
  });

  it('a script without QUIT just closes after the last reply', () => {
    const script: ClientScript = { ...defaultSwaksScript(FRONT), groups: lockstepGroups([{ kind: 'noop' }]) };
    const client = new SmtpClient(script);
    const run = runClient(client, mailServer());
    expect(run.writes.map((w) => w.text)).toEqual(['NOOP\r\n']);
    expect(run.outputs.filter((o) => o.kind === 'close')).toHaveLength(1);
    expect(client.result().closedBy).toBe('client');
  });
});

describe('think time', () => {
  it('a group may wait longer than the think time before it is written', () => {
    const base = defaultSwaksScript(FRONT);
    const script: ClientScript = {
      ...base,
      groups: [{ steps: [{ kind: 'noop' }], writes: 'one', delayUs: 5_000 }, { steps: [{ kind: 'quit' }], writes: 'one' }],
    };
    const run = runClient(new SmtpClient(script), mailServer());
    expect(run.writes.map((w) => w.at)).toEqual([5_000, 5_150]);
  });
});

describe('the result (what the session report reads)', () => {
  it('gives the EHLO keywords: every line of the accepted reply after the first, without its code', () => {
    const client = new SmtpClient(defaultSwaksScript(FRONT));
    runClient(client, mailServer());
    expect(client.result().ehloKeywords).toEqual(['AUTH PLAIN LOGIN', 'PIPELINING', 'VRFY']);
  });

  it('lists no queue id for a message accepted without "queued as"', () => {
    const client = new SmtpClient(defaultSwaksScript(FRONT));
    runClient(client, mailServer([[/^\.$/, '250 2.0.0 Ok\r\n']]));
    expect(client.result().acceptedMessages.map((m) => m.queueId)).toEqual([null]);
    expect(client.result().queuedIds).toEqual([]);
  });
});
