/* generator - fast-check builder of SMTP sessions for the smtpd differential
 *
 * smtpSession: one to twelve lock-step steps, each a whole command line (or a message after DATA,
 * or a BDAT command with its chunk), weighted toward what reaches smtpd.c's interesting paths:
 * envelope commands with good and odd addresses and ESMTP parameters, XCLIENT with valid and
 * invalid attributes, AUTH with right and wrong credentials, and the odd lines a parser must
 * survive (unknown and lower-case verbs, empty, over-long and 8-bit lines, commands out of
 * sequence). A step never holds two lines, except a message and a BDAT chunk, which smtpd reads
 * as data. pipelinedSession adds bursts: several command lines in one write. Shrinking goes to
 * fewer steps and to the first alternative of each choice (the plainest form).
 */
import fc from 'fast-check';
import { burst, type Step } from './session.ts';

const CRLF = '\r\n';
const line = (text: string, end = CRLF): Step => ({ kind: 'line', bytes: `${text}${end}` });

/** Host names a client gives: good, address literals (valid and not), empty, odd characters, 8-bit. */
const HELO_ARGS = ['client.example.test', '[127.0.0.1]', '', 'localhost', '[300.1.1.1]', '[IPv6:::1]', 'bad_name!', 'a b', 'h\xe9llo.example', 'x'.repeat(300), '.dot.example'];
/** Senders: ordinary, null, foreign, no brackets, a space after the colon, a route, quoted, 8-bit, unclosed. */
const SENDERS = ['<alice@example.test>', '<>', '<j\xc3\xb6rg@example.test>', '<alice@ex\xc3\xa4mple.test>', '<alice@example.test> (comment)', '<alice@@example.test>', '<carol@elsewhere.invalid>', 'alice@example.test', ' <alice@example.test>', '<@relay.example:alice@example.test>', '<"a b"@example.test>', '<j\xf6rg@example.test>', '<alice@example.test', '<alice>', ''];
/** MAIL parameters of RFC 1870/6152/3030/6531/4954/3461, with bad values and unknown names. */
const MAIL_PARAMS = ['SIZE=1000', 'SIZE=999999999999', 'SIZE=abc', 'SIZE', 'BODY=8BITMIME', 'BODY=7BIT', 'BODY=BINARYMIME', 'BODY=bogus', 'SMTPUTF8', 'AUTH=<>', 'AUTH=alice@example.test', 'RET=FULL', 'RET=HDRS', 'RET=bogus', 'ENVID=abc123', 'ENVID=', 'FOO=bar', 'XYZ', 'size=100'];
/** Recipients: in the virtual domain, foreign, a route, quoted, no brackets, bare local parts, null, postmaster. */
const RECIPIENTS = ['<bob@example.test>', '<bob@elsewhere.invalid>', '<b\xc3\xb6b@example.test>', '<bob@sub.example.test>', '<bob@example.test.>', '<bob%elsewhere.invalid@example.test>', '<bob!elsewhere.invalid>', '<@route.example:bob@example.test>', '<"b o b"@example.test>', 'bob@example.test', '<bob>', '<>', '<postmaster>', '<Postmaster@example.test>', '<bob@[127.0.0.1]>', '<b\xf6b@example.test>', '<bob@example.test'];
/** RCPT parameters of RFC 3461, good and bad, and unknown ones. */
const RCPT_PARAMS = ['NOTIFY=SUCCESS,FAILURE', 'NOTIFY=NEVER', 'NOTIFY=NEVER,SUCCESS', 'NOTIFY=bogus', 'ORCPT=rfc822;bob@example.test', 'ORCPT=bogus', 'FOO=bar'];
/** XCLIENT attributes (smtpd.c xclient_cmd(), v3.7.11), valid and invalid. */
const XCLIENT_ATTRS = ['ADDR=192.0.2.10 NAME=[UNAVAILABLE]', 'HELO=[UNAVAILABLE]', 'LOGIN=[UNAVAILABLE]', 'ADDR=[UNAVAILABLE]', 'ADDR=IPv6:::ffff:192.0.2.1', 'NAME=mx.example.test+', 'REVERSE_NAME=mx.example.test', 'HELO=', 'addr=192.0.2.11', 'ADDR=192.0.2.10', 'NAME=mx.example.test', 'NAME=[UNAVAILABLE]', 'NAME=[TEMPUNAVAIL]', 'PORT=4711', 'PROTO=ESMTP', 'PROTO=SMTP', 'PROTO=bogus', 'HELO=peer.example.test', 'LOGIN=alice@example.test', 'ADDR=127.0.0.1', 'ADDR=not-an-address', 'ADDR=IPV6:::1', 'PORT=99999', 'DESTADDR=127.0.0.1', 'DESTPORT=25', 'FOO=bar', 'NAME=bad name'];
/** Message bodies after a 354: plain, dot-stuffed, 8-bit, headers only. */
const MESSAGES = ['Subject: t\r\n\r\nhello\r\n.\r\n', 'Subject: t\r\n\r\n..stuffed\r\n.\r\n', 'Subject: caf\xe9\r\n\r\nna\xefve\r\n.\r\n', '.\r\n'];

