/* injected-failure - the lab's broken smtpd: a reply, a disconnect or a stall at one step, once per session, in the first N sessions */
import { describe, expect, it } from 'vitest';
import { labPreset } from '../../../models/postfix/config.js';
import { DAEMON_TIMEOUT_S, failActionOf, FAIL_REPLY_PATTERN, type InjectedFailure } from '../../../models/postfix/injected-failure.js';
import { createPostfix } from '../../../models/postfix/smtpd.js';
import { EHLO_LAB, lockstep, talk } from './talk.js';

const BANNER = '220 backend.example.test ESMTP lab-postfix';
const EHLO = 'EHLO front.example.test\r\n';
const MAIL = 'MAIL FROM:<alice@example.test>\r\n';
const config = (failure: InjectedFailure) => labPreset({ injectedFailure: failure });
const run = (failure: InjectedFailure, lines: readonly string[]) => talk(config(failure), lockstep(lines));

describe('injected failure', () => {
  it('reply at the banner: the text instead of the 220, then the command loop as usual', () => {
    const conv = run({ at: 'banner', action: { kind: 'reply', text: '554 5.3.2 not today' }, sessions: 0 }, [EHLO, 'QUIT\r\n']);
    expect(conv.replies).toEqual(['554 5.3.2 not today', ...EHLO_LAB, '221 2.0.0 Bye']);
  });

  it('reply at a command: only its first occurrence, counted as a failed command', () => {
    const conv = run({ at: 'mail', action: { kind: 'reply', text: '451 4.3.0 nope' }, sessions: 0 }, [EHLO, MAIL, MAIL, 'QUIT\r\n']);
    expect(conv.replies.slice(-3)).toEqual(['451 4.3.0 nope', '250 2.1.0 Ok', '221 2.0.0 Bye']);
    expect(conv.logLines.at(-1)).toBe('disconnect from localhost[127.0.0.1] ehlo=1 mail=1/2 quit=1 commands=3/4');
  });

  it('disconnect: no reply, no log line, the connection closed at the step', () => {
    const conv = run({ at: 'ehlo', action: { kind: 'disconnect' }, sessions: 0 }, [EHLO, 'QUIT\r\n']);
    expect(conv.replies).toEqual([BANNER]);
    expect(conv.logLines).toEqual(['connect from localhost[127.0.0.1]']);
    expect(conv.closed.get('c')).toBe(200_000);
  });

  it('stall: nothing read or answered until the watchdog, then "fatal: watchdog timeout" and the close', () => {
    const conv = run({ at: 'ehlo', action: { kind: 'stall' }, sessions: 0 }, [EHLO, 'QUIT\r\n']);
    expect(conv.replies).toEqual([BANNER]);
    expect(conv.logLines.at(-1)).toBe('fatal: watchdog timeout');
    expect(conv.closed.get('c')).toBe(200_000 + DAEMON_TIMEOUT_S * 1_000_000);
  });

  it('sessions = 1: the second session of the same process behaves', () => {
    const model = createPostfix(config({ at: 'banner', action: { kind: 'disconnect' }, sessions: 1 }));
    const first = talk(model.config, lockstep([EHLO]), '127.0.0.1', model);
    const second = talk(model.config, lockstep([EHLO]), '127.0.0.1', model);
    expect(first.replies).toEqual([]);
    expect(second.replies.slice(0, 2)).toEqual([BANNER, EHLO_LAB[0]]);
  });

  it('fail_reply text: a one-line reply, disconnect or stall', () => {
    for (const good of ['421 4.3.2 Service shutting down', '250', 'disconnect', 'stall']) expect(FAIL_REPLY_PATTERN.test(good), good).toBe(true);
    for (const bad of ['42', '421-more', 'hang', '421 a\r\nb']) expect(FAIL_REPLY_PATTERN.test(bad), bad).toBe(false);
    expect(failActionOf('stall')).toEqual({ kind: 'stall' });
    expect(failActionOf('421 bye')).toEqual({ kind: 'reply', text: '421 bye' });
  });
});
