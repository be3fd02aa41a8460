/* restrictions - the restriction lists on the real Postfix 3.7.11 and on the model, reply by reply and reject line by reject line
 *
 * Each case sets main.cf parameters on the real stack's smtpd (conformance/real-stack/config.ts: the
 * service's -o smtpd_sasl_auth_enable=yes; mynetworks 127.0.0.0/8, so the sessions first become an
 * outside client with XCLIENT ADDR=, and a logged-in one with LOGIN=), reloads it, and plays its
 * sessions against both sides; the model runs the real-stack scenario's Postfix with the same
 * parameters (parsePostfixConfig()). Compared: every reply, and the lines smtpd logs about the checks
 * (reject, reject_warning, warn, info, the access table actions' hold, discard, filter, redirect, bcc and
 * hangup lines, the warnings about restrictions, access tables and reply codes, DSN mapping, and "disconnect
 * from"), with queue IDs written QUEUEID; and once the queue files the actions leave (postqueue -j, postcat -q).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealStack } from '../../../conformance/real-stack.ts';
import { runLabSession } from '../../../conformance/smtpd-diff/lab-side.ts';
import { runRealSession } from '../../../conformance/smtpd-diff/real-side.ts';
import { burst, type SessionRun, type Step } from '../../../conformance/smtpd-diff/session.ts';
import { parsePostfixConfig } from '../../../models/postfix/config.ts';
import { createPostfix } from '../../../models/postfix/smtpd.ts';
import { builtinScenario } from '../../../scenarios/builtin.ts';
import { resolveScenario } from '../../../scenarios/scenario.ts';
import { postfixConfigOf } from '../../../scenarios/topology.ts';
import { realStackSkipReason } from '../real-stack-env.ts';

const CONFIG = postfixConfigOf(resolveScenario(builtinScenario('real-stack')!));
const line = (text: string): Step => ({ kind: 'line', bytes: `${text}\r\n` });
const content: Step = { kind: 'content', bytes: 'Subject: t\r\n\r\nhi\r\n.\r\n' };
const outside = (login?: string) => [line('EHLO client.example.test'), line(`XCLIENT ADDR=192.0.2.7 NAME=[UNAVAILABLE]${login === undefined ? '' : ` LOGIN=${login}`}`), line('EHLO client.example.test')];

interface Case {
  readonly name: string;
  readonly settings: Readonly<Record<string, string>>;
  readonly sessions: readonly (readonly Step[])[];
}

const MAILU_10025 = 'check_sasl_access inline:{ {bob@example.test = REJECT no sending for you} }, reject_unlisted_sender, reject_authenticated_sender_login_mismatch, permit';
const ACTIONS = [
  '{held@example.test = HOLD}', '{quiet@example.test = HOLD kept for review}', '{spam@example.test = DISCARD}', '{f@example.test = FILTER smtp:[127.0.0.1]:10026}',
  '{nof@example.test = FILTER}', '{badf@example.test = FILTER nocolon}', '{r@example.test = REDIRECT boss@example.test}', '{badr@example.test = REDIRECT nobody}',
  '{b@example.test = BCC audit@example.test}', '{p@example.test = PREPEND X-Tag: seen}', '{badp@example.test = PREPEND not a header}',
].join(', ');
const CASES: readonly Case[] = [
  {
    name: "Mailu's 10025 client restrictions, delayed to RCPT",
    settings: { smtpd_client_restrictions: MAILU_10025, smtpd_sender_login_maps: 'inline:{ alice@example.test=alice@example.test, {shared@example.test = carol@example.test, alice@example.test} }' },
    sessions: [
      [...outside('alice@example.test'), line('MAIL FROM:<carol@example.test>'), line('RCPT TO:<x@example.test>'), line('MAIL FROM:<shared@example.test>'), line('RSET'), line('MAIL FROM:<shared@example.test>'), line('RCPT TO:<x@example.test>'), line('QUIT')],
      [...outside('bob@example.test'), line('MAIL FROM:<bob@example.test>'), line('RCPT TO:<x@example.test>'), line('QUIT')],
      [...outside('alice@example.test'), line('MAIL FROM:<nobody@elsewhere.test>'), line('RCPT TO:<x@example.test>'), line('VRFY x@example.test'), line('QUIT')],
      [...outside(), line('MAIL FROM:<alice@example.test>'), line('RCPT TO:<x@example.test>'), line('RCPT TO:<x@elsewhere.test>'), line('QUIT')],
    ],
  },
  {
    name: 'reject_unauthenticated_sender_login_mismatch and reject_sender_login_mismatch',
    settings: { smtpd_sender_restrictions: 'reject_sender_login_mismatch', smtpd_sender_login_maps: 'inline:{ alice@example.test=alice@example.test }' },
    sessions: [
      [...outside(), line('MAIL FROM:<alice@example.test>'), line('RCPT TO:<x@example.test>'), line('QUIT')],
      [...outside('carol@example.test'), line('MAIL FROM:<alice@example.test>'), line('RCPT TO:<x@example.test>'), line('MAIL FROM:<>'), line('QUIT')],
    ],
  },
  {
    name: 'smtpd_delay_reject = no: the client reject replaces the greeting, then 503 for all but QUIT',
    settings: { smtpd_delay_reject: 'no', smtpd_client_restrictions: 'check_client_access inline:{ {192.0.2.7 = REJECT go away} }' },
    sessions: [[...outside(), line('MAIL FROM:<a@example.test>'), line('NOOP'), line('QUIT')]],
  },
  {
    name: 'HELO restrictions at RCPT, and at HELO without delay',
    settings: { smtpd_helo_restrictions: 'reject_invalid_helo_hostname, reject_non_fqdn_helo_hostname, check_helo_access inline:{ bad.example.test=REJECT, {ok.example.test = 450 4.7.9 later} }' },
    sessions: [
      [line('EHLO c'), line('XCLIENT ADDR=192.0.2.7'), line('EHLO bad_name!'), line('MAIL FROM:<a@example.test>'), line('RCPT TO:<x@example.test>'), line('EHLO localhost'), line('MAIL FROM:<a@example.test>'), line('RCPT TO:<x@example.test>'), line('QUIT')],
      [line('EHLO c'), line('XCLIENT ADDR=192.0.2.7'), line('EHLO [1.2.3]'), line('MAIL FROM:<a@example.test>'), line('RCPT TO:<x@example.test>'), line('EHLO mx.bad.example.test'), line('MAIL FROM:<a@example.test>'), line('RCPT TO:<x@example.test>'), line('EHLO ok.example.test.'), line('MAIL FROM:<a@example.test>'), line('RCPT TO:<x@example.test>'), line('QUIT')],
    ],
  },
  {
    name: 'HELO restrictions without delay',
    settings: { smtpd_delay_reject: 'no', smtpd_helo_restrictions: 'reject_non_fqdn_helo_hostname' },
    sessions: [[line('EHLO c'), line('XCLIENT ADDR=192.0.2.7'), line('EHLO localhost'), line('HELO localhost'), line('EHLO mail.example.test'), line('QUIT')]],
  },
  {
    name: 'sender restrictions: non-FQDN, an access table, the null sender; without delay at MAIL',
    settings: { smtpd_sender_restrictions: 'reject_non_fqdn_sender, check_sender_access inline:{ spammer.test=REJECT, {<> = DEFER no bounces now}, {user+tag@example.test = 553 5.1.8 not you} }' },
    sessions: [
      [...outside(), line('MAIL FROM:<a@b>'), line('RCPT TO:<x@example.test>'), line('RSET'), line('MAIL FROM:<x@mx.spammer.test>'), line('RCPT TO:<x@example.test>'), line('RSET'), line('MAIL FROM:<>'), line('RCPT TO:<x@example.test>'), line('RSET'), line('MAIL FROM:<user+tag@example.test>'), line('RCPT TO:<x@example.test>'), line('QUIT')],
    ],
  },
  {
    name: 'sender restrictions at MAIL (smtpd_delay_reject = no)',
    settings: { smtpd_delay_reject: 'no', smtpd_sender_restrictions: 'reject_non_fqdn_sender, check_sender_access inline:{ spammer.test=REJECT }' },
    sessions: [[...outside(), line('MAIL FROM:<a@b>'), line('MAIL FROM:<x@spammer.test>'), line('MAIL FROM:<x@example.test>'), line('RCPT TO:<y@example.test>'), line('QUIT')]],
  },
  {
    name: 'recipient restrictions after the relay ones, warn_if_reject, defer_if_permit, a table action, defer_unauth_destination',
    settings: {
      smtpd_relay_restrictions: 'permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination',
      smtpd_recipient_restrictions: 'reject_non_fqdn_recipient, warn_if_reject reject, check_recipient_access inline:{ {blocked@example.test = 550 5.1.1 gone away}, soft@example.test=DEFER_IF_PERMIT, ok@example.test=OK, {chain@example.test = reject_non_fqdn_sender, reject} }, permit',
    },
    sessions: [
      [...outside(), line('MAIL FROM:<a@example.test>'), line('RCPT TO:<x@elsewhere.test>'), line('RCPT TO:<blocked@example.test>'), line('RCPT TO:<soft@example.test>'), line('RCPT TO:<ok@example.test>'), line('RCPT TO:<chain@example.test>'), line('RCPT TO:<postmaster>'), line('RCPT TO:<a@b>'), line('QUIT')],
    ],
  },
  {
    name: 'generic restrictions: reject, defer, soft_bounce, reject codes, an unknown restriction',
    settings: { smtpd_client_restrictions: 'permit_mynetworks, check_sasl_access inline:{ {carol@example.test = defer}, {dave@example.test = bogus_restriction} }, reject', reject_code: '550', soft_bounce: 'yes' },
    sessions: [
      [...outside(), line('MAIL FROM:<a@example.test>'), line('RCPT TO:<x@example.test>'), line('VRFY x@example.test'), line('FOO'), line('QUIT')],
      [...outside('carol@example.test'), line('MAIL FROM:<a@example.test>'), line('RCPT TO:<x@example.test>'), line('QUIT')],
      [...outside('dave@example.test'), line('MAIL FROM:<a@example.test>'), line('RCPT TO:<x@example.test>'), line('QUIT')],
      [line('EHLO c'), line('MAIL FROM:<a@example.test>'), line('RCPT TO:<x@example.test>'), line('QUIT')],
    ],
  },
  {
    name: 'reject_unauth_pipelining (the old check) and the DATA and end-of-data restrictions',
    settings: { smtpd_forbid_unauth_pipelining: 'no', smtpd_data_restrictions: 'reject_unauth_pipelining', smtpd_end_of_data_restrictions: 'check_client_access inline:{ 192.0.2.8=REJECT }', smtpd_recipient_restrictions: 'reject_unauth_pipelining' },
    sessions: [
      [...outside(), line('MAIL FROM:<a@example.test>'), line('RCPT TO:<x@example.test>'), line('DATA'), content, line('QUIT')],
      [line('EHLO c'), line('XCLIENT ADDR=192.0.2.7'), burst(['EHLO c\r\n', 'MAIL FROM:<a@example.test>\r\n', 'RCPT TO:<x@example.test>\r\n']), line('QUIT')],
      [...outside(), line('MAIL FROM:<a@example.test>'), line('RCPT TO:<x@example.test>'), burst(['DATA\r\n', 'Subject: t\r\n\r\nhi\r\n.\r\n']), line('QUIT')],
      [line('EHLO c'), line('XCLIENT ADDR=192.0.2.8'), line('EHLO c'), line('MAIL FROM:<a@example.test>'), line('RCPT TO:<x@example.test>'), line('RCPT TO:<y@example.test>'), line('DATA'), content, line('QUIT')],
    ],
  },
  {
    name: 'ETRN restrictions; defer_if_reject; a check_*_access without its table',
    settings: { smtpd_etrn_restrictions: 'check_etrn_access inline:{ example.test=REJECT }', smtpd_client_restrictions: 'check_sasl_access inline:{ {carol@example.test = defer_if_reject, reject}, {dave@example.test = check_client_access} }, permit' },
    sessions: [
      [line('EHLO c.example.test'), line('ETRN mx.example.test'), line('ETRN other.test'), line('QUIT')],
      [...outside('carol@example.test'), line('MAIL FROM:<a@example.test>'), line('RCPT TO:<x@example.test>'), line('ETRN other.test'), line('QUIT')],
      [...outside('dave@example.test'), line('MAIL FROM:<a@example.test>'), line('RCPT TO:<x@example.test>'), line('QUIT')],
    ],
  },
  {
    name: 'access table actions on the message: HOLD once, DISCARD ends the checks, FILTER, REDIRECT, BCC, PREPEND and their bad entries',
    settings: {
      smtpd_sender_restrictions: `check_sender_access inline:{ ${ACTIONS} }`,
      smtpd_recipient_restrictions: 'check_recipient_access inline:{ {held@example.test = HOLD again} }, reject_non_fqdn_recipient',
    },
    sessions: [
      [...outside(), line('MAIL FROM:<held@example.test>'), line('RCPT TO:<x@example.test>'), line('RCPT TO:<held@example.test>'), line('DATA'), content, line('QUIT')],
      [...outside(), line('MAIL FROM:<spam@example.test>'), line('RCPT TO:<x@example.test>'), line('RCPT TO:<x@elsewhere.test>'), line('RCPT TO:<a@b>'), line('DATA'), content, line('MAIL FROM:<quiet@example.test>'), line('RCPT TO:<x@elsewhere.test>'), line('QUIT')],
      [...outside(), line('MAIL FROM:<f@example.test>'), line('RCPT TO:<x@example.test>'), line('RSET'), line('MAIL FROM:<nof@example.test>'), line('RCPT TO:<x@example.test>'), line('RSET'), line('MAIL FROM:<badf@example.test>'), line('RCPT TO:<x@example.test>'), line('QUIT')],
      [...outside(), line('MAIL FROM:<r@example.test>'), line('RCPT TO:<x@example.test>'), line('RSET'), line('MAIL FROM:<badr@example.test>'), line('RCPT TO:<x@example.test>'), line('RSET'), line('MAIL FROM:<b@example.test>'), line('RCPT TO:<x@example.test>'), line('RCPT TO:<y@example.test>'), line('QUIT')],
      [...outside(), line('MAIL FROM:<p@example.test>'), line('RCPT TO:<x@example.test>'), line('RSET'), line('MAIL FROM:<badp@example.test>'), line('RCPT TO:<x@example.test>'), line('VRFY held@example.test'), line('QUIT')],
    ],
  },
  {
    name: 'access table actions where they cannot act: without delay at connect and HELO, in ETRN, at the end of data',
    settings: {
      smtpd_delay_reject: 'no',
      smtpd_client_restrictions: 'check_client_access inline:{ {192.0.2.7 = HOLD}, {127.0.0.1 = PREPEND X-Client: local} }',
      smtpd_etrn_restrictions: 'check_etrn_access inline:{ {example.test = DISCARD}, {other.test = FILTER smtp:x} }',
      smtpd_end_of_data_restrictions: 'check_sender_access inline:{ {a@example.test = PREPEND X-Late: yes} }',
    },
    sessions: [
      [...outside(), line('MAIL FROM:<a@example.test>'), line('RCPT TO:<x@example.test>'), line('DATA'), content, line('ETRN example.test'), line('ETRN other.test'), line('QUIT')],
    ],
  },
  {
    name: 'HANGUP: no reply, the connection closed',
    settings: { smtpd_client_restrictions: 'check_client_access inline:{ {192.0.2.9 = HANGUP}, {192.0.2.10 = HANGUP go away} }' },
    sessions: [
      [line('EHLO c'), line('XCLIENT ADDR=192.0.2.9'), line('EHLO c'), line('MAIL FROM:<a@example.test>'), line('RCPT TO:<x@example.test>')],
      [line('EHLO c'), line('XCLIENT ADDR=192.0.2.10'), line('EHLO c'), line('MAIL FROM:<a@example.test>'), burst(['RCPT TO:<x@example.test>\r\n', 'NOOP\r\n'])],
    ],
  },
  {
    name: 'restriction classes: as a restriction, as a table value, looked up with case, and the working reject inside one',
    settings: {
      smtpd_restriction_classes: 'from_freemail, Strict, relay_guard',
      from_freemail: 'check_sender_access inline:{ {freemail.test = REJECT no freemail} }',
      Strict: 'permit_sasl_authenticated, reject',
      relay_guard: 'reject_unauth_destination',
      smtpd_relay_restrictions: 'permit_mynetworks, permit_sasl_authenticated, relay_guard',
      smtpd_sender_restrictions: 'from_freemail, check_sender_access inline:{ {x@example.test = Strict}, {y@example.test = strict}, {d@example.test = from_freemail DISCARD} }',
    },
    sessions: [
      [...outside(), line('MAIL FROM:<a@freemail.test>'), line('RCPT TO:<x@example.test>'), line('RSET'), line('MAIL FROM:<x@example.test>'), line('RCPT TO:<x@example.test>'), line('RSET'), line('MAIL FROM:<y@example.test>'), line('RCPT TO:<x@example.test>'), line('RSET'), line('MAIL FROM:<d@example.test>'), line('RCPT TO:<x@elsewhere.test>'), line('QUIT')],
      [...outside('carol@example.test'), line('MAIL FROM:<x@example.test>'), line('RCPT TO:<x@example.test>'), line('QUIT')],
      [...outside(), line('MAIL FROM:<b@example.test>'), line('RCPT TO:<x@elsewhere.test>'), line('QUIT')],
    ],
  },
  {
    name: 'a reply code outside 400-599',
    settings: { smtpd_client_restrictions: 'permit_mynetworks, reject', reject_code: '250' },
    sessions: [[...outside(), line('MAIL FROM:<a@example.test>'), line('RCPT TO:<x@example.test>'), line('QUIT')]],
  },
];

/** The lines smtpd logs about the checks, queue IDs written QUEUEID. */
function checkLines(run: SessionRun): string[] {
  return run.log
    .filter((l) => /^\S+: (reject|reject_warning|warn|info|hold|discard|filter|redirect|bcc|hangup): |^warning: (unknown smtpd restriction|restriction|SMTP reply code|DSN detail|access table)|^mapping DSN|^disconnect from/.test(l))
    .map((l) => l.replace(/^[0-9A-F]{6,}:/, 'QUEUEID:'));
}