const pick = (values: readonly string[]) => fc.constantFrom(...values);
const params = (values: readonly string[]) => fc.uniqueArray(pick(values), { maxLength: 2 }).map((chosen) => chosen.map((p) => ` ${p}`).join(''));

const hello = fc.tuple(fc.constantFrom('EHLO', 'HELO', 'ehlo', 'Helo'), pick(HELO_ARGS)).map(([verb, arg]) => [line(arg === '' ? verb : `${verb} ${arg}`)]);
const mail = fc.tuple(fc.constantFrom('MAIL FROM:', 'mail from:', 'MAIL FROM :', 'MAIL'), pick(SENDERS), params(MAIL_PARAMS)).map(([verb, sender, p]) => [line(`${verb}${sender}${p}`)]);
const rcpt = fc.tuple(fc.constantFrom('RCPT TO:', 'rcpt to:', 'RCPT TO :', 'RCPT'), pick(RECIPIENTS), params(RCPT_PARAMS)).map(([verb, rcptTo, p]) => [line(`${verb}${rcptTo}${p}`)]);
const data = pick(MESSAGES).map((message): Step[] => [line('DATA'), { kind: 'content', bytes: message }]);
/** BDAT with a chunk of exactly its count (a shorter chunk would leave smtpd waiting), LAST or not. */
const bdat = fc.tuple(fc.constantFrom('hello\r\n', 'Subject: t\r\n\r\nx\r\n', ''), fc.boolean()).map(([chunk, last]) => [line(`BDAT ${chunk.length}${last ? ' LAST' : ''}${CRLF}${chunk}`, '')]);
const bdatOdd = pick(['BDAT', 'BDAT x', 'BDAT -1', 'BDAT 0 LAST', 'BDAT 99999999999 LAST', 'BDAT 0 LATER']).map((text) => [line(text)]);
const xclient = fc.uniqueArray(pick(XCLIENT_ATTRS), { minLength: 0, maxLength: 3 }).map((attrs) => [line(['XCLIENT', ...attrs].join(' '))]);
/** A good attribute, then a bad one: what the refused XCLIENT leaves set (xclient_cmd() updates in place). */
const xclientPartial = fc
  .tuple(pick(['HELO=peer.example.test', 'PROTO=SMTP', 'PROTO=ESMTP', 'LOGIN=alice@example.test', 'ADDR=192.0.2.10', 'NAME=mx.example.test']), pick(['ADDR=not-an-address', 'FOO=bar', 'PORT=99999', 'NAME=bad name']))
  .map(([good, bad]) => [line(`XCLIENT ${good} ${bad}`)]);
/** The base64 of a SASL response (latin1 in, as the wire carries it). */
const b64 = (text: string) => Buffer.from(text, 'latin1').toString('base64');
/**
 * AUTH with the account both sides know (conformance/real-stack/config.ts REAL_ACCOUNTS' first,
 * the real-stack scenario's client.user with the password topology.ts gives it) and one wrong
 * password: PLAIN and LOGIN, with the initial response or answering the 334s, each line one step
 * (smtpd_sasl_auth_cmd() reads each response as a line: smtpd_chat_query_limit()). One wrong
 * pair only: Dovecot raises 127.0.0.1's auth penalty for each new user and password that fails
 * (anvil penalty.c penalty_bump_checksum(), 2.3.19.1), and from the second the next AUTH waits
 * 8 s before its 2 s failure delay, past Postfix's 10 s read timeout (xsasl_dovecot_server.c
 * AUTH_TIMEOUT): "454 4.7.0 Temporary authentication failure: Connection lost to authentication
 * server", a state across sessions the model has not (seen with an unknown user as a second pair).
 */
