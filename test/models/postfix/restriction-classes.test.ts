/* restriction-classes - smtpd_restriction_classes: a named list usable as a restriction and as an access table value
 *
 * postfix/src/smtpd/smtpd_check.c smtpd_check_init() (each listed name's own parameter is its list; "restriction
 * class `x' needs a definition"), has_required() (into the classes) and generic_checks() (htable_find() by the
 * name as written, after every built-in name), v3.7.11, the same at v3.5.0 and v3.10.13. The sessions' replies and
 * lines were checked against the real 3.7.11 (test/conformance/real-stack/restrictions.test.ts, "restriction classes").
 */
import { describe, expect, it } from 'vitest';
import { labPreset, parsePostfixConfig } from '../../../models/postfix/config.js';
import { loadScenario } from '../../../scenarios/index.js';
import { postfixConfigOf } from '../../../scenarios/topology.js';
import { DELIVERING, lockstep, talk } from './talk.js';

const outside = ['EHLO c.example.test\r\n', 'XCLIENT ADDR=192.0.2.7 NAME=[UNAVAILABLE]\r\n', 'EHLO c.example.test\r\n'];
const cmd = (...lines: string[]) => lines.map((l) => `${l}\r\n`);
const parse = (settings: Record<string, string>) => parsePostfixConfig(settings, labPreset(DELIVERING));
const CLASSES = {
  smtpd_restriction_classes: 'from_freemail, Strict',
  from_freemail: 'check_sender_access inline:{ {freemail.test = REJECT no freemail} }',
  Strict: 'permit_sasl_authenticated, reject',
  smtpd_sender_restrictions: 'from_freemail, check_sender_access inline:{ {x@example.test = Strict}, {y@example.test = strict} }',
};

describe('a class at run time', () => {
  const rcptAfter = (sender: string) => {
    const conv = talk(parse(CLASSES), lockstep([...outside, ...cmd(`MAIL FROM:<${sender}>`, 'RCPT TO:<x@example.test>', 'QUIT')]));
    return { reply: conv.replies.at(-2), lines: conv.logLines.filter((l) => l.startsWith('NOQUEUE') || l.startsWith('warning:')) };
  };

  it('named in a list, its restrictions run in its place with the list\'s reply name and class', () => {
    expect(rcptAfter('a@freemail.test').reply).toBe('554 5.7.1 <a@freemail.test>: Sender address rejected: no freemail');
  });

  it('as an access table value, the class runs for the entry', () => {
    expect(rcptAfter('x@example.test').reply).toBe('554 5.7.1 <x@example.test>: Sender address rejected: Access denied');
  });

  it('looked up as written: "strict" is not "Strict", so it is an unknown restriction and 451 4.3.5', () => {
    const { reply, lines } = rcptAfter('y@example.test');
    expect(reply).toBe('451 4.3.5 Server configuration error');
    expect(lines[0]).toBe('warning: unknown smtpd restriction: "strict"');
  });

  it('a built-in name wins over a class of the same name (generic_checks() asks the classes last)', () => {
    const conv = talk(parse({ smtpd_restriction_classes: 'permit', permit: 'reject', smtpd_sender_restrictions: 'permit' }), lockstep([...outside, ...cmd('MAIL FROM:<a@example.test>', 'RCPT TO:<x@example.test>', 'QUIT')]));
    expect(conv.replies.at(-2)).toBe('250 2.1.5 Ok');
  });
});

describe('loading the classes (smtpd_check_init())', () => {
  it('a listed class with no definition, or an empty one, stops Postfix', () => {
    expect(() => parse({ smtpd_restriction_classes: 'missing' })).toThrow("smtpd_restriction_classes: restriction class `missing' needs a definition (smtpd_check_init(): Postfix does not start)");
    expect(() => parse({ smtpd_restriction_classes: 'empty', empty: ' ' })).toThrow("restriction class `empty' needs a definition");
  });

  it('a class holding the working reject satisfies has_required(); without the class Postfix does not start', () => {
    const guarded = parse({ smtpd_restriction_classes: 'guard', guard: 'reject_unauth_destination', smtpd_relay_restrictions: 'permit_mynetworks, guard' });
    expect(guarded.smtpd_restriction_classes).toEqual({ guard: ['reject_unauth_destination'] });
    expect(() => parse({ smtpd_restriction_classes: 'guard', guard: 'permit_auth_destination', smtpd_relay_restrictions: 'permit_mynetworks, guard' })).toThrow('specify at least one working instance of');
  });

  it("a class's list is read as the lists are (DNS restrictions refused), and a class that reaches itself is refused", () => {
    expect(() => parse({ smtpd_restriction_classes: 'dns', dns: 'reject_rbl_client zen.example' })).toThrow('dns: reject_rbl_client: the lab has no DNS');
    expect(() => parse({ smtpd_restriction_classes: 'a, b', a: 'b', b: 'reject_non_fqdn_sender a' })).toThrow("restriction class `a' reaches itself (a -> b -> a)");
  });
});

describe('the scenario keys', () => {
  const withClasses = (names: string, definitions: string) => postfixConfigOf(loadScenario({ scenario: 'lockstep', sets: [`postfix.smtpd_restriction_classes=${names}`, `postfix.restriction_class_definitions=${definitions}`] }));

  it('postfix.restriction_class_definitions holds one "name = restrictions" line per listed class', () => {
    expect(withClasses('a, b', 'a = reject_non_fqdn_sender\nb = check_sender_access inline:{ x.test=REJECT }, permit').smtpd_restriction_classes).toEqual({
      a: ['reject_non_fqdn_sender'],
      b: ['check_sender_access', 'inline:{ x.test=REJECT }', 'permit'],
    });
  });

  it('a listed class without a definition, and a definition not listed, are refused with what smtpd would do', () => {
    expect(() => withClasses('a', '')).toThrow("restriction class `a' needs a definition");
    expect(() => withClasses('', 'a = reject')).toThrow('postfix.restriction_class_definitions: a not listed in postfix.smtpd_restriction_classes: smtpd_check_init() reads only the listed classes, so a list that names it gets "unknown smtpd restriction" and 451 4.3.5');
    expect(() => withClasses('a', 'a reject')).toThrow('postfix.restriction_class_definitions: "a reject": need name = restrictions');
  });
});
