/* client-behaviour - fast-check builder of what a generated client does
 *
 * Legal and illegal clients on purpose: the credentials are of any length and alphabet
 * (UTF-8, long enough to make Dovecot split XCLIENT above 512 bytes), passwords are
 * sometimes wrong, transactions come lock-step or pipelined (RFC 2920 legal: MAIL, RCPT,
 * DATA in one group) or illegally grouped (AUTH or EHLO not last in its group), and some
 * clients try their own XCLIENT after login (property 5 checks it changes nothing).
 * Shrinking goes towards swaks' default dialogue: alice/secret, PLAIN, one small message.
 */
import fc from 'fast-check';
import type { ClientGroup, ClientStep } from '../../models/client/index.ts';
import type { ClientBehaviour } from '../lab-case.ts';

export const CORRECT_PASSWORD = 'secret';
export const DEFAULT_USER = 'alice@example.test';
/**
 * RFC 5321 §4.1.2 Mailbox = Dot-string "@" Domain, with atext from RFC 5322 §3.2.3 (the lab's domain
 * only), not starting with '-': Postfix refuses that at resolve (allow_min_user = no, models/postfix/resolve-addr.ts).
 */
const DOT_ATOM_MAILBOX = /^(?!-)[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@example\.test$/;

/**
 * The envelope sender of a client logged in as `login`: the login when it is an RFC 5321 Mailbox
 * with a dot-atom local part, else alice. A UTF-8 address would need SMTPUTF8, and a login such
 * as '"_@example.test' (an unclosed quote) is no address at all: a correct client sends neither
 * as MAIL FROM, and Postfix rightly refuses the second (smtpd.c v3.7.11 mail_cmd(), 501 5.1.7), as it
 * refuses '-x@example.test' (trivial-rewrite resolve_addr(), allow_min_user = no).
 */
export function envelopeSenderFor(login: string): string {
  return DOT_ATOM_MAILBOX.test(login) ? login : DEFAULT_USER;
}

/** The identity a client tries to take with its own XCLIENT after login. */
export const IMPOSTOR = 'mallory@example.test';

/** A local part of 1 to 40 units, '@' and blanks made '_'. */
function localPart(unit: 'grapheme' | fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.string({ unit, minLength: 1, maxLength: 40 }).map((local) => `${local.replace(/[@\s]/g, '_')}@example.test`);
}

/**
 * Printable ASCII and 0x80-0xff: the logins Mailu's answer can echo (gunicorn 22.0.0 sends a
 * header value of [ \t\x21-\x7e\x80-\xff] only, verdicts.ts mailuAnswer), UTF-8 of two bytes
 * above 0x7f. Any Unicode grapheme, which Mailu mostly cannot serve, is drawn less often.
 */
const latin1Unit = fc.integer({ min: 0x21, max: 0xff }).filter((code) => code !== 0x7f).map((code) => String.fromCharCode(code));

const user = fc.oneof(
  { weight: 6, arbitrary: fc.constant(DEFAULT_USER) },
  { weight: 2, arbitrary: localPart(latin1Unit) },
  { weight: 1, arbitrary: localPart('grapheme') },
  // Either side of Postfix's 255-byte XCLIENT value limit, and past 512 bytes of XCLIENT line (Dovecot splits it).
  { weight: 1, arbitrary: fc.integer({ min: 200, max: 700 }).map((length) => `${'u'.repeat(length)}@example.test`) },
);

const password = fc.oneof(
  { weight: 8, arbitrary: fc.constant(CORRECT_PASSWORD) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 0, maxLength: 64 }).filter((p) => p !== CORRECT_PASSWORD) },
);

/** Message bodies with lines that need dot-stuffing, of any size up to 20 kB. */
const content = fc
  .record({
    lines: fc.array(fc.oneof(fc.constant('.'), fc.constant('..leading dots'), fc.string({ unit: 'grapheme-ascii', maxLength: 80 })), { maxLength: 8 }),
    padding: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 20_000 }) }),
  })
  .map(({ lines, padding }) => ['Subject: lab', '', ...lines.map((line) => line.replace(/[\r\n]/g, ' ')), 'x'.repeat(padding), ''].join('\r\n'));

interface Transaction {
  readonly recipients: number;
  readonly content: string;
  readonly pipelined: boolean;
  readonly before: 'none' | 'rset' | 'noop';
}

/** Up to this many transactions per client, each to up to this many recipients. */
const MAX_TRANSACTIONS = 3;
const MAX_RECIPIENTS = 3;

/** The `n`-th recipient of the client's `transaction`-th transaction. */
function recipientOf(transaction: number, n: number): string {
  return `rcpt${transaction}-${n}@example.test`;
}

/** Every recipient a generated client can write to. */
export const GENERATED_RECIPIENTS: readonly string[] = Array.from({ length: MAX_TRANSACTIONS * MAX_RECIPIENTS }, (_, i) => recipientOf(Math.floor(i / MAX_RECIPIENTS), i % MAX_RECIPIENTS));

const transaction = fc.record({
  recipients: fc.integer({ min: 1, max: MAX_RECIPIENTS }),
  content,
  pipelined: fc.boolean(),
  before: fc.constantFrom<Transaction['before']>('none', 'rset', 'noop'),
});

