/* nginx-differential-session - the nginx differential's sessions: the Dovecot differential's, and lines aimed at nginx's own parser
 *
 * nginx reads SMTP with ngx_mail_smtp_parse_command() and AUTH with ngx_mail_auth_parse()
 * (src/mail/ngx_mail_parse.c, release-1.22.1): a command with more than ten arguments is invalid
 * (`s->args.nelts <= 10` in sw_spaces_before_argument), so is a CR not followed by LF
 * (sw_almost_done), and AUTH takes exactly one or two arguments per mechanism (PLAIN: one or two,
 * LOGIN: one or two, CRAM-MD5 and EXTERNAL one); an invalid line counts toward max_errors, the
 * others do not (docs/versions.md). XCLIENT from the client goes to the state machine's default,
 * and after login to Postfix, which trusts nginx's address (smtpd_authorized_xclient_hosts).
 * These lines join the shared fragments one in six.
 */
import fc from 'fast-check';
import { REAL_ACCOUNTS } from './real-stack/config.ts';
import { sessionFragment, sessionOf, type SessionLine } from './dovecot-differential-session.ts';

const [[USER, PASSWORD]] = REAL_ACCOUNTS as [readonly [string, string]];
const plainBlob = Buffer.from(`\0${USER}\0${PASSWORD}`, 'latin1').toString('base64');

const parserLine: fc.Arbitrary<SessionLine[]> = fc
  .constantFrom(
    'NOOP a b c d e f g h i j',
    'NOOP a b c d e f g h i j k',
    'NOOP\rx',
    'EXPN bob',
    'XCLIENT ADDR=192.0.2.1',
    'AUTH PLAIN x y',
    `AUTH PLAIN ${plainBlob} extra`,
    'AUTH LOGIN a b',
    'AUTH EXTERNAL',
    'AUTH LOGIN =',
    'AUTH PLAIN YQ=x!',
    'HeLo client.example.test',
  )
  .map((line) => [line]);

/** After login the client's own XCLIENT reaches Postfix, which takes it from nginx's address. */
const xclientAfterLogin: fc.Arbitrary<SessionLine[]> = fc
  .constantFrom('XCLIENT ADDR=192.0.2.1', 'XCLIENT LOGIN=mallory@example.test', 'XCLIENT FOO=bar')
  .map((line) => [`AUTH PLAIN ${plainBlob}`, line, 'EHLO client.example.test', `MAIL FROM:<${USER}>`]);

export const nginxSession: fc.Arbitrary<SessionLine[]> = sessionOf(
  fc.oneof({ arbitrary: sessionFragment, weight: 5 }, { arbitrary: parserLine, weight: 2 }, { arbitrary: xclientAfterLogin, weight: 1 }),
);
