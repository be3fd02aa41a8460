/* postfix-defaults - what an imported Postfix's files do not state, it runs with Postfix's default at the release
 *
 * The keys whose default is the lab's preset (Mailu's 10025 service) are set to Postfix's own
 * default (mail_params.h DEF_* at v3.9.0) when neither main.cf nor the service's -o states them;
 * a stated value, main.cf's or -o's, still wins; without master.cf the default is assumed, and
 * without Postfix files the lab's preset is. The scenarios run as that smtpd would.
 */
import { describe, expect, it } from 'vitest';
import type { ImportResult } from '../../import/index.ts';
import { DOMAIN_CLASS_NAMES } from '../../import/postfix-address-classes.ts';
import { PRESET_KEYED_PARAMETERS } from '../../import/postfix-map.ts';
import { postfixDefaults, versionDefaults } from '../../models/postfix/config.ts';
import { loadScenario, SCENARIO_KEYS, type ScenarioKey } from '../../scenarios/index.ts';
import { runScenario } from '../../scenarios/run.ts';
import { deployment, scenarioFile } from './import-files.ts';

/** HAProxy relays the client's bytes to smtpd untouched: the client sees Postfix's own replies. */
const HAPROXY = 'frontend smtp\n  bind :587\n  default_backend postfix\nbackend postfix\n  server smtpd 10.0.0.2:10025\n';
/** A stock master.cf's smtp service and a 10025 service without -o. */
const MASTER = 'smtp inet n - n - - smtpd\n10025 inet n - n - - smtpd\n';
// virtual_mailbox_domains stated: its default, $virtual_mailbox_maps, would find no domain in this table, and a recipient there would be a relay.
const MAIN = 'mail_version = 3.9.0\nvirtual_mailbox_domains = example.test\nvirtual_mailbox_maps = inline:{ alice@example.test=1 }\n';
const PRESET_KEYS = Object.keys(PRESET_KEYED_PARAMETERS).map((name) => `postfix.${name}` as ScenarioKey);

const stock = (files: Record<string, string> = {}) => deployment({ 'haproxy.cfg': HAPROXY, 'main.cf': MAIN, 'master.cf': MASTER, ...files });
const valuesOf = (result: ImportResult) => Object.fromEntries(PRESET_KEYS.map((key) => [key, String(result.scenario.get(key))]));
const play = (result: ImportResult, script: readonly string[]) => runScenario(loadScenario({ scenario: scenarioFile(result), sets: [`client.script=${script.join('; ')}`] }), { seed: 1 }).client.replies;

