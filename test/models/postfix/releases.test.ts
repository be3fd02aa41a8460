/* releases - each gated Postfix behaviour (models/postfix/releases.ts, docs/versions.md) at the releases either side of its change */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { labPreset, parsePostfixConfig, postfixDefaults, versionDefaults } from '../../../models/postfix/config.ts';
import { MILTER_CONTINUES, milterReplyOf } from '../../../models/postfix/milter.ts';
import { POSTFIX_GATES, isModelledRelease, modelledRelease, postfixRelease } from '../../../models/postfix/releases.ts';
import { ScenarioError } from '../../../scenarios/errors.ts';
import { loadScenario } from '../../../scenarios/load.ts';
import { EHLO_LAB, lockstep, talk } from './talk.ts';

const BANNER = '220 backend.example.test ESMTP lab-postfix';
const EHLO = 'EHLO front.example.test\r\n';
const XCLIENT = 'XCLIENT LOGIN=alice@example.test ADDR=127.0.0.1\r\n';
const IMPROPER_AFTER_XCLIENT = 'improper command pipelining after XCLIENT from localhost[127.0.0.1]: EHLO front.example.test\\r\\n';

/** The lab's Postfix at `version` with that release's defaults and `settings` (main.cf text), as a scenario builds it. */
function postfixAt(version: string, settings: Record<string, string> = {}) {
  return parsePostfixConfig({ mail_version: version, ...settings }, labPreset());
}

/** Dovecot's proxy: EHLO, then XCLIENT and EHLO 10 µs apart, without waiting for XCLIENT's 220. */
const pipelinedAfterXclient = [[200_000, EHLO], [300_000, XCLIENT], [300_010, EHLO], [400_000, 'QUIT\r\n']] as const;

/**
 * Either side of each back-port the source names (the describe titles: HISTORY and the tags):
 * the last release without, the first with. Written out here, not read from POSTFIX_GATES, so
 * that a gate table losing a release fails instead of leaving that release untested.
 */
const BACKPORT_EDGES = (...firstReleases: string[]) =>
  firstReleases.map((first) => [first.replace(/\d+$/, (patch) => String(Number(patch) - 1)), first] as const);

describe('release validation', () => {
  it('knows 3.5.0 .. 3.10.13 and a line alone as its .0 release; refuses others naming the modelled ones', () => {
    expect(postfixRelease('3.9')).toEqual([3, 9, 0]);
    expect(isModelledRelease('3.7.22')).toBe(true);
    for (const bad of ['3.4.14', '3.7.23', '3.11.0', 'latest']) {
      expect(() => postfixDefaults(bad)).toThrow(/not a modelled Postfix release; modelled: 3\.5\.0-3\.5\.27, .*3\.10\.0-3\.10\.13/);
    }
  });
});

describe('reading a version (global/mail_version.c mail_version_int(): strtol base 10, nothing after the number)', () => {
  it('numbers are read as numbers; text before or after the version, an unknown line or major, or a patch past the line\'s newest is refused', () => {
    expect(modelledRelease('03.09.01')).toEqual([3, 9, 1]);
    for (const bad of ['x3.9', '3.9x', '3.9.1 ', '4.9', '3.4', '3.9.15', '3.11']) expect(modelledRelease(bad), bad).toBeNull();
  });
});

describe('scenario keys', () => {
  it('--set of a parameter the release lacks is a ScenarioError (exit 2) naming the first releases with it; an unmodelled release lists the modelled ones', () => {
    const sets = ['postfix.mail_version=3.7.5', 'postfix.smtpd_forbid_unauth_pipelining=yes'];
    expect(() => loadScenario({ sets })).toThrow(ScenarioError);
    expect(() => loadScenario({ sets })).toThrow('postfix.smtpd_forbid_unauth_pipelining: Postfix 3.7.5 has no parameter smtpd_forbid_unauth_pipelining; the first releases that have it are 3.5.20, 3.6.10, 3.7.6, 3.8.1, 3.9.0 (postfix.mail_version=3.7.5)');
    expect(loadScenario({ sets: ['postfix.mail_version=3.7.5'] }).get('postfix.smtpd_forbid_unauth_pipelining')).toBe('no');
    expect(() => loadScenario({ sets: ['postfix.mail_version=3.4.14'] })).toThrow(/allowed values: a modelled Postfix release: 3\.5\.0-3\.5\.27/);
  });
});