const [USER, PASSWORD] = ['alice@example.test', 'secret'];
const CREDENTIALS = [[USER, PASSWORD], [USER, 'wrong']] as const;
const auth = fc.tuple(fc.constantFrom(...CREDENTIALS), fc.constantFrom('PLAIN', 'PLAIN asked', 'LOGIN', 'LOGIN asked')).map(([[user, pass], form]): Step[] => {
  const plain = b64(`\0${user}\0${pass}`);
  if (form === 'PLAIN') return [line(`AUTH PLAIN ${plain}`)];
  if (form === 'PLAIN asked') return [line('AUTH PLAIN'), line(plain)];
  if (form === 'LOGIN') return [line(`AUTH LOGIN ${b64(user)}`), line(b64(pass))];
  return [line('AUTH LOGIN'), line(b64(user)), line(b64(pass))];
});
const simple = pick(['RSET', 'NOOP', 'NOOP with args', 'RSET now', 'VRFY bob@example.test', 'VRFY <bob@elsewhere.invalid>', 'VRFY', 'EXPN staff', 'HELP', 'HELP MAIL', 'ETRN example.test', 'ETRN', 'ETRN @example.test', 'QUIT', 'quit', 'STARTTLS', 'AUTH', 'AUTH FOO']).map((text) => [line(text)]);
const odd = pick(['FOO', '', ' ', 'noop', 'MAIL', 'RCPT', 'DATA extra', 'GET / HTTP/1.0', 'NOOP \xe9\xff', `NOOP ${'x'.repeat(2100)}`, `EHLO ${'y'.repeat(2100)}`, 'CONNECT mx:25', 'HELO\t client.example.test']).map((text) => [line(text)]);
/** A bare LF as the line end (smtpd's smtp_get() accepts it). */
const bareLf = pick(['NOOP', 'EHLO client.example.test', 'RSET']).map((text) => [line(text, '\n')]);

/** A whole good transaction, so that what follows a delivered message is reached too. */
const transaction = fc
  .tuple(fc.constantFrom('<alice@example.test>', '<>'), fc.constantFrom(1, 2), fc.boolean(), pick(MESSAGES))
  .map(([sender, count, chunked, message]): Step[] => [
    line(`MAIL FROM:${sender}`),
    ...Array.from({ length: count }, (_, i) => line(`RCPT TO:<rcpt${i}@example.test>`)),
    ...(chunked ? [line(`BDAT 7 LAST${CRLF}hello\r\n`, '')] : [line('DATA'), { kind: 'content' as const, bytes: message }]),
  ]);

/** Lines a burst is made of, each one command: no over-long ones, so a burst stays well under smtpd's 4096-byte read (VSTREAM_BUFSIZE). */
const shortOdd = pick(['FOO', '', ' ', 'noop', 'MAIL', 'RCPT', 'DATA extra', 'NOOP \xe9\xff', 'CONNECT mx:25', 'HELO\t client.example.test']).map((text) => [line(text)]);
const burstLine: fc.Arbitrary<string[]> = fc
  .oneof(
    { arbitrary: hello, weight: 3 },
    { arbitrary: mail, weight: 3 },
    { arbitrary: rcpt, weight: 3 },
    { arbitrary: simple, weight: 3 },
    { arbitrary: auth, weight: 2 },
    { arbitrary: xclient, weight: 1 },
    { arbitrary: bdat, weight: 1 },
    { arbitrary: shortOdd, weight: 1 },
    { arbitrary: bareLf, weight: 1 },
  )
  .map((steps) => steps.map((step) => step.bytes));
