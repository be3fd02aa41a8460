/* releases - the Postfix releases the lab models, and each behaviour gated on the release that brought it
 *
 * Read from the Postfix sources (vdukhovni/postfix, one tag per release: v3.5.0 .. v3.10.13):
 * a gate names the first patch level of each stable line that has the behaviour, with the file
 * and function (or HISTORY/RELEASE_NOTES entry) where the change is seen. Postfix back-ports
 * security changes to every supported stable line at once, so "since 3.8.1" is not "since 3.8":
 * 3.9.0 has it, 3.8.0 does not, 3.8.1 does. docs/versions.md is this table in prose, with the
 * test that runs each row either side of its change (test/models/postfix/releases.test.ts).
 */

/** A stable line and its newest patch level in the source mirror (tags v<line>.0 .. v<line>.<latest>). */
export const POSTFIX_LINES = [
  { line: [3, 5], latest: 27 },
  { line: [3, 6], latest: 20 },
  { line: [3, 7], latest: 22 },
  { line: [3, 8], latest: 20 },
  { line: [3, 9], latest: 14 },
  { line: [3, 10], latest: 13 },
] as const satisfies readonly { line: readonly [number, number]; latest: number }[];

export type PostfixRelease = readonly [major: number, minor: number, patch: number];

/** The modelled releases in words, for key help and error messages. */
export const POSTFIX_RELEASES_TEXT = `${POSTFIX_LINES.map(({ line: [a, b], latest }) => `${a}.${b}.0-${a}.${b}.${latest}`).join(', ')} (a line alone, e.g. 3.9, is its .0 release)`;