describe('forbid_unauth_pipelining: the parameter and the greeting-stage check (3.5.20, 3.6.10, 3.7.6, 3.8.1)', () => {
  for (const [before, since] of BACKPORT_EDGES('3.5.20', '3.6.10', '3.7.6', '3.8.1')) {
    it(`${before}: EHLO behind XCLIENT is not noticed; ${since}: logged, still answered (default no)`, () => {
      const old = talk(postfixAt(before), pipelinedAfterXclient);
      expect(old.logLines.some((line) => line.includes('improper'))).toBe(false);
      expect(old.replies).toEqual([BANNER, ...EHLO_LAB, BANNER, ...EHLO_LAB, '221 2.0.0 Bye']);
      const fixed = talk(postfixAt(since), pipelinedAfterXclient);
      expect(fixed.logLines).toContain(IMPROPER_AFTER_XCLIENT);
      expect(fixed.replies).toEqual(old.replies);
    });

    it(`${before} has no smtpd_forbid_unauth_pipelining to set; ${since} rejects with it`, () => {
      expect(() => postfixAt(before, { smtpd_forbid_unauth_pipelining: 'yes' })).toThrow(`has no parameter smtpd_forbid_unauth_pipelining; the first releases that have it are 3.5.20, 3.6.10, 3.7.6, 3.8.1, 3.9.0`);
      const forbidding = talk(postfixAt(since, { smtpd_forbid_unauth_pipelining: 'yes' }), pipelinedAfterXclient);
      expect(forbidding.replies.at(-1)).toBe('554 5.5.0 Error: SMTP protocol synchronization');
    });
  }

  it('3.7.5: the per-command check only peeks, so input still in the socket is flagged with an empty excerpt', () => {
    // One write: 4096 bytes (one vstream read, VSTREAM_BUFSIZE) ending in NOOP, then QUIT, which stays in the socket.
    const mail = `MAIL FROM:<${'a'.repeat(2015)}@example.test>\r\n`;
    const burst = `${mail}RSET\r\n${mail}NOOP\r\n`;
    expect(burst.length).toBe(4096);
    const script = [[200_000, EHLO], [300_000, `${burst}QUIT\r\n`]] as const;
    expect(talk(postfixAt('3.7.5'), script).logLines).toContain('improper command pipelining after NOOP from localhost[127.0.0.1]: ');
    expect(talk(postfixAt('3.7.6'), script).logLines).toContain('improper command pipelining after NOOP from localhost[127.0.0.1]: QUIT\\r\\n');
  });
});

describe('forbid_unauth_pipelining_default_yes (3.9.0)', () => {
  it('3.8.20 defaults to no and answers the pipelined EHLO; 3.9.0 defaults to yes and answers 554', () => {
    expect(versionDefaults('3.8.20').smtpd_forbid_unauth_pipelining).toBe(false);
    expect(talk(postfixAt('3.8.20'), pipelinedAfterXclient).replies.at(-1)).toBe('221 2.0.0 Bye');
    expect(versionDefaults('3.9.0').smtpd_forbid_unauth_pipelining).toBe(true);
    expect(talk(postfixAt('3.9.0'), pipelinedAfterXclient).replies.at(-1)).toBe('554 5.5.0 Error: SMTP protocol synchronization');
  });
});