describe("a main.cf that states none of them: Postfix's defaults at the release", () => {
  const result = stock();

  it("each preset-keyed key is Postfix's default (mail_params.h), mapped at the service's master.cf line with its macro", () => {
    expect(valuesOf(result)).toEqual({
      'postfix.smtpd_sasl_auth_enable': 'no',
      'postfix.smtpd_helo_required': 'no',
      'postfix.smtpd_reject_unlisted_recipient': 'yes',
      'postfix.recipient_delimiter': '',
      'postfix.smtpd_discard_ehlo_keywords': '',
      'postfix.message_size_limit': '10240000',
      'postfix.smtpd_authorized_xclient_hosts': '',
      'postfix.virtual_transport': 'virtual',
      'postfix.relay_transport': 'relay',
      'postfix.default_transport': 'smtp',
      'postfix.inet_interfaces': 'all',
    });
    for (const key of PRESET_KEYS) {
      const entry = result.mapped.find((e) => e.key === key);
      expect(`${entry?.setting.where.file.split('/').at(-1)}:${entry?.setting.where.line}`, key).toBe('master.cf:2');
      expect(entry?.note, key).toContain(`mail_params.h ${PRESET_KEYED_PARAMETERS[key.slice(8)]}`);
    }
  });

  it("a layout's preset (Mailu's or the recorded stack's) differs from Postfix's default in every one of them (else the key would need no rule)", () => {
    const layouts = ['mailu-2024.06', 'real-stack'].map((scenario) => loadScenario({ scenario }));
    expect(PRESET_KEYS.filter((key) => layouts.every((layout) => String(layout.get(key)) === valuesOf(result)[key]))).toEqual([]);
  });

  it('every key whose default is not Postfix\'s own for its parameter is in the rule', () => {
    const text = (value: unknown) => (Array.isArray(value) ? value.join(', ') : typeof value === 'boolean' ? (value ? 'yes' : 'no') : String(value));
    const layouts = ['mailu-2024.06', 'real-stack'].map((scenario) => loadScenario({ scenario }));
    // Each layout against Postfix's defaults at its own release (3.7.11's milter_default_action is tempfail, 3.9's shutdown).
    const differs = (layout: (typeof layouts)[number], name: string) => String(layout.get(name as ScenarioKey)) !== text((postfixDefaults(String(layout.get('postfix.mail_version'))) as unknown as Record<string, unknown>)[name.slice(8)]);
    const presetDefaulted = SCENARIO_KEYS.filter((spec) => spec.name.startsWith('postfix.') && spec.name.slice(8) in postfixDefaults('3.9') && typeof spec.default === 'function' && layouts.some((layout) => differs(layout, spec.name)));
    // The address classes' defaults are evaluated from what main.cf states ($myhostname, compatibility_level: address-classes.test.ts);
    // local_recipient_maps' is the host's passwd table, which no input holds: listed as assumed (postfix-map.ts unstatedLocalTable()).
    const evaluated = [...DOMAIN_CLASS_NAMES, 'mynetworks', 'myorigin'].map((name) => `postfix.${name}`);
    // smtpd_forbid_unauth_pipelining, bare newline and milter_default_action: a release's defaults (versionDefaults()), read from mail_version.
    // smtpd_relay_restrictions: unstated, compared with the layout's list as a fixed parameter is (postfix-map.ts UNSTATED_COMPARED).
    const outsideTheRule = ['postfix.local_recipient_maps', 'postfix.smtpd_relay_restrictions', ...Object.keys(versionDefaults('3.9')).map((name) => `postfix.${name}`)];
    expect(presetDefaulted.map((spec) => spec.name).filter((key) => !PRESET_KEYS.includes(key) && !evaluated.includes(key) && !outsideTheRule.includes(key))).toEqual([]);
    expect(presetDefaulted.map((spec) => spec.name).filter((key) => evaluated.includes(key)).sort()).toEqual(['postfix.mydestination', 'postfix.mynetworks', 'postfix.myorigin', 'postfix.virtual_alias_domains', 'postfix.virtual_mailbox_domains']);
  });

  it('its smtpd advertises PIPELINING and SIZE 10240000, serves MAIL before EHLO and refuses an unlisted recipient', () => {
    const replies = play(result, ['MAIL FROM:<a@example.test>', 'RSET', 'EHLO lab', 'MAIL FROM:<a@example.test>', 'RCPT TO:<bob@example.test>', 'RCPT TO:<alice+x@example.test>', 'QUIT']);
    expect(replies[1]).toBe('250 2.1.0 Ok');
    expect(replies[3]).toMatch(/\n250-PIPELINING\n250-SIZE 10240000\n/);
    expect(replies[3]).not.toMatch(/AUTH|XCLIENT/);
    expect(replies[5]).toBe('550 5.1.1 <bob@example.test>: Recipient address rejected: User unknown in virtual mailbox table');
    // recipient_delimiter is empty: alice+x is not alice's extension.
    expect(replies[6]).toBe('550 5.1.1 <alice+x@example.test>: Recipient address rejected: User unknown in virtual mailbox table');
  });

  it("a parameter no key sets is unsupported where Postfix's default behaves otherwise than the lab's, and not listed where it behaves the same", () => {
    // mydestination and relay_domains (compatibility_level 0: $mydestination) are the address classes' (address-classes.test.ts);
    // myorigin's default, $myhostname, is the machine's name, which main.cf does not state.
    expect(result.unsupported.filter((entry) => /\/(main|master)\.cf$/.test(entry.setting.where.file)).map((entry) => entry.setting.name)).toEqual(['myorigin', 'smtpd_relay_restrictions', 'mydestination', 'relay_domains']);
    expect(result.unsupported.find((entry) => entry.setting.name === 'smtpd_relay_restrictions')!.reason).toMatch(/^the lab's is permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination: the input does not set it/);
    const stated = stock({ 'main.cf': `${MAIN}smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination\n` });
    expect(stated.unsupported.filter((entry) => entry.setting.name === 'smtpd_relay_restrictions')).toEqual([]);
    // and virtual_alias_domains, an address class whose default the key keeps as $virtual_alias_maps (postfix-address-classes.ts)
    expect(stated.mapped.filter((entry) => entry.key?.startsWith('postfix.') && entry.setting.value.startsWith('(not set')).map((entry) => entry.setting.name).sort()).toEqual([...Object.keys(PRESET_KEYED_PARAMETERS), 'virtual_alias_domains'].sort());
  });
});

describe('a stated value wins', () => {
  it("main.cf's", () => {
    const result = stock({ 'main.cf': `${MAIN}smtpd_discard_ehlo_keywords = pipelining\nsmtpd_helo_required = yes\nmessage_size_limit = 0\nrecipient_delimiter = +\n` });
    expect(valuesOf(result)).toMatchObject({ 'postfix.smtpd_discard_ehlo_keywords': 'pipelining', 'postfix.smtpd_helo_required': 'yes', 'postfix.message_size_limit': '0', 'postfix.recipient_delimiter': '+' });
    const replies = play(result, ['MAIL FROM:<a@example.test>', 'EHLO lab', 'MAIL FROM:<a@example.test>', 'RCPT TO:<alice+x@example.test>', 'QUIT']);
    expect(replies[1]).toBe('503 5.5.1 Error: send HELO/EHLO first');
    expect(replies[2]).not.toMatch(/PIPELINING/);
    expect(replies[2]).toMatch(/\n250-SIZE\n/);
    expect(replies[4]).toBe('250 2.1.5 Ok');
  });

  it("the service's -o, over main.cf's", () => {
    const result = stock({
      'main.cf': `${MAIN}smtpd_reject_unlisted_recipient = yes\n`,
      'master.cf': `${MASTER}  -o smtpd_reject_unlisted_recipient=no\n  -o smtpd_discard_ehlo_keywords=pipelining,silent-discard\n  -o smtpd_sasl_auth_enable=yes\n`,
    });
    expect(valuesOf(result)).toMatchObject({ 'postfix.smtpd_reject_unlisted_recipient': 'no', 'postfix.smtpd_discard_ehlo_keywords': 'pipelining, silent-discard', 'postfix.smtpd_sasl_auth_enable': 'yes' });
    expect(result.mapped.find((e) => e.key === 'postfix.smtpd_reject_unlisted_recipient')?.setting.where.line).toBe(3);
    expect(result.ignored.find((e) => e.setting.name === 'smtpd_reject_unlisted_recipient')?.reason).toMatch(/overridden for this service by -o/);
  });
});

describe('what the input does not hold', () => {
  it("no master.cf: main.cf's settings with Postfix's defaults, each listed as assumed with its macro", () => {
    const result = deployment({ 'haproxy.cfg': HAPROXY, 'main.cf': MAIN });
    expect(valuesOf(result)['postfix.smtpd_discard_ehlo_keywords']).toBe('');
    for (const key of PRESET_KEYS) {
      expect(result.mapped.find((e) => e.key === key), key).toBeUndefined();
      expect(result.assumed.find((e) => e.key === key)?.reason, key).toMatch(new RegExp(`^no master\\.cf in the input: .*mail_params\\.h ${PRESET_KEYED_PARAMETERS[key.slice(8)]}`));
    }
  });

  it("no Postfix files: the lab's preset, listed as assumed (but the layout's XCLIENT hosts, the lab's either way)", () => {
    const result = deployment({ 'haproxy.cfg': HAPROXY });
    const mailu = loadScenario({ scenario: 'mailu-2024.06' });
    expect(result.assumed.find((e) => e.key === 'postfix.smtpd_authorized_xclient_hosts')).toBeUndefined();
    for (const key of PRESET_KEYS.filter((k) => k !== 'postfix.smtpd_authorized_xclient_hosts')) {
      const entry = result.assumed.find((e) => e.key === key);
      expect(entry?.reason, key).toBe("no Postfix configuration in the input: the lab's");
      expect(entry?.value, key).toBe(String(mailu.get(key)));
    }
  });
});