const replies = (run: SessionRun) => run.results.map((r) => `${r.sent.trimEnd()} -> ${r.reply.join(' | ').replace(/queued as [0-9A-F]+/, 'queued as QUEUEID')}${r.closed ? ' (closed)' : ''}`);

describe.skipIf(realStackSkipReason !== null)('restriction lists: the real Postfix 3.7.11 and the model', () => {
  let stack: RealStack | undefined;
  let mainCf = '';
  const configDir = () => join(stack!.lab, 'postfix');
  const reload = async () => {
    // A reload right after start can wait on the master's lock: bounded, so a stuck one fails the case instead of the suite.
    const run = spawnSync('postfix', ['-c', configDir(), 'reload'], { timeout: 30_000 });
    if (run.status !== 0) throw new Error(`postfix reload: ${String(run.stderr).trim() || run.signal}`);
    await new Promise((resolve) => setTimeout(resolve, 1500));
  };
  beforeAll(async () => {
    stack = await RealStack.start({ netns: null });
    mainCf = readFileSync(join(configDir(), 'main.cf'), 'utf8');
    await new Promise((resolve) => setTimeout(resolve, 1500));
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
  });

  // The queue file's fate, read from the real queue (postqueue -j, postcat -q): a HOLD with FILTER, REDIRECT, BCC and
  // PREPEND in one transaction stays in the hold queue with a content_filter, a redirect_to, a NOTIFY=NEVER recipient
  // and the header above smtpd's Received:; a DISCARDed message's queue file is gone. The model's queue records the same.
  it('the queue: a held message with its FILTER, REDIRECT, BCC and PREPEND records, and a DISCARDed one removed', async () => {
    const table = (action: string) => `check_sender_access inline:{ {a@example.test = ${action}} }`;
    const settings = {
      smtpd_sender_restrictions: [table('HOLD'), table('FILTER smtp:[127.0.0.1]:10026'), table('REDIRECT boss@example.test'), table('BCC audit@example.test'), table('PREPEND X-Tag: seen'), 'check_sender_access inline:{ spam@example.test=DISCARD }'].join(', '),
    };
    writeFileSync(join(configDir(), 'main.cf'), `${mainCf}${Object.entries(settings).map(([k, v]) => `${k} = ${v}\n`).join('')}`);
    await reload();
    try {
      const steps = [...outside(), line('MAIL FROM:<a@example.test>'), line('RCPT TO:<x@example.test>'), line('DATA'), content, line('MAIL FROM:<spam@example.test>'), line('RCPT TO:<x@example.test>'), line('DATA'), content, line('QUIT')];
      const real = await runRealSession(stack!.ports.postfix, steps, stack!);
      const [held, discarded] = real.results.filter((r) => r.sent.startsWith('Subject')).map((r) => /queued as ([0-9A-F]+)/.exec(r.reply.join(' '))![1]!);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const queue = spawnSync('postqueue', ['-c', configDir(), '-j'], { encoding: 'utf8', timeout: 30_000 }).stdout.trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { queue_id: string; queue_name: string; recipients: { address: string }[] });
      const cat = spawnSync('postcat', ['-c', configDir(), '-q', held!], { encoding: 'utf8', timeout: 30_000 }).stdout;
      spawnSync('postsuper', ['-c', configDir(), '-d', held!], { timeout: 30_000 });
      expect(queue.find((entry) => entry.queue_id === held)?.queue_name).toBe('hold');
      expect(queue.some((entry) => entry.queue_id === discarded)).toBe(false);
      expect(cat).toMatch(/^content_filter: smtp:\[127\.0\.0\.1\]:10026$/m);
      expect(cat).toMatch(/^redirect_to: boss@example\.test$/m);
      expect(cat).toMatch(/^\*\*\* HEADER EXTRACTED [^\n]*\ncontent_filter: [^\n]*\nredirect_to: [^\n]*\n(?:[^\n]*\n)*recipient: audit@example\.test$/m);
      expect(cat).toMatch(/^\*\*\* MESSAGE CONTENTS hold\/[0-9A-F]+ \*\*\*\nX-Tag: seen\nReceived: /m);

      const model = createPostfix(parsePostfixConfig(settings, CONFIG));
      await runLabSession(model, steps);
      expect(model.queue.messages.map((m) => m.actions)).toEqual([{ held: true, filter: 'smtp:[127.0.0.1]:10026', redirect: 'boss@example.test', bcc: ['audit@example.test'], prepended: ['X-Tag: seen'] }]);
      expect(model.queue.discarded.map((m) => m.from)).toEqual(['spam@example.test']);
    } finally {
      writeFileSync(join(configDir(), 'main.cf'), mainCf);
    }
  }, 120_000);

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    writeFileSync(join(configDir(), 'main.cf'), `${mainCf}${Object.entries(c.settings).map(([k, v]) => `${k} = ${v}\n`).join('')}`);
    await reload();
    try {
      const config = parsePostfixConfig(c.settings, CONFIG);
      for (const steps of c.sessions) {
        const real = await runRealSession(stack!.ports.postfix, steps, stack!);
        const lab = await runLabSession(createPostfix(config), steps);
        if (process.env.H65_SHOW) console.log(replies(real).join('\n'), '\n', checkLines(real).join('\n'));
        expect(replies(lab)).toEqual(replies(real));
        expect(checkLines(lab)).toEqual(checkLines(real));
      }
    } finally {
      writeFileSync(join(configDir(), 'main.cf'), mainCf);
    }
  }, 120_000);
});
