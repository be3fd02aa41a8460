/* cmd-sasl - AUTH PLAIN / LOGIN against the lab's credential table
 *
 * smtpd_sasl_proto.c smtpd_sasl_auth_cmd(), smtpd_sasl_glue.c smtpd_sasl_authenticate(),
 * smtpd_chat.c smtpd_chat_query_limit(), xsasl_dovecot_server.c (v3.7.11); Dovecot's passdb is the config's saslUsers.
 */
import type { Micros } from '../contract.js';
import type { CommandRow } from './command-table.js';
import { discards } from './ehlo-mask.js';
import { milterRefusalOfSessionCommand } from './milter.js';
import type { SmtpdSession } from './session.js';

/** smtpd_sasl_auth_cmd() with the lab credential table standing in for Dovecot. */
export function authCommand(s: SmtpdSession, now: Micros, row: CommandRow, argv: string[]): void {
  const t = s.config.timings;
  if (s.config.smtpd_helo_required && s.helo === null) return s.quickReply(now, row, false, '503 5.5.1 Error: send HELO/EHLO first');
  if (!s.saslActive() || discards(s.ehloDiscardMask, 'AUTH')) return s.quickReply(now, row, false, '503 5.5.1 Error: authentication not enabled');
  if (s.transaction) return s.quickReply(now, row, false, '503 5.5.1 Error: MAIL transaction in progress');
  const refusal = milterRefusalOfSessionCommand(s);
  if (refusal) return s.quickReply(now, row, false, refusal);
  if (s.saslUsername !== null) return s.quickReply(now, row, false, '503 5.5.1 Error: already authenticated');
  if (argv.length < 2 || argv.length > 3) return s.quickReply(now, row, false, '501 5.5.4 Syntax: AUTH mechanism');
  // smtpd logs the mechanism as the client wrote it (state->sasl_method); Dovecot matches it without case.
  const method = argv[1] ?? '';
  const mechanism = method.toUpperCase();
  const verdict = (at: Micros, user: string, pass: string) => {
    // The credential table holds names as text; the decoded bytes are UTF-8 (RFC 4616), read here as latin1.
    if (s.config.saslUsers[utf8(user)] === utf8(pass)) {
      s.setSasl(utf8(user), method, 'sasl');
      return s.respond(at, row, true, t.authDelayUs, '235 2.7.0 Authentication successful');
    }
    // Dovecot's FAIL carries user= but no reason= for a bad password (xsasl_dovecot_server.c).
    authFailed(s, at, row, method, '(reason unavailable)', user);
  };
  const challenge = (at: Micros, prompt: string, then: (at2: Micros, response: string) => void) => {
    s.reply(`334 ${prompt}`);
    s.readRecord(at, SASL_RESPONSE_LIMIT, true, (at2, line) => {
      // smtpd_chat_query_limit(): an over-long response is skipped through its LF and refused.
      if (!line.complete) {
        s.warnRequestTooLong(SASL_RESPONSE_LIMIT, line.text);
        return s.respond(at2, row, false, t.quickDelayUs, '500 5.5.6 SASL response limit exceeded');
      }
      if (line.text === '*') {
        s.log(`warning: ${s.namaddr}: SASL ${method} authentication aborted`);
        return s.respond(at2, row, false, t.quickDelayUs, '501 5.7.0 Authentication aborted');
      }
      const response = decodeBase64(line.text);
      if (response === null) return authFailed(s, at2, row, method, 'Invalid base64 data in continued response', null);
      then(at2, response);
    });
  };
  // mech_plain_auth_continue() (Dovecot mech-plain.c): exactly two NULs, else a FAIL with neither reason nor user.
  const plain = (at: Micros, response: string) => {
    const parts = response.split('\0');
    if (parts.length !== 3) return authFailed(s, at, row, method, '(reason unavailable)', null);
    verdict(at, parts[1] ?? '', parts[2] ?? '');
  };
  // xsasl_dovecot_server_first(): the mechanism must be one Dovecot offers.
  if (!s.config.saslMechanisms.includes(mechanism)) return authFailed(s, now, row, method, 'Invalid authentication mechanism', null);
  const initial = argv.length === 3 ? initialResponse(argv[2] ?? '') : undefined;
  if (initial === null) return authFailed(s, now, row, method, 'Invalid base64 data in initial response', null);
  if (mechanism === 'PLAIN') return initial === undefined ? challenge(now, '', plain) : plain(now, initial);
  const askPassword = (at: Micros, user: string) => challenge(at, 'UGFzc3dvcmQ6', (at2, pass) => verdict(at2, user, pass));
  // mech_login_auth_initial() (mech-login.c): an empty initial response asks for the user name, as none does.
  if (initial === undefined || initial === '') return challenge(now, 'VXNlcm5hbWU6', askPassword);
  askPassword(now, initial);
}

/** smtpd_sasl_authenticate() failure: warning with the reason and user, then 535. */
function authFailed(s: SmtpdSession, now: Micros, row: CommandRow, mechanism: string, reason: string, user: string | null): void {
  s.log(`warning: ${s.namaddr}: SASL ${mechanism} authentication failed: ${reason}, sasl_username=${user ?? '(unavailable)'}`);
  s.respond(now, row, false, s.config.timings.authDelayUs, `535 5.7.8 Error: authentication failed: ${reason}`);
}

/** var_smtpd_sasl_resp_limit: DEF_SMTPD_SASL_RESP_LIMIT 12288 (mail_params.h). */
const SASL_RESPONSE_LIMIT = 12_288;

/**
 * A response as Postfix and then Dovecot read it, null when either refuses it; both refuse with the
 * same reason text. xsasl_dovecot_server.c is_valid_base64(): base64 characters only. Dovecot
 * (auth-request-handler.c, 2.3.19.1) base64_decode(): whole quads, padding only at the end
 * (base64_decode_finish()), else FAIL reason="Invalid base64 data in ... response".
 */
function decodeBase64(text: string): string | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return null;
  return Buffer.from(text, 'base64').toString('latin1');
}

/** auth_request_handler_auth_begin(): an initial response "=" is an empty one ("not even valid Base64"). */
function initialResponse(text: string): string | null {
  return text === '=' ? '' : decodeBase64(text);
}

function utf8(latin1: string): string {
  return Buffer.from(latin1, 'latin1').toString('utf8');
}
