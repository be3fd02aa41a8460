/* postfix-settings - fast-check builder of the Postfix settings a trace runs with, and of the command probes its client adds
 *
 * Most cases draw nothing (Mailu's settings, no probe), so shrinking lands there and the search
 * for the bug keeps its speed. The rest:
 *  - in every case: smtpd_helo_required and disable_vrfy_command either way, and probes: commands
 *    a client may send after its login (VRFY, NOOP with an argument, HELP, RSET, an unknown verb,
 *    ETRN), each in its own write, each refused or answered by smtpd (cmd-misc.ts, cmd-envelope.ts)
 *    without ending the session. A correct client can trip none of these with Postfix's default
 *    limits: it sends EHLO before MAIL and AUTH, and at most three probes are three errors of the 10
 *    smtpd_soft_error_limit allows before it sleeps (successPossible() still holds for it);
 *  - only where faults may break a session (`any`): the error and junk limits down to where a
 *    handshake trips them, smtpd_error_sleep_time, a short line_length_limit, a milter that
 *    refuses at connect, HELO, MAIL, RCPT or the end of the message (or discards at connect or
 *    HELO, which Postfix only warns about, or quarantines), or cannot be reached, with any
 *    milter_default_action (milter.ts), and reject_unlisted_recipient with a virtual mailbox table
 *    that lists some of the client's recipients, all or none (rcpt-maps.ts). These can refuse a
 *    correct client, so a case that draws them is not one in which success is possible (REFUSING_KEYS).
 */
import fc from 'fast-check';
import type { ClientStep } from '../../models/client/index.ts';
import type { ScenarioValues } from '../../scenarios/index.ts';
import { MILTER_DEFAULT_ACTIONS } from '../../models/postfix/milter.ts';
import { GENERATED_RECIPIENTS } from './client-behaviour.ts';

type SettingKey =
  | 'postfix.smtpd_helo_required' | 'postfix.disable_vrfy_command' | 'postfix.smtpd_soft_error_limit' | 'postfix.smtpd_hard_error_limit'
  | 'postfix.smtpd_error_sleep_time' | 'postfix.smtpd_junk_command_limit' | 'postfix.line_length_limit' | 'postfix.milter_connect_reply' | 'postfix.milter_helo_reply'
  | 'postfix.milter_mail_reply' | 'postfix.milter_rcpt_reply' | 'postfix.milter_end_of_message_reply' | 'postfix.milter_default_action'
  | 'postfix.smtpd_reject_unlisted_recipient' | 'postfix.virtual_mailbox_maps';

export type PostfixSettingsChoice = Partial<Pick<ScenarioValues, SettingKey>>;

export interface PostfixDraw {
  readonly settings: PostfixSettingsChoice;
  /** Command lines the client sends one by one after its login. */
  readonly probes: readonly string[];
}

/** Keys whose drawn values may refuse a correct client: a case with any of them is not one that can succeed. */
export const REFUSING_KEYS: readonly SettingKey[] = [
  'postfix.smtpd_soft_error_limit', 'postfix.smtpd_hard_error_limit', 'postfix.smtpd_error_sleep_time', 'postfix.smtpd_junk_command_limit',
  'postfix.line_length_limit', 'postfix.milter_connect_reply', 'postfix.milter_helo_reply', 'postfix.milter_mail_reply', 'postfix.milter_rcpt_reply',
  'postfix.milter_end_of_message_reply', 'postfix.milter_default_action', 'postfix.smtpd_reject_unlisted_recipient', 'postfix.virtual_mailbox_maps',
];

/** Probes and what smtpd does with each: 252, 501 5.1.3 (two addresses), 250, 214 (500 before 3.9), 250, 500, 459. */
export const PROBES = ['VRFY bob@example.test', 'VRFY John Smith', 'NOOP probe', 'HELP', 'RSET', 'FOO bar', 'ETRN example.test'] as const;

/** A client step that is one of the probes. */
export function isProbe(step: ClientStep): boolean {
  return step.kind === 'line' && (PROBES as readonly string[]).includes(step.text);
}

/**
 * The milter's answers drawn: each of the milter protocol's refusals, a reply of its own of each
 * class, and quarantine (every message of the connection held, or the transaction's: milter.ts).
 */
