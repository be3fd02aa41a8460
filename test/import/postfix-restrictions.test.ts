/* postfix-restrictions - smtpd's restriction lists and smtpd_sender_login_maps from main.cf and master.cf -o onto their keys
 *
 * import/postfix-restrictions.ts: each list evaluated as Postfix evaluates it ($names, postfix-expand.ts), then
 * read as smtpd_check.c reads it (models/postfix/restriction-config.ts).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importDeployment } from '../../import/index.ts';
import { deployment } from './import-files.ts';

const FIXTURES = join(import.meta.dirname, '../../import/fixtures');
const HAPROXY = 'frontend smtp\n  bind :587\n  default_backend postfix\nbackend postfix\n  server smtpd 10.0.0.2:10025\n';
const MASTER = (options = '') => `10025 inet n - n - - smtpd\n${options}`;
const stock = (main: string, options = '') => deployment({ 'haproxy.cfg': HAPROXY, 'main.cf': `mail_version = 3.7.11\n${main}`, 'master.cf': MASTER(options) });

describe("Mailu 2024.06's restrictions", () => {
  const result = importDeployment({ paths: [join(FIXTURES, 'mailu-2024.06')] });
  const unsupported = (name: string) => result.unsupported.find((entry) => entry.setting.name === name);

  it("the 10025 service's -o smtpd_client_restrictions: $check_ratelimit evaluated to check_sasl_access with Mailu's socketmap, which the lab cannot read", () => {
    const entry = unsupported('smtpd_client_restrictions');
    expect(entry?.setting.where.file).toMatch(/master\.cf$/);
    expect(entry?.reason).toContain('evaluated as Postfix does: check_sasl_access socketmap:unix:/tmp/podop.socket:senderrate,reject_unlisted_sender,reject_authenticated_sender_login_mismatch,permit');
    expect(entry?.reason).toContain('"socketmap:unix:/tmp/podop.socket:senderrate": the lab reads inline:{ key=value, ... } access tables only');
    expect(result.ignored.find((e) => e.setting.name === 'smtpd_client_restrictions')?.reason).toMatch(/overridden for this service by -o/);
  });

  it('smtpd_sender_login_maps (${podop}senderlogin) is unsupported; smtpd_delay_reject and smtpd_relay_restrictions are keys', () => {
    expect(unsupported('smtpd_sender_login_maps')?.reason).toContain('evaluated as Postfix does: socketmap:unix:/tmp/podop.socket:senderlogin');
    expect(result.scenario.get('postfix.smtpd_delay_reject')).toBe('yes');
    expect(result.mapped.find((e) => e.key === 'postfix.smtpd_relay_restrictions')?.value).toBe('permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination');
    expect(result.scenario.get('postfix.smtpd_client_restrictions')).toBe('');
  });
});

describe('a list the lab can run is its key, as evaluated', () => {
  it('an inline table through a $name, and the -o over main.cf', () => {
    const result = stock('ratelimit = check_sasl_access inline:{ {bob@example.test = REJECT not now} }\nsmtpd_sender_login_maps = inline:{ bob@example.test=bob@example.test }\n', '  -o smtpd_client_restrictions=$ratelimit,reject_authenticated_sender_login_mismatch,permit\n  -o smtpd_delay_reject=no\n');
    expect(result.scenario.get('postfix.smtpd_client_restrictions')).toBe('check_sasl_access inline:{ {bob@example.test = REJECT not now} },reject_authenticated_sender_login_mismatch,permit');
    expect(result.mapped.find((e) => e.key === 'postfix.smtpd_client_restrictions')?.note).toMatch(/^evaluated as Postfix does/);
    expect(result.scenario.get('postfix.smtpd_sender_login_maps')).toBe('inline:{ bob@example.test=bob@example.test }');
    expect(result.scenario.get('postfix.smtpd_delay_reject')).toBe('no');
    expect(result.unsupported.map((e) => e.setting.name)).not.toContain('smtpd_client_restrictions');
  });

  it('restrictions that need DNS, ones the lab does not model, and other tables are unsupported with the reason; the key keeps the layout\'s', () => {
    const result = stock('smtpd_helo_restrictions = reject_unknown_helo_hostname\nsmtpd_sender_restrictions = check_sender_access hash:/etc/postfix/senders\nsmtpd_recipient_restrictions = permit_mx_backup\n');
    const reason = (name: string) => result.unsupported.find((e) => e.setting.name === name)?.reason;
    expect(reason('smtpd_helo_restrictions')).toContain('reject_unknown_helo_hostname: the lab has no DNS and no policy service to answer this');
    expect(reason('smtpd_sender_restrictions')).toContain('"hash:/etc/postfix/senders": the lab reads inline:{ key=value, ... } access tables only');
    expect(reason('smtpd_recipient_restrictions')).toContain('permit_mx_backup: the lab has no DNS');
    expect(result.scenario.get('postfix.smtpd_helo_restrictions')).toBe('');
  });

  it('soft_bounce and a reply code are keys; an unstated smtpd_relay_restrictions is compared with the layout\'s, as before', () => {
    const result = stock('soft_bounce = yes\nreject_code = 550\n');
    expect(result.scenario.get('postfix.soft_bounce')).toBe('yes');
    expect(result.scenario.get('postfix.reject_code')).toBe(550);
    expect(result.unsupported.find((e) => e.setting.name === 'smtpd_relay_restrictions')?.reason).toMatch(/^the lab's is permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination: the input does not set it/);
  });
});

describe('smtpd_restriction_classes', () => {
  it('the names and each class\'s own parameter become the two keys; the lists that name a class are keys as usual', () => {
    const result = stock('smtpd_restriction_classes = from_freemail, Strict\nfrom_freemail = check_sender_access inline:{ {freemail.test = REJECT no freemail} }\nStrict = permit_sasl_authenticated, reject\nsmtpd_sender_restrictions = from_freemail, check_sender_access inline:{ x@example.test=Strict }\n');
    expect(result.scenario.get('postfix.smtpd_restriction_classes')).toBe('from_freemail, Strict');
    expect(result.scenario.get('postfix.restriction_class_definitions')).toBe('from_freemail = check_sender_access inline:{ {freemail.test = REJECT no freemail} }\nStrict = permit_sasl_authenticated, reject');
    expect(result.scenario.get('postfix.smtpd_sender_restrictions')).toBe('from_freemail, check_sender_access inline:{ x@example.test=Strict }');
    expect(result.mapped.find((e) => e.setting.name === 'Strict')?.note).toMatch(/a restriction class/);
    expect([...result.ignored, ...result.unsupported].map((e) => e.setting.name)).not.toContain('from_freemail');
  });

  it('a class the lab cannot run, or one with no definition, is unsupported, and so is a list that names it', () => {
    const result = stock('smtpd_restriction_classes = dnsbl, missing\ndnsbl = reject_rbl_client zen.example\nsmtpd_client_restrictions = dnsbl\nsmtpd_helo_restrictions = reject_non_fqdn_helo_hostname\n');
    const reason = (name: string) => result.unsupported.filter((e) => e.setting.name === name).map((e) => e.reason);
    expect(reason('dnsbl')).toEqual([expect.stringContaining('dnsbl: reject_rbl_client: the lab has no DNS')]);
    expect(reason('smtpd_restriction_classes')).toEqual([
      "restriction class `missing' needs a definition (smtpd_check_init(): Postfix does not start); the lab reads no classes",
      'the restriction classes dnsbl, missing cannot run in the lab; the lab reads none (postfix.smtpd_restriction_classes sets them)',
    ]);
    expect(reason('smtpd_client_restrictions')[0]).toContain('it names the restriction class dnsbl, which the lab cannot run');
    expect(result.scenario.get('postfix.smtpd_helo_restrictions')).toBe('reject_non_fqdn_helo_hostname');
    expect(result.scenario.get('postfix.smtpd_restriction_classes')).toBe('');
  });
});
