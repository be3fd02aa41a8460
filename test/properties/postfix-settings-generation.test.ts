/* postfix-settings-generation - generated traces draw Postfix's settings, a refusing milter and command probes, each where it belongs */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withProbes } from '../../properties/arbitraries/client-behaviour.ts';
import { labCase } from '../../properties/arbitraries/lab-case.ts';
import { isProbe, PROBES, REFUSING_KEYS } from '../../properties/arbitraries/postfix-settings.ts';
import type { ClientBehaviour } from '../../properties/lab-case.ts';
import { successPossible } from '../../properties/verdicts.ts';
import { loadScenario } from '../../scenarios/index.ts';

/** The scenario the cases would run on: successPossible() asks how its front writes the login and its Mailu release reads it. */
const MAILU = loadScenario({ scenario: 'mailu-2024.06' });
import type { ScenarioKey } from '../../scenarios/index.ts';
import { parseKeyText } from '../../scenarios/values.ts';

const probesOf = (c: { readonly client: ClientBehaviour }) =>
  c.client.groups.flatMap((group) => group.steps).flatMap((step) => (isProbe(step) && step.kind === 'line' ? [step.text] : []));
const drewAny = (c: { readonly overrides: object }, keys: readonly string[]) => keys.some((key) => key in c.overrides);

describe('Postfix settings and probes in generated cases', () => {
  const any = fc.sample(labCase({ faults: 'any' }), { seed: 13, numRuns: 1000 });
  const benign = fc.sample(labCase({ faults: 'benign' }), { seed: 13, numRuns: 1000 });

  it("faults 'any': a few cases draw limits and a refusing milter, each value one the keys accept, and none of them counts as a case that could succeed", () => {
    const refusing = any.filter((c) => drewAny(c, REFUSING_KEYS));
    expect(refusing.length).toBeGreaterThan(30);
    expect(refusing.length).toBeLessThan(150);
    for (const key of REFUSING_KEYS) expect(refusing.some((c) => key in c.overrides), key).toBe(true);
    for (const c of refusing) {
      for (const [key, value] of Object.entries(c.overrides)) expect(parseKeyText(key, String(value)), key).toEqual(value);
      expect(successPossible(c, MAILU)).toBe(false);
    }
  });

  it("faults 'any': the milter discards at connect or HELO (Postfix only warns there) but never later, quarantines at every stage, and reject_unlisted_recipient meets tables of some, all or none of the recipients", () => {
    /** The distinct values the cases drew for `key`. */
    const values = (key: ScenarioKey) => [...new Set(any.flatMap((c) => (key in c.overrides ? [String(c.overrides[key])] : [])))];
    for (const key of ['postfix.milter_connect_reply', 'postfix.milter_helo_reply'] as const) expect(values(key), key).toEqual(expect.arrayContaining(['discard', 'quarantine']));
    for (const key of ['postfix.milter_mail_reply', 'postfix.milter_rcpt_reply', 'postfix.milter_end_of_message_reply'] as const) {
      expect(values(key), key).toContain('quarantine');
      expect(values(key), key).not.toContain('discard');
    }
    const tables = values('postfix.virtual_mailbox_maps');
    expect(tables).toContain('');
    expect(tables.some((table) => table.includes('rcpt0-0@example.test=ok'))).toBe(true);
    expect(values('postfix.smtpd_reject_unlisted_recipient')).toEqual(['yes']);
  });

  it("faults 'benign': only helo_required, disable_vrfy_command and probes; a correct client with probes can still succeed", () => {
    expect(benign.filter((c) => drewAny(c, REFUSING_KEYS))).toEqual([]);
    const drawn = benign.filter((c) => drewAny(c, ['postfix.smtpd_helo_required', 'postfix.disable_vrfy_command']) || probesOf(c).length > 0);
    expect(drawn.length).toBeGreaterThan(50);
    expect(drawn.length).toBeLessThan(150);
    expect(new Set(drawn.flatMap(probesOf))).toEqual(new Set(PROBES));
    expect(drawn.some((c) => probesOf(c).length > 0 && successPossible(c, MAILU))).toBe(true);
  });

  it('most cases draw nothing, so shrinking lands on Mailu\'s settings', () => {
    const keys: readonly ScenarioKey[] = [...REFUSING_KEYS, 'postfix.smtpd_helo_required', 'postfix.disable_vrfy_command'];
    expect(benign.filter((c) => !drewAny(c, keys) && probesOf(c).length === 0).length).toBeGreaterThan(850);
  });
});

describe('withProbes', () => {
  const ehlo = { steps: [{ kind: 'ehlo', domain: 'lab' }], writes: 'one' } as const;
  const auth = { kind: 'auth', mechanism: 'PLAIN', user: 'alice@example.test', password: 'secret', initialResponse: true } as const;
  const quit = { steps: [{ kind: 'quit' }], writes: 'one' } as const;
  const client = (groups: ClientBehaviour['groups']): ClientBehaviour => ({ user: 'alice@example.test', password: 'secret', helo: 'lab', waitForGreeting: true, thinkTimeUs: 150, groups });
  const texts = (c: ClientBehaviour) => c.groups.map((group) => group.steps.map((step) => (step.kind === 'line' ? step.text : step.kind)).join('+'));

  it('sends each probe in its own write right after the AUTH group', () => {
    expect(texts(withProbes(client([ehlo, { steps: [auth], writes: 'one' }, quit]), ['HELP', 'RSET']))).toEqual(['ehlo', 'auth', 'HELP', 'RSET', 'quit']);
  });

  it('after the first message when the AUTH group carries its MAIL, RCPT and DATA', () => {
    const message = { steps: [{ kind: 'message', content: 'x\r\n' }], writes: 'one' } as const;
    const carried = client([ehlo, { steps: [auth, { kind: 'mail', from: 'a@x' }, { kind: 'rcpt', to: 'b@x' }, { kind: 'data' }], writes: 'one' }, message, quit]);
    expect(texts(withProbes(carried, ['HELP']))).toEqual(['ehlo', 'auth+mail+rcpt+data', 'message', 'HELP', 'quit']);
  });
});