const MILTER_REFUSALS = ['reject', 'tempfail', 'shutdown', 'accept', 'quarantine', '554 5.7.1 Rejected by policy', '421 4.7.0 Try later'] as const;
/** At connect and HELO discard too: Postfix only logs that it is not allowed there and carries on (milter8.c). */
const EARLY_MILTER_ANSWERS = [...MILTER_REFUSALS, 'discard'] as const;
/**
 * At the end of the message: no shutdown (not modelled there), and quarantine, which queues the
 * message on hold. Never discard after HELO: the client gets its 250 and the message is dropped
 * by design, which the safety property would call acknowledged mail lost.
 */
const END_OF_MESSAGE_REFUSALS = ['reject', 'tempfail', 'accept', 'quarantine', '554 5.7.1 Rejected by policy', '451 4.7.1 Try later'] as const;

const yesNo = fc.constantFrom<'yes' | 'no'>('yes', 'no');

const harmless = fc.record({
  settings: fc.record({ 'postfix.smtpd_helo_required': yesNo, 'postfix.disable_vrfy_command': yesNo }, { requiredKeys: [] }),
  probes: fc.array(fc.constantFrom(...PROBES), { maxLength: 3 }),
});

const limits = fc.record(
  {
    // From the least Postfix accepts (config.ts PARAMETER_BOUNDS) to its defaults.
    'postfix.smtpd_soft_error_limit': fc.integer({ min: 1, max: 10 }),
    'postfix.smtpd_hard_error_limit': fc.integer({ min: 1, max: 20 }),
    'postfix.smtpd_error_sleep_time': fc.integer({ min: 0, max: 2 }),
    'postfix.smtpd_junk_command_limit': fc.integer({ min: 1, max: 100 }),
    'postfix.line_length_limit': fc.integer({ min: 512, max: 2048 }),
  },
  { requiredKeys: [] },
);

/**
 * One stage refuses, or the milter cannot be reached (with any milter_default_action); mostly none.
 * One stage at a time, so that each stage's refusal is met as often as the others: a refusal at
 * connect or HELO persists, and would hide every later stage's answer.
 */
const milter = fc.oneof(
  { weight: 2, arbitrary: fc.constant({}) },
  fc.record({ 'postfix.milter_connect_reply': fc.constantFrom(...EARLY_MILTER_ANSWERS) }),
  fc.record({ 'postfix.milter_helo_reply': fc.constantFrom(...EARLY_MILTER_ANSWERS) }),
  fc.record({ 'postfix.milter_mail_reply': fc.constantFrom(...MILTER_REFUSALS) }),
  fc.record({ 'postfix.milter_rcpt_reply': fc.constantFrom(...MILTER_REFUSALS) }),
  fc.record({ 'postfix.milter_end_of_message_reply': fc.constantFrom(...END_OF_MESSAGE_REFUSALS) }),
  fc.record({ 'postfix.milter_connect_reply': fc.constant('unavailable'), 'postfix.milter_default_action': fc.constantFrom(...MILTER_DEFAULT_ACTIONS) }),
);

/** The recipients a generated client writes to, and the domain's catch-all. */
const LISTABLE_RECIPIENTS = [...GENERATED_RECIPIENTS, '@example.test'];

/** reject_unlisted_recipient on the virtual mailbox domain, with a table of some of the recipients (none: an empty table, which Postfix does not consult); mostly not drawn. */
const recipientTable = fc.oneof(
  { weight: 3, arbitrary: fc.constant({}) },
  fc.subarray(LISTABLE_RECIPIENTS).map((listed) => ({
    'postfix.smtpd_reject_unlisted_recipient': 'yes' as const,
    'postfix.virtual_mailbox_maps': listed.length === 0 ? '' : `inline:{ ${listed.map((address) => `${address}=ok`).join(', ')} }`,
  })),
);

const NOTHING: PostfixDraw = { settings: {}, probes: [] };

export function postfixSettings(allowRefusals: boolean): fc.Arbitrary<PostfixDraw> {
  const drawn = allowRefusals
    ? fc.record({ base: harmless, limits, milter, recipients: recipientTable }).map(({ base, limits: l, milter: m, recipients: r }): PostfixDraw => ({ settings: { ...base.settings, ...l, ...m, ...r }, probes: base.probes }))
    : harmless;
  return fc.oneof({ weight: 9, arbitrary: fc.constant(NOTHING) }, { weight: 1, arbitrary: drawn });
}
