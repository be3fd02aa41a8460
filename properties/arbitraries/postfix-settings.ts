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
 *    handshake trips them, smtpd_error_sleep_time, a short line_length_limit, and a milter that
 *    refuses at connect or HELO (milter.ts). These can refuse a correct client, so a case that
 *    draws them is not one in which success is possible (REFUSING_KEYS).
 */
import fc from 'fast-check';
import type { ClientStep } from '../../models/client/index.ts';
import type { ScenarioValues } from '../../scenarios/index.ts';

type SettingKey =
  | 'postfix.smtpd_helo_required' | 'postfix.disable_vrfy_command' | 'postfix.smtpd_soft_error_limit' | 'postfix.smtpd_hard_error_limit'
  | 'postfix.smtpd_error_sleep_time' | 'postfix.smtpd_junk_command_limit' | 'postfix.line_length_limit' | 'postfix.milter_connect_reply' | 'postfix.milter_helo_reply';

export type PostfixSettingsChoice = Partial<Pick<ScenarioValues, SettingKey>>;

export interface PostfixDraw {
  readonly settings: PostfixSettingsChoice;
  /** Command lines the client sends one by one after its login. */
  readonly probes: readonly string[];
}

/** Keys whose drawn values may refuse a correct client: a case with any of them is not one that can succeed. */
export const REFUSING_KEYS: readonly SettingKey[] = [
  'postfix.smtpd_soft_error_limit', 'postfix.smtpd_hard_error_limit', 'postfix.smtpd_error_sleep_time', 'postfix.smtpd_junk_command_limit',
  'postfix.line_length_limit', 'postfix.milter_connect_reply', 'postfix.milter_helo_reply',
];

/** Probes and what smtpd does with each: 252, 501 5.1.3 (two addresses), 250, 214 (500 before 3.9), 250, 500, 459. */
export const PROBES = ['VRFY bob@example.test', 'VRFY John Smith', 'NOOP probe', 'HELP', 'RSET', 'FOO bar', 'ETRN example.test'] as const;

/** A client step that is one of the probes. */
export function isProbe(step: ClientStep): boolean {
  return step.kind === 'line' && (PROBES as readonly string[]).includes(step.text);
}

/** The milter's answers drawn: each of the milter protocol's refusals, and a reply of its own of each class. */
const MILTER_REFUSALS = ['reject', 'tempfail', 'shutdown', 'accept', '554 5.7.1 Rejected by policy', '421 4.7.0 Try later'] as const;

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

const milter = fc.record(
  { 'postfix.milter_connect_reply': fc.constantFrom(...MILTER_REFUSALS), 'postfix.milter_helo_reply': fc.constantFrom(...MILTER_REFUSALS) },
  { requiredKeys: [] },
);

const NOTHING: PostfixDraw = { settings: {}, probes: [] };

export function postfixSettings(allowRefusals: boolean): fc.Arbitrary<PostfixDraw> {
  const drawn = allowRefusals
    ? fc.record({ base: harmless, limits, milter }).map(({ base, limits: l, milter: m }): PostfixDraw => ({ settings: { ...base.settings, ...l, ...m }, probes: base.probes }))
    : harmless;
  return fc.oneof({ weight: 9, arbitrary: fc.constant(NOTHING) }, { weight: 1, arbitrary: drawn });
}