describe('forbid_bare_newline: the parameter, first as a boolean (3.5.23, 3.6.13, 3.7.9, 3.8.4)', () => {
  for (const [before, since] of BACKPORT_EDGES('3.5.23', '3.6.13', '3.7.9', '3.8.4')) {
    it(`${before} has no smtpd_forbid_bare_newline; ${since} takes no, and refuses the boolean yes the lab does not model`, () => {
      expect(() => postfixAt(before, { smtpd_forbid_bare_newline: 'no' })).toThrow(/the first releases that have it are 3\.5\.23, 3\.6\.13, 3\.7\.9, 3\.8\.4, 3\.9\.0/);
      expect(() => postfixAt(before, { smtpd_forbid_bare_newline_exclusions: '' })).toThrow(/has no parameter smtpd_forbid_bare_newline_exclusions/);
      expect(postfixAt(since, { smtpd_forbid_bare_newline: 'no' }).smtpd_forbid_bare_newline).toBe('no');
      expect(() => postfixAt(since, { smtpd_forbid_bare_newline: 'yes' })).toThrow(/boolean \(yes: 521 and disconnect\)/);
    });
  }
});

describe('forbid_bare_newline_modes: normalize|reject and the reject code (3.5.24, 3.6.14, 3.7.10, 3.8.5)', () => {
  for (const [before, since] of BACKPORT_EDGES('3.5.24', '3.6.14', '3.7.10', '3.8.5')) {
    it(`${before} has no reject code and no reject mode; ${since} rejects a bare-LF command with the code given`, () => {
      expect(() => postfixAt(before, { smtpd_forbid_bare_newline_reject_code: '521' })).toThrow(/first releases that have it are 3\.5\.24, 3\.6\.14, 3\.7\.10, 3\.8\.5, 3\.9\.0/);
      expect(() => postfixAt(before, { smtpd_forbid_bare_newline: 'reject' })).toThrow(/allowed here: no/);
      const config = postfixAt(since, { smtpd_forbid_bare_newline: 'reject', smtpd_forbid_bare_newline_exclusions: '', smtpd_forbid_bare_newline_reject_code: '521' });
      expect(talk(config, lockstep(['NOOP\n'])).replies.at(-1)).toBe('521 5.5.2 backend.example.test Error: bare <LF> received');
    });
  }
});

describe('forbid_bare_newline_default_normalize (3.9.0)', () => {
  it('3.8.20 defaults to no: a bare-LF "." ends DATA; 3.9.0 defaults to normalize: it does not', () => {
    const data = ['EHLO c\r\n', 'MAIL FROM:<alice@example.test>\r\n', 'RCPT TO:<bob@example.test>\r\n', 'DATA\r\n', 'x\r\n.\n', 'QUIT\r\n'];
    const outside = { smtpd_forbid_bare_newline_exclusions: '' };
    expect(versionDefaults('3.8.20').smtpd_forbid_bare_newline).toBe('no');
    expect(talk(postfixAt('3.8.20'), lockstep(data)).replies.some((reply) => reply.includes('queued as'))).toBe(true);
    expect(versionDefaults('3.9.0').smtpd_forbid_bare_newline).toBe('normalize');
    expect(talk(postfixAt('3.9.0', outside), lockstep(data)).replies.some((reply) => reply.includes('queued as'))).toBe(false);
  });
});

