/* dovecot-differential-session - generated client sessions for the differential test of the Dovecot front
 *
 * A session is a list of lines (latin1, one character per byte, without the CRLF the driver
 * adds), each owed one reply and sent lock-step: the next line leaves only after the previous
 * line's reply came, so no timing enters. The message after DATA is one such "line": its lines
 * joined by CRLF and ended by ".", owed the one reply to the end of data.
 *
 * What the generator covers (./dovecot-differential.ts says who answers what):
 * EHLO/HELO good, empty and odd; AUTH PLAIN with and without an initial response, right and
 * wrong password, bad base64 (8-bit bytes too), '*' and an empty line; AUTH LOGIN in its two steps; mechanisms
 * Dovecot does not offer; MAIL/RCPT before AUTH; NOOP, RSET, HELP, VRFY, STARTTLS, unknown and
 * lowercase verbs, an empty line, over-long lines, 8-bit bytes; and after a good AUTH a short
 * transaction relayed to Postfix. QUIT comes last when at all.
 *
 * The nginx differential plays the same sessions with a few lines of its own (nginx-differential-session.ts).
 *
 * A fragment is a unit of the session (one command, an AUTH exchange, a transaction), so fast-check
 * shrinks whole fragments away before it shrinks inside one: an AUTH exchange does not lose its
 * continuation line to shrinking unless the shorter session still disagrees.
 */
import fc from 'fast-check';
import { REAL_ACCOUNTS } from './real-stack/config.ts';

/** One client line, latin1, without CRLF. */
export type SessionLine = string;

const [[USER, PASSWORD]] = REAL_ACCOUNTS as [readonly [string, string]];
const WRONG_PASSWORD = 'wrong';

const b64 = (text: string) => Buffer.from(text, 'latin1').toString('base64');
const plainBlob = (password: string) => b64(`\0${USER}\0${password}`);

/** EHLO and HELO with good, empty and odd domains (lib-smtp's smtp_helo_domain_parse() judges them). */
const heloLine = fc.constantFrom(
  'EHLO client.example.test',
  'HELO client.example.test',
  'EHLO',
  'HELO',
  'EHLO [127.0.0.1]',
  'EHLO [IPv6:::1]',
  'EHLO [127.0.0.1',
  'EHLO under_score.example.test',
  'EHLO -dash.example.test',
  'EHLO two words',
  'EHLO x',
  'ehlo client.example.test',
  'EHLO  client.example.test',
);

const plainInitial = fc.constantFrom(plainBlob(PASSWORD), plainBlob(WRONG_PASSWORD), '=', '!!notbase64', b64('no-nuls'), plainBlob(PASSWORD).slice(0, -2));
const continuation = fc.constantFrom(plainBlob(PASSWORD), plainBlob(WRONG_PASSWORD), '*', '', '!!notbase64', '=', 'YWxp\xe9Y2U=');

/** AUTH exchanges: the AUTH line and the continuation lines the client sends after each 334. */
const authExchange: fc.Arbitrary<SessionLine[]> = fc.oneof(
  plainInitial.map((blob) => [`AUTH PLAIN ${blob}`]),
  continuation.map((blob) => ['AUTH PLAIN', blob]),
  fc.constantFrom(PASSWORD, WRONG_PASSWORD).map((password) => ['AUTH LOGIN', b64(USER), b64(password)]),
  fc.constantFrom(PASSWORD, WRONG_PASSWORD, '*').map((password) => [`AUTH LOGIN ${b64(USER)}`, password === '*' ? '*' : b64(password)]),
  fc.constantFrom('AUTH CRAM-MD5', 'AUTH FOO', 'AUTH', 'auth plain', `auth plain ${plainBlob(PASSWORD)}`, 'AUTH PLAIN  ' + plainBlob(PASSWORD)).map((line) => [line]),
);

