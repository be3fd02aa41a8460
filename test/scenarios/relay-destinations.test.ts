/* relay-destinations - postfix.relay_domains, .mydestination, .virtual_mailbox_domains and .mynetworks decide whether an unauthenticated RCPT is relaying
 *
 * smtpd_check.c (v3.7.11): reject_unauth_destination() refuses "<rcpt>: Relay access denied" unless
 * permit_auth_destination() finds the recipient's domain an authorized destination: the final classes
 * (mydestination, virtual_mailbox_domains: RESOLVE_CLASS_FINAL) or relay_domains (RESOLVE_CLASS_RELAY,
 * trivial-rewrite resolve.c resolve_addr()); permit_mynetworks before it lets a client in mynetworks
 * relay anywhere. relay_domains is a domain_list whose parameter is in parent_domain_matches_subdomains
 * (mail_params.h DEF_PAR_DOM_MATCH), so it takes the names below a domain; mydestination and
 * virtual_mailbox_domains are string lists, the whole name only. The client does not log in: HAProxy
 * hands smtpd the client's address (203.0.113.25, outside every layout list) in its PROXY header.
 */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../scenarios/index.ts';
import { runScenario } from '../../scenarios/run.ts';

const RECIPIENTS = ['x@elsewhere.test', 'x@sub.elsewhere.test', 'bob@example.test'];

/** The RCPT replies, one per recipient, of a client that does not log in. */
function rcptReplies(sets: readonly string[]) {
  const script = ['EHLO lab', 'MAIL FROM:<a@example.test>', ...RECIPIENTS.map((to) => `RCPT TO:<${to}>`), 'QUIT'];
  const report = runScenario(loadScenario({ scenario: 'haproxy-proxy-protocol', sets: [`client.script=${script.join('; ')}`, ...sets] }), { seed: 1 });
  return { report, replies: report.client.replies.slice(3, 3 + RECIPIENTS.length) };
}

const ok = '250 2.1.5 Ok';
const denied = (to: string) => `554 5.7.1 <${to}>: Relay access denied`;

describe('the address classes decide what an unauthenticated client may send to (smtpd_check.c reject_unauth_destination(), v3.7.11)', () => {
  it("the layout's lists: only the virtual mailbox domain example.test is a destination; the others are relaying, logged as NOQUEUE rejects", () => {
    const { replies, report } = rcptReplies([]);
    expect(replies).toEqual([denied('x@elsewhere.test'), denied('x@sub.elsewhere.test'), ok]);
    expect(report.postfix.log).toContain('postfix/smtpd: NOQUEUE: reject: RCPT from unknown[203.0.113.25]: 554 5.7.1 <x@elsewhere.test>: Relay access denied; from=<a@example.test> to=<x@elsewhere.test> proto=ESMTP helo=<lab>');
  });

  it('postfix.relay_domains makes a domain and the names below it destinations (parent style); a negation before it keeps a name out', () => {
    expect(rcptReplies(['postfix.relay_domains=elsewhere.test']).replies).toEqual([ok, ok, ok]);
    expect(rcptReplies(['postfix.relay_domains=!sub.elsewhere.test, elsewhere.test']).replies).toEqual([ok, denied('x@sub.elsewhere.test'), ok]);
  });

  it('postfix.mydestination makes the domain itself a destination, not the names below it', () => {
    // Mailu's 10025 -o smtpd_reject_unlisted_recipient=no: the local class's own table (local_recipient_maps) is not modelled.
    expect(rcptReplies(['postfix.mydestination=elsewhere.test', 'postfix.smtpd_reject_unlisted_recipient=no']).replies).toEqual([ok, denied('x@sub.elsewhere.test'), ok]);
  });

  it('postfix.virtual_mailbox_domains replaces the layout\'s: example.test left out is relaying', () => {
    expect(rcptReplies(['postfix.virtual_mailbox_domains=elsewhere.test']).replies).toEqual([ok, denied('x@sub.elsewhere.test'), denied('bob@example.test')]);
    expect(rcptReplies(['postfix.virtual_mailbox_domains=']).replies).toEqual([denied('x@elsewhere.test'), denied('x@sub.elsewhere.test'), denied('bob@example.test')]);
  });

  it('postfix.mynetworks holding the client lets it relay anywhere (permit_mynetworks)', () => {
    expect(rcptReplies(['postfix.mynetworks=127.0.0.1/32, 203.0.113.0/24']).replies).toEqual([ok, ok, ok]);
  });

  it("a malformed network in postfix.mynetworks is Postfix's list error, not a refusal of the key: logged with the list's name, each RCPT deferred (permit_mynetworks(), reject_dict_retry())", () => {
    const { replies, report } = rcptReplies(['postfix.mynetworks=10.0.0.0/33, 203.0.113.0/24']);
    expect(replies).toEqual(RECIPIENTS.map((to) => `451 4.3.0 <${to}>: Temporary lookup failure`));
    expect(report.postfix.log).toContain('postfix/smtpd: warning: mynetworks: bad mask length in "10.0.0.0/33"');
  });
});