/** How the login part is grouped: lock-step, or one of the illegal groupings a sloppy client uses. */
type LoginGrouping = 'lockstep' | 'ehlo-with-auth' | 'auth-with-mail';

const writes = fc.constantFrom<ClientGroup['writes']>('one', 'separate');

function transactionGroups(from: string, t: Transaction, index: number, write: ClientGroup['writes']): ClientGroup[] {
  const envelope: ClientStep[] = [
    { kind: 'mail', from },
    ...Array.from({ length: t.recipients }, (_, r): ClientStep => ({ kind: 'rcpt', to: recipientOf(index, r) })),
    { kind: 'data' },
  ];
  const lead: ClientGroup[] = t.before === 'none' ? [] : [{ steps: [{ kind: t.before }], writes: 'one' }];
  const body: ClientGroup = { steps: [{ kind: 'message', content: t.content }], writes: 'one' };
  return t.pipelined
    ? [...lead, { steps: envelope, writes: write }, body]
    : [...lead, ...envelope.map((step): ClientGroup => ({ steps: [step], writes: 'one' })), body];
}

export function clientBehaviour(): fc.Arbitrary<ClientBehaviour> {
  return fc
    .record({
      user,
      password,
      helo: fc.constantFrom('client.example.test', 'laptop', '[203.0.113.25]'),
      mechanism: fc.constantFrom<'PLAIN' | 'LOGIN'>('PLAIN', 'LOGIN'),
      initialResponse: fc.boolean(),
      grouping: fc.oneof(
        { weight: 8, arbitrary: fc.constant<LoginGrouping>('lockstep') },
        { weight: 1, arbitrary: fc.constantFrom<LoginGrouping>('ehlo-with-auth', 'auth-with-mail') },
      ),
      waitForGreeting: fc.oneof({ weight: 19, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
      ownXclient: fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      transactions: fc.array(transaction, { minLength: 1, maxLength: MAX_TRANSACTIONS }),
      write: writes,
      quit: fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
      thinkTimeUs: fc.oneof({ weight: 3, arbitrary: fc.constant(150) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 50_000 }) }),
    })
    .map((c): ClientBehaviour => {
      const ehlo: ClientStep = { kind: 'ehlo', domain: c.helo };
      const auth: ClientStep = { kind: 'auth', mechanism: c.mechanism, user: c.user, password: c.password, initialResponse: c.initialResponse };
      const from = envelopeSenderFor(c.user);
      const txGroups = c.transactions.flatMap((t, i) => transactionGroups(from, t, i, c.write));
      let login: ClientGroup[];
      if (c.grouping === 'ehlo-with-auth') login = [{ steps: [ehlo, auth], writes: c.write }];
      else if (c.grouping === 'auth-with-mail') {
        // AUTH must end its group (RFC 4954 §4): here MAIL rides behind it.
        const [first, ...rest] = txGroups;
        login = [{ steps: [ehlo], writes: 'one' }, { steps: [auth, ...(first?.steps ?? [])], writes: c.write }];
        txGroups.splice(0, txGroups.length, ...rest);
      } else login = [{ steps: [ehlo], writes: 'one' }, { steps: [auth], writes: 'one' }];
      // Followed by EHLO: a successful XCLIENT resets the session to the greeting stage.
      const xclient: ClientGroup[] = c.ownXclient
        ? [{ steps: [{ kind: 'line', text: `XCLIENT LOGIN=${IMPOSTOR}` }], writes: 'one' }, { steps: [ehlo], writes: 'one' }]
        : [];
      const quit: ClientGroup[] = c.quit ? [{ steps: [{ kind: 'quit' }], writes: 'one' }] : [];
      return {
        user: c.user,
        password: c.password,
        helo: c.helo,
        waitForGreeting: c.waitForGreeting,
        thinkTimeUs: c.thinkTimeUs,
        groups: [...login, ...xclient, ...txGroups, ...quit],
      };
    });
}

/**
 * The client with `probes` (postfix-settings.ts) sent one by one right after its login, where the
 * front relays them to Postfix: after the AUTH group, or after the first message when the AUTH
 * group carries that transaction's MAIL, RCPT and DATA (a probe there would be message text).
 */
export function withProbes(client: ClientBehaviour, probes: readonly string[]): ClientBehaviour {
  if (probes.length === 0) return client;
  const authAt = client.groups.findIndex((group) => group.steps.some((step) => step.kind === 'auth'));
  const carriesData = client.groups[authAt]?.steps.some((step) => step.kind === 'data') ?? false;
  const at = authAt + (carriesData ? 2 : 1);
  const probeGroups = probes.map((text): ClientGroup => ({ steps: [{ kind: 'line', text }], writes: 'one' }));
  return { ...client, groups: [...client.groups.slice(0, at), ...probeGroups, ...client.groups.slice(at)] };
}

/** The client's own XCLIENT after login (an identity change, not a probe). */
export function isOwnXclient(step: ClientStep): boolean {
  return step.kind === 'line' && step.text.startsWith('XCLIENT');
}