/** After a good AUTH the session is Postfix's: a message to the lab's virtual domain. */
const transaction: fc.Arbitrary<SessionLine[]> = fc
  .record({
    initial: fc.boolean(),
    body: fc.constantFrom('Subject: hi\r\n\r\nhello', 'Subject: x\r\n\r\n..dot\r\nline two', ''),
    rcpt: fc.constantFrom('RCPT TO:<bob@example.test>', 'RCPT TO:<nobody@elsewhere.test>', 'RCPT TO:<bob>'),
  })
  .map(({ initial, body, rcpt }) => [
    ...(initial ? [`AUTH PLAIN ${plainBlob(PASSWORD)}`] : ['AUTH PLAIN', plainBlob(PASSWORD)]),
    `MAIL FROM:<${USER}>`,
    rcpt,
    'DATA',
    body === '' ? '.' : `${body}\r\n.`,
  ]);

/** A verb neither Dovecot's login nor lib-smtp knows. */
const unknownVerb = fc.stringMatching(/^[A-Z]{1,8}$/).filter((verb) => !KNOWN_VERBS.has(verb));
const KNOWN_VERBS = new Set(['EHLO', 'HELO', 'LHLO', 'AUTH', 'MAIL', 'RCPT', 'DATA', 'BDAT', 'RSET', 'NOOP', 'QUIT', 'VRFY', 'HELP', 'STARTTLS', 'XCLIENT', 'BURL']);

const otherLine: fc.Arbitrary<SessionLine> = fc.oneof(
  fc.constantFrom(
    'NOOP',
    'NOOP with text',
    'RSET',
    'RSET x',
    'HELP',
    'HELP MAIL',
    'VRFY bob@example.test',
    'VRFY',
    'STARTTLS',
    'STARTTLS now',
    `MAIL FROM:<${USER}>`,
    'RCPT TO:<bob@example.test>',
    'noop',
    'rset',
    '',
    ' ',
    'NOOP \xe9\xff',
    'EHLO h\xe9llo.example.test',
    'MAIL FROM:<\xe9@example.test>',
  ),
  unknownVerb.map((verb) => `${verb} argument`),
  fc.constantFrom(600, 1100, 8300).chain((length) => fc.constantFrom(`NOOP ${'x'.repeat(length)}`, `EHLO ${'a'.repeat(length)}`, `${'Z'.repeat(length)}`)),
);

/** One unit of a session: a command, an AUTH exchange, a transaction (the nginx differential adds its own: sessionOf()). */
export const sessionFragment: fc.Arbitrary<SessionLine[]> = fc.oneof(
  { arbitrary: heloLine.map((line) => [line]), weight: 3 },
  { arbitrary: authExchange, weight: 3 },
  { arbitrary: transaction, weight: 2 },
  { arbitrary: otherLine.map((line) => [line]), weight: 4 },
);

/** The longest session the generator makes, QUIT included. */
export const MAX_SESSION_LINES = 10;

/** A client session of up to 10 lines made of `fragment`s (none, rarely: the greeting alone), QUIT last or not at all. */
export function sessionOf(fragment: fc.Arbitrary<SessionLine[]>): fc.Arbitrary<SessionLine[]> {
  return (
    fc
      // fc.option: fast-check shrinks each fragment to nothing on its own (its array shrinker alone
      // keeps the last elements and would never drop a fragment that follows the one that disagrees).
      .record({ fragments: fc.array(fc.option(fragment, { nil: null, freq: 20 }), { minLength: 1, maxLength: 5 }), quit: fc.constantFrom(null, 'QUIT', 'quit') })
      .map(({ fragments, quit }) => {
        const lines = fragments.flatMap((f) => f ?? []).slice(0, quit === null ? MAX_SESSION_LINES : MAX_SESSION_LINES - 1);
        // A transaction cut after its DATA would leave the server reading the message: QUIT would be
        // data and owed no reply. DATA only comes in a transaction, with its message after it.
        if (lines.at(-1) === 'DATA') lines.pop();
        return quit === null ? lines : [...lines, quit];
      })
  );
}

/** The Dovecot differential's sessions. */
export const dovecotSession: fc.Arbitrary<SessionLine[]> = sessionOf(sessionFragment);