describe('forbid_bare_newline_note (3.9.0, not back-ported)', () => {
  const outside = { smtpd_forbid_bare_newline_exclusions: '' };
  const data = ['EHLO c\r\n', 'MAIL FROM:<alice@example.test>\r\n', 'RCPT TO:<bob@example.test>\r\n', 'DATA\r\n', 'x\ny\r\n.\r\n', 'QUIT\r\n'];

  it('3.8.20 and the other lines\' last releases refuse note, naming 3.9.0', () => {
    for (const before of ['3.8.20', '3.7.22', '3.6.20', '3.5.27']) {
      expect(() => postfixAt(before, { smtpd_forbid_bare_newline: 'note' }), before).toThrow(/"note" is not allowed on Postfix .* \(note came with 3\.9\.0, not back-ported\); allowed: no, normalize, yes, reject$/);
    }
  });

  it('3.9.0: a bare-LF command is served as under normalize, and the disconnect line ends with notes=bare_lf', () => {
    const conv = talk(postfixAt('3.9.0', { ...outside, smtpd_forbid_bare_newline: 'note' }), lockstep(['NOOP\n', 'QUIT\r\n']));
    expect(conv.replies.slice(1)).toEqual(['250 2.0.0 Ok', '221 2.0.0 Bye']);
    expect(conv.logLines.at(-1)).toBe('disconnect from localhost[127.0.0.1] noop=1 quit=1 commands=2 notes=bare_lf');
  });

  it('3.9.0: a bare LF inside DATA content is noted too and the message queued; none, no note; normalize never notes', () => {
    const noted = talk(postfixAt('3.9.0', { ...outside, smtpd_forbid_bare_newline: 'note' }), lockstep(data));
    expect(noted.replies.some((reply) => reply.includes('queued as'))).toBe(true);
    expect(noted.logLines.at(-1)).toMatch(/ commands=5 notes=bare_lf$/);
    const clean = talk(postfixAt('3.9.0', { ...outside, smtpd_forbid_bare_newline: 'note' }), lockstep(data.map((line) => line.replace('x\ny', 'x\r\ny'))));
    expect(clean.logLines.at(-1)).toMatch(/ commands=5$/);
    expect(talk(postfixAt('3.9.0', { ...outside, smtpd_forbid_bare_newline: 'normalize' }), lockstep(data)).logLines.at(-1)).toMatch(/ commands=5$/);
    const bdat = talk(postfixAt('3.9.0', { ...outside, smtpd_forbid_bare_newline: 'note' }), lockstep([...data.slice(0, 3), 'BDAT 5 LAST\r\nx\ny\r\n', 'QUIT\r\n']));
    expect(bdat.logLines.at(-1)).toMatch(/ bdat=1 quit=1 commands=5 notes=bare_lf$/);
  });
});

describe('help_command (3.9.0)', () => {
  it('3.8.20: HELP is an unknown command; 3.9.0: 214 with the command list', () => {
    const help = lockstep(['HELP\r\n', 'QUIT\r\n']);
    expect(talk(postfixAt('3.8.20'), help).replies.slice(1, -1)).toEqual(['500 5.5.2 Error: command not recognized']);
    expect(talk(postfixAt('3.9.0'), help).replies[1]).toMatch(/^214 2\.0\.0 Commands: AUTH /);
  });
});

describe('abnormal_end_queue_id (3.10.0)', () => {
  it('3.9.14: "lost connection after EHLO"; 3.10.0: "NOQUEUE: lost connection after EHLO"', () => {
    const vanish = [[200_000, EHLO], [250_000, 'EOF']] as const;
    expect(talk(postfixAt('3.9.14'), vanish).logLines).toContain('lost connection after EHLO from localhost[127.0.0.1]');
    expect(talk(postfixAt('3.10.0'), vanish).logLines).toContain('NOQUEUE: lost connection after EHLO from localhost[127.0.0.1]');
  });
});

describe('docs/versions.md', () => {
  it('has a row for every Postfix gate, with its source', () => {
    const doc = readFileSync(new URL('../../../docs/versions.md', import.meta.url), 'utf8');
    for (const [name, gate] of Object.entries(POSTFIX_GATES)) {
      expect(doc, name).toContain(`\`${name}\``);
      expect(doc, name).toContain(gate.since.map((release) => release.join('.')).join(', '));
    }
  });
});