/** The release `version` names ("3.7.11", or "3.9" for 3.9.0), or null when the lab does not model it. */
export function modelledRelease(version: string): PostfixRelease | null {
  const match = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(version);
  if (!match) return null;
  const release: PostfixRelease = [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
  const line = POSTFIX_LINES.find(({ line: [a, b] }) => a === release[0] && b === release[1]);
  return line !== undefined && release[2] <= line.latest ? release : null;
}

export function isModelledRelease(version: string): boolean {
  return modelledRelease(version) !== null;
}

/** The release `version` names; throws naming the modelled releases when it is not one of them. */
export function postfixRelease(version: string): PostfixRelease {
  const release = modelledRelease(version);
  if (release === null) throw new Error(`mail_version: "${version}" is not a modelled Postfix release; modelled: ${POSTFIX_RELEASES_TEXT}`);
  return release;
}

export type PostfixGateName =
  | 'forbid_unauth_pipelining'
  | 'forbid_unauth_pipelining_default_yes'
  | 'forbid_bare_newline'
  | 'forbid_bare_newline_modes'
  | 'forbid_bare_newline_default_normalize'
  | 'forbid_bare_newline_note'
  | 'help_command'
  | 'abnormal_end_queue_id'
  | 'forbidden_commands_non_letter'
  | 'milter_default_action_shutdown'
  | 'milter_hold_reason_once'
  | 'reject_logs_sasl'
  | 'cleanup_logs_removed'
  | 'permit_sasl_without_sasl_enable'
  | 'relay_before_recipient_restrictions';

export interface PostfixGate {
  /** What the release changed, in a phrase (docs/versions.md's first column). */
  readonly behaviour: string;
  /** First patch level per stable line that has it; a line not listed has it only if it is newer than every listed line. */
  readonly since: readonly (readonly [number, number, number])[];
  /** Where the change is read: tag, file, function or HISTORY entry. */
  readonly source: string;
}

export const POSTFIX_GATES: Readonly<Record<PostfixGateName, PostfixGate>> = {
  permit_sasl_without_sasl_enable: {
    behaviour: 'permit_sasl_authenticated permits a login (AUTH, or XCLIENT LOGIN=) whether or not SASL is active; before, it asks smtpd_sasl_is_active() first, so with smtpd_sasl_auth_enable = no an XCLIENT LOGIN= does not count',
    since: [[3, 6, 16], [3, 7, 12], [3, 8, 7], [3, 9, 1], [3, 10, 0]],
    source: 'HISTORY 20240930 ("with smtpd_sasl_auth_enable = no, info received with XCLIENT LOGIN was ignored by permit_sasl_authenticated"); smtpd_check.c generic_checks() PERMIT_SASL_AUTH at v3.7.12, v3.8.7, v3.9.1, v3.6.16, v3.10.0 without the smtpd_sasl_is_active() test that v3.7.11, v3.8.6, v3.9.0, v3.6.15 and every 3.5 release have',
  },
  relay_before_recipient_restrictions: {
    behaviour: 'smtpd_relay_before_recipient_restrictions exists (default yes at compatibility_level 3.6 and later): RCPT runs smtpd_relay_restrictions before smtpd_recipient_restrictions; before, the recipient restrictions run first',
    since: [[3, 6, 0]],
    source: 'RELEASE_NOTES-3.6 ("smtpd_relay_before_recipient_restrictions"); smtpd_check.c smtpd_check_rcpt() rcpt_index/relay_index at v3.6.0, restrctions[0] = rcpt_restrctions at v3.5.27; mail_params.h DEF_RELAY_BEFORE_RCPT_CHECKS',
  },
  forbid_unauth_pipelining: {
    behaviour: 'smtpd_forbid_unauth_pipelining exists; the greeting stage (at connect and after each XCLIENT) checks for pipelined input; the check reads the socket first so the log line shows the input',
    since: [[3, 5, 20], [3, 6, 10], [3, 7, 6], [3, 8, 1], [3, 9, 0]],
    source: 'HISTORY 20230605 ("Security: new parameter smtpd_forbid_unauth_pipelining (default: no)"); smtpd.c smtpd_flag_ill_pipelining() and smtpd_proto() greeting stage, v3.7.5..v3.7.6 diff; mail_params.h DEF_SMTPD_FORBID_UNAUTH_PIPE',
  },
  forbid_unauth_pipelining_default_yes: {
    behaviour: 'smtpd_forbid_unauth_pipelining defaults to yes',
    since: [[3, 9, 0]],
    source: 'RELEASE_NOTES-3.9 [Incompat 20230603]; mail_params.h DEF_SMTPD_FORBID_UNAUTH_PIPE 1 at v3.9.0 (0 in every back-port)',
  },
  forbid_bare_newline: {
    behaviour: 'smtpd_forbid_bare_newline and smtpd_forbid_bare_newline_exclusions exist (first as a boolean: yes disconnects with 521)',
    since: [[3, 5, 23], [3, 6, 13], [3, 7, 9], [3, 8, 4], [3, 9, 0]],
    source: 'HISTORY 20231221 ("with smtpd_forbid_bare_newline = yes ... reply with Error: bare <LF> received and disconnect"); smtpd.c smtpd_proto() case SMTP_ERR_LF, v3.8.4',
  },
  forbid_bare_newline_modes: {
    behaviour: 'smtpd_forbid_bare_newline takes normalize|yes|reject|no ("yes" becomes normalize) and smtpd_forbid_bare_newline_reject_code exists',
    since: [[3, 5, 24], [3, 6, 14], [3, 7, 10], [3, 8, 5], [3, 9, 0]],
    source: 'HISTORY 20240112; RELEASE_NOTES-3.9 [Feature 20240118] ("back ported to Postfix 3.8.5, 3.7.10, 3.6.14, and 3.5.24"); smtpd.c bare_lf_mask_table',
  },
  forbid_bare_newline_default_normalize: {
    behaviour: 'smtpd_forbid_bare_newline defaults to normalize',
    since: [[3, 9, 0]],
    source: 'mail_params.h DEF_SMTPD_FORBID_BARE_LF "normalize" at v3.9.0 ("no" in the back-ports)',
  },
  forbid_bare_newline_note: {
    behaviour: 'smtpd_forbid_bare_newline = note: like normalize, and a session that sent any line with a bare LF (command or content) ends its disconnect line with notes=bare_lf',
    since: [[3, 9, 0]],
    source: 'HISTORY 20240124 ("with smtpd_forbid_bare_newline = note, the Postfix SMTP server notes in the log if it received any lines with bare LF"); smtpd.c bare_lf_mask_table and smtpd_format_cmd_stats() at v3.9.0, absent at v3.8.20, v3.7.22, v3.6.20, v3.5.27',
  },
  help_command: {
    behaviour: 'HELP lists the implemented commands (214); before, HELP is an unknown command (500)',
    since: [[3, 9, 0]],
    source: 'HISTORY (3.9 snapshot, "an SMTP server HELP command that lists the implemented commands"); smtpd.c help_cmd() in smtpd_cmd_table at v3.9.0, absent at v3.8.20',
  },
  forbidden_commands_non_letter: {
    behaviour: 'an unknown command that does not start with a letter is a non-SMTP command (221 and hang up): smtpd_forbidden_commands defaults to CONNECT GET POST regexp:{{/^[^A-Z]/ Bogus}}; the non-SMTP command warning shows the line escape()d',
    since: [[3, 7, 0]],
    source: 'HISTORY 20210605 ("The smtpd_forbidden_commands default setting now also inludes a regular expression regexp:{{/^[^A-Z]/ Bogus}}") and 20210610 ("escape non-printable characters in non-SMTP commands"); mail_params.h DEF_SMTPD_FORBID_CMDS at v3.7.0, "CONNECT GET POST" at v3.6.20',
  },
  milter_default_action_shutdown: {
    behaviour: 'milter_default_action takes shutdown (421 4.7.1 Service unavailable - try again later, and smtpd hangs up) and defaults to it; before, shutdown is an unrecognized action (warning, 451 4.3.5 Server configuration problem - try again later) and the default is tempfail',
    since: [[3, 7, 20], [3, 8, 15], [3, 9, 9], [3, 10, 8]],
    source: 'HISTORY 20251208 ("changing the default milter_default_action from tempfail to the new shutdown action"); milter8.c milter8_comm_error() and mail_params.h DEF_MILT_DEF_ACTION "shutdown" at v3.7.20, v3.8.15, v3.9.9, v3.10.8, "tempfail" at v3.7.19, v3.8.14, v3.9.8, v3.10.7; absent from 3.5 and 3.6',
  },
  milter_hold_reason_once: {
    behaviour: 'check_milter_reply() logs a milter HOLD or DISCARD once while saved_flags hold it, and a HOLD with its reason: "default_action" for milter_default_action = quarantine ("Hdefault_action"); before, every event that met the HOLD logged "milter triggers HOLD action"',
    since: [[3, 10, 0]],
    source: 'HISTORY 20250106 ("logs the reason for a quarantine request", "suppress repeated logging of a Milter quarantine, discard, or shutdown request"); smtpd.c check_milter_reply() and milter8.c milter8_comm_error() at v3.10.0, absent at v3.9.14',
  },
  reject_logs_sasl: {
    behaviour: 'log_whatsup() (the reject lines: a relay or VRFY reject, the bare-LF reject) ends with sasl_method=, sasl_username= and sasl_sender= (no angle brackets) when the session has them',
    since: [[3, 10, 0]],
    source: 'RELEASE_NOTES-3.10 [Incompat 20241023] ("reject logging now shows the sasl_method, sasl_username, and sasl_sender if available"); smtpd_check.c log_whatsup() at v3.10.0, absent at v3.9.14 and v3.8.20',
  },
  cleanup_logs_removed: {
    behaviour: 'cleanup logs "<queue id>: removed (canceled)" when a queue file smtpd opened is not queued (RSET, a new HELO, the session ending, a refused message) and "removed (discarded)" for a milter DISCARD',
    since: [[3, 10, 0]],
    source: 'HISTORY 20241104, RELEASE_NOTES-3.10 [Feature 20241104] ("cleanup server now logs queueid: canceled when a message transaction is started but not completed"); cleanup_api.c cleanup_flush() at v3.10.0, absent at v3.9.14',
  },
  abnormal_end_queue_id: {
    behaviour: 'the abnormal-end line ("lost connection after ...", "timeout after ...") starts with the queue ID or NOQUEUE',
    since: [[3, 10, 0]],
    source: 'RELEASE_NOTES-3.10 [Feature 20250105]; smtpd.c smtpd_proto() epilogue queue_id_or_noqueue at v3.10.0, absent at v3.9.14',
  },
};

function compare(a: PostfixRelease, b: PostfixRelease): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** Does `release` have the gated behaviour? */
export function hasGate(release: PostfixRelease, gate: PostfixGateName): boolean {
  const { since } = POSTFIX_GATES[gate];
  const sameLine = since.find(([a, b]) => a === release[0] && b === release[1]);
  if (sameLine !== undefined) return release[2] >= sameLine[2];
  const newest = since[since.length - 1]!;
  return compare(release, newest) > 0;
}

/** "3.5.20, 3.6.10, 3.7.6, 3.8.1, 3.9.0": the first releases that have it. */
export function firstReleasesText(gate: PostfixGateName): string {
  return POSTFIX_GATES[gate].since.map((release) => release.join('.')).join(', ');
}

/**
 * main.cf parameters the modelled range does not always have, with the gate that brings them.
 * Every other parameter the model reads exists in 3.5.0 already.
 */
export const GATED_PARAMETERS: Readonly<Record<string, PostfixGateName>> = {
  smtpd_forbid_unauth_pipelining: 'forbid_unauth_pipelining',
  smtpd_forbid_bare_newline: 'forbid_bare_newline',
  smtpd_forbid_bare_newline_exclusions: 'forbid_bare_newline',
  smtpd_forbid_bare_newline_reject_code: 'forbid_bare_newline_modes',
};

/** Why `parameter` cannot be set on `release`, or null when the release has it. */
export function missingParameter(release: PostfixRelease, parameter: string): string | null {
  const gate = GATED_PARAMETERS[parameter];
  if (gate === undefined || hasGate(release, gate)) return null;
  return `Postfix ${release.join('.')} has no parameter ${parameter}; the first releases that have it are ${firstReleasesText(gate)}`;
}
