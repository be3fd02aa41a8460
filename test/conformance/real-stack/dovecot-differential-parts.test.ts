/* dovecot-differential-parts - the differential test's pieces that need no real daemons: client, lab side, comparison, known list */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { playLockstep } from '../../../conformance/dovecot-differential-client.ts';
import { firstDisagreement, normaliseDifferentialReply, runLabSession, type SessionOutcome } from '../../../conformance/dovecot-differential.ts';
import { KNOWN_DOVECOT_DISAGREEMENTS, knownDisagreement } from '../../../conformance/dovecot-differential-known.ts';

const GREETING = '220 front.example.test Dovecot (Debian) ready.';
const HANG_UP = '<hang up>';

describe('the lock-step client over a socket', () => {
  const servers: net.Server[] = [];
  afterEach(() => servers.splice(0).forEach((s) => s.close()));

  /** A server that greets and answers each line with `answer(line)` (several replies, or null to hang up; a last HANG_UP hangs up after them). */
  async function serve(answer: (line: string) => string[] | null): Promise<number> {
    const server = net.createServer((socket) => {
      socket.write(`${GREETING}\r\n`);
      let buffered = '';
      socket.on('data', (bytes) => {
        buffered += bytes.toString('latin1');
        for (let lf = buffered.indexOf('\n'); lf >= 0; lf = buffered.indexOf('\n')) {
          const replies = answer(buffered.slice(0, lf).replace(/\r$/, ''));
          buffered = buffered.slice(lf + 1);
          if (replies === null) return void socket.end();
          const hangUp = replies.at(-1) === HANG_UP;
          socket.write(replies.filter((r) => r !== HANG_UP).map((r) => `${r}\r\n`).join(''));
          if (hangUp) return void socket.end();
        }
      });
      socket.on('error', () => {});
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  const play = (port: number, lines: string[]) => playLockstep(lines, { host: '127.0.0.1', port, replyTimeoutMs: 2_000, graceMs: 100 });

  it('one reply per line in order, multi-line replies whole; a QUIT reply ends it', async () => {
    const port = await serve((line) => (line === 'EHLO x' ? ['250-front', '250 VRFY'] : line === 'QUIT' ? ['221 2.0.0 Bye'] : ['250 2.0.0 OK']));
    expect(await play(port, ['EHLO x', 'NOOP', 'QUIT', 'NOOP'])).toEqual({ replies: [GREETING, '250-front\n250 VRFY', '250 2.0.0 OK', '221 2.0.0 Bye'], end: 'quit' });
  });

  it('a line answered twice: the second reply answers the next line, as the lab client matches them', async () => {
    const port = await serve((line) => (line === 'TWO' ? ['500 a', '500 b'] : ['250 c']));
    expect(await play(port, ['TWO', 'NOOP'])).toEqual({ replies: [GREETING, '500 a', '500 b'], end: 'client-closed' });
  });

  it('the server hangs up: server-closed after the replies it gave; a 421 makes the client give up', async () => {
    const port = await serve((line) => (line === 'BYE' ? null : line === 'FULL' ? ['421 4.7.0 Too many invalid commands.'] : ['250 ok']));
    expect(await play(port, ['NOOP', 'BYE', 'NOOP'])).toEqual({ replies: [GREETING, '250 ok'], end: 'server-closed' });
    // Replies beyond the one owed count when the server hangs up after them.
    const last = await serve((line) => (line === 'LAST' ? ['500 x', '421 4.7.0 Too many invalid commands.', HANG_UP] : ['250 ok']));
    expect(await play(last, ['LAST'])).toEqual({ replies: [GREETING, '500 x', '421 4.7.0 Too many invalid commands.'], end: 'server-closed' });
    expect(await play(port, ['FULL', 'NOOP'])).toEqual({ replies: [GREETING, '421 4.7.0 Too many invalid commands.'], end: 'client-closed' });
  });

  it('no reply in time is a timeout', async () => {
    const port = await serve((line) => (line === 'SILENT' ? [] : ['250 ok']));
    expect(await playLockstep(['SILENT'], { host: '127.0.0.1', port, replyTimeoutMs: 200, graceMs: 100 })).toEqual({ replies: [GREETING], end: 'timeout' });
  });
});

describe('the lab side: the real-stack scenario with the lines as its script', () => {
  it('answers each line once and ends as the session did', () => {
    expect(runLabSession(['STARTTLS'], 1)).toEqual({ replies: [GREETING, '502 5.5.1 TLS support is not enabled.'], end: 'client-closed' });
    expect(runLabSession(['NOOP', 'QUIT'], 1)).toEqual({ replies: [GREETING, '250 2.0.0 OK', '221 2.0.0 Bye'], end: 'quit' });
    const bad = runLabSession(Array.from({ length: 11 }, () => 'FOO'), 1);
    // The 421 after the 11th line's 500 is a reply beyond those owed; it counts, since the server hung up after it.
    expect(bad.replies.slice(-2)).toEqual(['500 5.5.1 Unknown command', '421 4.7.0 Too many invalid commands.']);
    expect(bad.end).toBe('server-closed');
  });

  it("runs the installed build, Debian's 2.3.19.1+deb12u7: its login refuses a response that is not base64; a long line with a long name is refused by its name", () => {
    // Each as the real build answered it (models/front/releases.ts DOVECOT_BUILDS; lib-smtp-command.ts), no longer known disagreements.
    expect(runLabSession(['AUTH PLAIN', '!!notbase64', 'NOOP'], 1).replies.slice(1)).toEqual(['334 ', '535 5.7.8 Invalid base64 in response', '250 2.0.0 OK']);
    expect(runLabSession([`${'Z'.repeat(33)}${'z'.repeat(8300)}`, 'NOOP'], 1).replies.slice(1)).toEqual(['500 5.5.2 Invalid command syntax', '250 2.0.0 OK']);
  });

  it('after a good AUTH the lines reach Postfix; its queue id is the only part normalised', () => {
    const lab = runLabSession(['AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABzZWNyZXQ=', 'MAIL FROM:<alice@example.test>', 'RCPT TO:<bob@example.test>', 'DATA', 'Subject: x\r\n\r\nhi\r\n.', 'QUIT'], 1);
    expect(lab.replies.slice(1)).toEqual(['235 2.7.0 Logged in.', '250 2.1.0 Ok', '250 2.1.5 Ok', '354 End data with <CR><LF>.<CR><LF>', '250 2.0.0 Ok: queued as <queue-id>', '221 2.0.0 Bye']);
    expect(normaliseDifferentialReply('250 2.0.0 Ok: queued as 4A1B220C07F')).toBe('250 2.0.0 Ok: queued as <queue-id>');
    expect(normaliseDifferentialReply('250-backend.example.test')).toBe('250-backend.example.test');
  });
});

describe('the comparison', () => {
  const lines = ['NOOP', 'QUIT'];
  const side = (replies: string[], end: SessionOutcome['end'] = 'quit'): SessionOutcome => ({ replies: [GREETING, ...replies], end });

  it('agreement is null; the first differing reply names its line; a missing reply and a different end count', () => {
    expect(firstDisagreement(lines, side(['250 ok', '221 bye']), side(['250 ok', '221 bye']))).toBeNull();
    expect(firstDisagreement(lines, side(['250 ok', '221 bye']), side(['250 OK', '221 x']))).toEqual({ index: 1, line: 'NOOP', real: '250 ok', lab: '250 OK' });
    expect(firstDisagreement(lines, side(['250 ok']), side(['250 ok', '221 bye']))).toEqual({ index: 2, line: 'QUIT', real: '(no reply)', lab: '221 bye' });
    expect(firstDisagreement(lines, side(['250 ok', '221 bye'], 'quit'), side(['250 ok', '221 bye'], 'server-closed'))).toEqual({ index: 3, line: null, real: 'end: quit', lab: 'end: server-closed' });
  });

  it('no disagreement is known: the ones the lab now answers as the real stack does are no longer accepted', () => {
    expect(KNOWN_DOVECOT_DISAGREEMENTS).toEqual([]);
    // The real stack's error transport (default_transport = error:5.7.1 ...): the lab's Postfix refuses the relayed recipient as the real one did.
    const refused = '550 5.7.1 <nobody@elsewhere.test>: Recipient address rejected: no outbound delivery in this lab';
    expect(knownDisagreement({ index: 4, line: 'RCPT TO:<nobody@elsewhere.test>', real: refused, lab: '250 2.1.5 Ok' })).toBeNull();
    const lab = runLabSession(['AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABzZWNyZXQ=', 'MAIL FROM:<alice@example.test>', 'RCPT TO:<nobody@elsewhere.test>', 'QUIT'], 1);
    expect(lab.replies[3]).toBe(refused);
    // The two the lab now answers as the installed build does are no longer accepted.
    expect(knownDisagreement({ index: 2, line: '!!notbase64', real: '535 5.7.8 Invalid base64 in response', lab: '501 5.5.2 Invalid base64 data in continued response' })).toBeNull();
    expect(knownDisagreement({ index: 1, line: 'Z'.repeat(8300), real: '500 5.5.2 Invalid command syntax', lab: '500 5.5.2 Line too long' })).toBeNull();
  });
});