/** The commands of RFC 2920's group: MAIL, RCPTs, then DATA last. */
const envelope = fc.tuple(fc.constantFrom('<alice@example.test>', '<>'), fc.constantFrom(1, 2)).map(([sender, count]) => [
  `MAIL FROM:${sender}${CRLF}`,
  ...Array.from({ length: count }, (_, i) => `RCPT TO:<rcpt${i}@example.test>${CRLF}`),
]);
/** How a burst ends: as it is; with DATA (its message the next step, after a 354); with DATA and the message in the same write; with BDAT LAST and its chunk. */
const burstEnd = fc.oneof(
  fc.constant<string[]>([]),
  fc.constant([`DATA${CRLF}`]),
  pick(MESSAGES).map((message) => [`DATA${CRLF}`, message]),
  fc.constant([`BDAT 7 LAST${CRLF}hello\r\n`]),
);
/** Lines a burst may end part-way into, the rest the next step: a command the next step completes. */
const PARTIAL_LINES = ['NOOP', 'RSET', 'EHLO client.example.test', 'MAIL FROM:<alice@example.test>', 'RCPT TO:<rcpt9@example.test>', 'QUIT'];
const partialLine = fc.option(
  fc.tuple(pick(PARTIAL_LINES), fc.nat()).map(([text, at]) => {
    const cut = 1 + (at % text.length);
    return [text.slice(0, cut), text.slice(cut)] as const;
  }),
);
/**
 * Several commands in one write (session.ts burst()): what smtpd's pipelining check sees is the
 * whole rest of the write (smtpd.c smtpd_flag_ill_pipelining(), v3.7.11). It fires before any
 * command while the protocol is not ESMTP (no EHLO yet, or after HELO, or after XCLIENT's
 * greeting) and before HELO, EHLO, DATA, NOOP and VRFY always (SMTPD_CMD_FLAG_LAST), with no
 * exception for an authenticated client; so the bursts mix those commands with the others, an
 * RFC 2920 envelope group, message data in the same write, and a partial line at the end.
 */
const pipelined: fc.Arbitrary<Step[]> = fc
  .tuple(fc.array(burstLine, { minLength: 1, maxLength: 4 }), fc.option(envelope), burstEnd, partialLine)
  .map(([lines, group, end, partial]) => [
    burst([...lines.flat(), ...(group ?? []), ...end], partial?.[0] ?? ''),
    ...(end.length === 1 && end[0] === `DATA${CRLF}` ? [{ kind: 'content' as const, bytes: MESSAGES[0]! }] : []),
    ...(partial ? [line(partial[1])] : []),
  ]);

const command: fc.Arbitrary<Step[]> = fc.oneof(
  { arbitrary: transaction, weight: 2 },
  { arbitrary: auth, weight: 2 },
  { arbitrary: hello, weight: 6 },
  { arbitrary: mail, weight: 8 },
  { arbitrary: rcpt, weight: 8 },
  { arbitrary: data, weight: 3 },
  { arbitrary: bdat, weight: 2 },
  { arbitrary: bdatOdd, weight: 1 },
  { arbitrary: xclient, weight: 4 },
  { arbitrary: xclientPartial, weight: 2 },
  { arbitrary: simple, weight: 4 },
  { arbitrary: odd, weight: 3 },
  { arbitrary: bareLf, weight: 1 },
);

/** A session: mostly starting with a good EHLO (so the envelope commands get past smtpd_helo_required), 1-12 commands. */
export const smtpSession: fc.Arbitrary<Step[]> = fc
  .tuple(fc.boolean(), fc.array(command, { minLength: 1, maxLength: 11 }))
  .map(([greet, commands]) => [...(greet ? [line('EHLO client.example.test')] : []), ...commands.flat()]);

/** A session with bursts: the lock-step commands and, as often, a burst; before and after EHLO, AUTH and whole transactions. */
export const pipelinedSession: fc.Arbitrary<Step[]> = fc
  .tuple(fc.boolean(), fc.array(fc.oneof({ arbitrary: command, weight: 1 }, { arbitrary: pipelined, weight: 1 }), { minLength: 1, maxLength: 6 }))
  .map(([greet, commands]) => [...(greet ? [line('EHLO client.example.test')] : []), ...commands.flat()]);