describe('forbidden_commands_non_letter (3.7.0)', () => {
  const bogus = lockstep(['{get} 1\r\n', 'QUIT\r\n']);
  it('3.6.20: a command starting with "{" is unknown (500); 3.7.0: non-SMTP, 221 and hang up', () => {
    expect(talk(postfixAt('3.6.20'), bogus).replies.slice(1)).toEqual(['500 5.5.2 Error: command not recognized', '221 2.0.0 Bye']);
    const since = talk(postfixAt('3.7.0'), bogus);
    expect(since.replies.slice(1)).toEqual(['221 2.7.0 Error: I can break rules, too. Goodbye.']);
    expect(since.logLines).toContain('warning: non-SMTP command from localhost[127.0.0.1]: {get} 1');
  });
  it('3.6.20 logs a header line as read; 3.7.0 escape()s it', () => {
    const header = lockstep(['Subject:\thi\\there\r\n']);
    expect(talk(postfixAt('3.6.20'), header).logLines).toContain('warning: non-SMTP command from localhost[127.0.0.1]: Subject:\thi\\there');
    expect(talk(postfixAt('3.7.0'), header).logLines).toContain('warning: non-SMTP command from localhost[127.0.0.1]: Subject:\\thi\\\\there');
  });
});

describe('milter_default_action_shutdown (3.7.20, 3.8.15, 3.9.9, 3.10.8)', () => {
  /** A milter smtpd cannot reach, at `version`, with milter_default_action as given (else the release's default). */
  const unreachable = (version: string, action?: string) => ({
    ...postfixAt(version, { smtpd_milters: 'inet:milter:11332', ...(action === undefined ? {} : { milter_default_action: action }) }),
    milterReplies: { ...MILTER_CONTINUES, connect: milterReplyOf('unavailable') },
  });
  const session = lockstep([EHLO, 'MAIL FROM:<a@example.test>\r\n', 'QUIT\r\n']);

  it('x.y.(n-1): the default is tempfail (220, MAIL 451 4.7.1); x.y.n: shutdown (421 at the greeting, hang up)', () => {
    for (const [before, since] of BACKPORT_EDGES('3.7.20', '3.8.15', '3.9.9', '3.10.8')) {
      expect(versionDefaults(before).milter_default_action, before).toBe('tempfail');
      const old = talk(unreachable(before), session);
      expect(old.replies[0], before).toBe(BANNER);
      expect(old.replies.at(-2), before).toBe('451 4.7.1 Service unavailable - try again later');
      const now = talk(unreachable(since), session);
      expect(now.replies, since).toEqual(['421 backend.example.test Service unavailable - try again later']);
      expect(now.logLines, since).toContain('NOQUEUE: milter-reject: CONNECT from localhost[127.0.0.1]: 421 4.7.1 Service unavailable - try again later; proto=SMTP');
    }
  });

  it('x.y.(n-1): shutdown is an unrecognized action: a warning and 451 4.3.5 for every event', () => {
    const conv = talk(unreachable('3.9.8', 'shutdown'), session);
    expect(conv.logLines.slice(1, 3)).toEqual(['warning: connect to Milter service inet:milter:11332: Connection refused', 'warning: milter inet:milter:11332: unrecognized default action: shutdown']);
    expect(conv.replies.at(-2)).toBe('451 4.3.5 Server configuration problem - try again later');
  });
});

describe('milter_hold_reason_once (3.10.0)', () => {
  it('an unreachable milter with milter_default_action = quarantine: 3.9.14 logs "milter triggers HOLD action" at every event; 3.10.0 logs "default_action" once until mail_reset() (EHLO, the message)', () => {
    const holds = (version: string) => {
      const config = { ...postfixAt(version, { smtpd_milters: 'inet:milter:11332', milter_default_action: 'quarantine' }), milterReplies: { ...MILTER_CONTINUES, connect: milterReplyOf('unavailable') } };
      const conv = talk(config, lockstep([EHLO, 'MAIL FROM:<a@example.test>\r\n', 'RCPT TO:<b@example.test>\r\n', 'DATA\r\n', 'x\r\n.\r\n', 'MAIL FROM:<a@example.test>\r\n', 'QUIT\r\n']));
      return conv.logLines.filter((line) => line.includes('milter-hold')).map((line) => / (\S+) from .*: ([^;]*);/.exec(line)!.slice(1).join(': '));
    };
    const every = 'milter triggers HOLD action';
    expect(holds('3.9.14')).toEqual([`CONNECT: ${every}`, `EHLO: ${every}`, `MAIL: ${every}`, `RCPT: ${every}`, `DATA: ${every}`, `MAIL: ${every}`]);
    expect(holds('3.10.0')).toEqual(['CONNECT: default_action', 'MAIL: default_action', 'MAIL: default_action']);
  });
});

describe('reject_logs_sasl (3.10.0)', () => {
  it("a reject after XCLIENT LOGIN=: 3.9.14 ends the line with helo=; 3.10.0 adds sasl_method=XCLIENT sasl_username=alice@example.test (log_whatsup())", () => {
    const reject = (version: string) => {
      const config = { ...postfixAt(version, { smtpd_forbid_bare_newline: 'reject' }), smtpd_forbid_bare_newline_exclusions: [] };
      const conv = talk(config, lockstep([EHLO, XCLIENT, EHLO, 'NOOP\n', 'QUIT\r\n']));
      return conv.logLines.find((line) => line.includes('bare <LF> received'));
    };
    expect(reject('3.9.14')).toMatch(/: bare <LF> received; proto=ESMTP helo=<front\.example\.test>$/);
    expect(reject('3.10.0')).toMatch(/: bare <LF> received; proto=ESMTP helo=<front\.example\.test> sasl_method=XCLIENT sasl_username=alice@example\.test$/);
  });
});

describe('cleanup_logs_removed (3.10.0)', () => {
  const MAIL = 'MAIL FROM:<a@example.test>\r\n';
  const RCPT = 'RCPT TO:<b@example.test>\r\n';
  /** cleanup's "removed" lines, with the queue ID replaced by QID. */
  const removed = (version: string, lines: readonly string[], eom = 'continue') => {
    const config = { ...postfixAt(version, { smtpd_milters: 'inet:milter:11332' }), milterReplies: { ...MILTER_CONTINUES, endOfMessage: milterReplyOf(eom) } };
    return talk(config, lockstep([EHLO, ...lines])).logLines.filter((line) => line.includes(': removed (')).map((line) => line.replace(/^\w+:/, 'QID:'));
  };

  it('3.9.14 logs none; 3.10.0: RSET, QUIT or a refused message after the queue file opened is "removed (canceled)", a discarded one "removed (discarded)", a queued one nothing', () => {
    const cases: [readonly string[], string, string[]][] = [
      [[MAIL, RCPT, 'RSET\r\n', 'QUIT\r\n'], 'continue', ['QID: removed (canceled)']],
      [[MAIL, RCPT, 'QUIT\r\n'], 'continue', ['QID: removed (canceled)']],
      [[MAIL, 'RSET\r\n', 'QUIT\r\n'], 'continue', []],
      [[MAIL, RCPT, 'DATA\r\n', 'x\r\n.\r\n', 'QUIT\r\n'], 'reject', ['QID: removed (canceled)']],
      [[MAIL, RCPT, 'DATA\r\n', 'x\r\n.\r\n', 'QUIT\r\n'], 'discard', ['QID: removed (discarded)']],
      [[MAIL, RCPT, 'DATA\r\n', 'x\r\n.\r\n', 'QUIT\r\n'], 'continue', []],
    ];
    for (const [lines, eom, expected] of cases) {
      expect(removed('3.9.14', lines, eom), `${lines.join('')} ${eom}`).toEqual([]);
      expect(removed('3.10.0', lines, eom), `${lines.join('')} ${eom}`).toEqual(expected);
    }
  });
});
