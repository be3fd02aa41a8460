/* postfix-settings - each postfix.* key reaches the model Postfix under its main.cf name, and its default is the layout's */
import { describe, expect, it } from 'vitest';
import { labPreset, mailuPreset, type PostfixConfig } from '../../models/postfix/config.ts';
import { loadScenario } from '../../scenarios/index.ts';
import type { ScenarioKey } from '../../scenarios/keys.ts';
import { postfixConfigOf } from '../../scenarios/topology.ts';

/** key = value as --set gives it, and the PostfixConfig field and value it must become. */
const MAPPED: readonly (readonly [ScenarioKey, string, keyof PostfixConfig, unknown])[] = [
  ['postfix.smtpd_authorized_xclient_hosts', '10.0.0.0/8, 192.168.1.7', 'smtpd_authorized_xclient_hosts', ['10.0.0.0/8', '192.168.1.7']],
  ['postfix.smtpd_authorized_xclient_hosts', '', 'smtpd_authorized_xclient_hosts', []],
  ['postfix.mynetworks', '127.0.0.0/8 [::1]/128, !10.1.0.0/16 10.0.0.0/8', 'mynetworks', ['127.0.0.0/8', '[::1]/128', '!10.1.0.0/16', '10.0.0.0/8']],
  ['postfix.mynetworks', '', 'mynetworks', []],
  ['postfix.mydestination', 'mail.example.test, localhost', 'mydestination', ['mail.example.test', 'localhost']],
  ['postfix.virtual_mailbox_domains', 'example.test example.org', 'virtual_mailbox_domains', ['example.test', 'example.org']],
  ['postfix.virtual_mailbox_domains', '', 'virtual_mailbox_domains', []],
  ['postfix.relay_domains', 'relay.example.test', 'relay_domains', ['relay.example.test']],
  ['postfix.smtpd_helo_required', 'no', 'smtpd_helo_required', false],
  ['postfix.smtpd_soft_error_limit', '3', 'smtpd_soft_error_limit', 3],
  ['postfix.smtpd_hard_error_limit', '5', 'smtpd_hard_error_limit', 5],
  ['postfix.smtpd_error_sleep_time', '0', 'smtpd_error_sleep_time', 0],
  ['postfix.smtpd_junk_command_limit', '2', 'smtpd_junk_command_limit', 2],
  ['postfix.line_length_limit', '512', 'line_length_limit', 512],
  ['postfix.smtpd_client_connection_count_limit', '0', 'smtpd_client_connection_count_limit', 0],
];

describe('postfix.* settings', () => {
  it.each(MAPPED)('%s=%j sets %s', (key, value, field, expected) => {
    expect(postfixConfigOf(loadScenario({ scenario: 'mailu-2024.06', sets: [`${key}=${value}`] }))[field]).toEqual(expected);
  });

  it("left unset, each is the layout's preset value: Mailu's main.cf and master.cf, or the recorded stack's postconf -n", () => {
    const fields = [...new Set(MAPPED.map(([, , field]) => field))];
    const pick = (config: PostfixConfig) => Object.fromEntries(fields.map((field) => [field, config[field]]));
    expect(pick(postfixConfigOf(loadScenario({ scenario: 'mailu-2024.06' })))).toEqual(pick(mailuPreset({ mail_version: '3.9' })));
    expect(pick(postfixConfigOf(loadScenario({ scenario: 'real-stack' })))).toEqual(pick(labPreset()));
    expect(loadScenario({ scenario: 'mailu-2024.06' }).get('postfix.smtpd_authorized_xclient_hosts')).toBe('192.168.203.0/24');
    expect(loadScenario({ scenario: 'real-stack' }).get('postfix.smtpd_authorized_xclient_hosts')).toBe('127.0.0.0/8');
    const classes = (scenario: string) => ['mynetworks', 'mydestination', 'virtual_mailbox_domains', 'relay_domains'].map((name) => loadScenario({ scenario }).get(`postfix.${name}` as ScenarioKey));
    expect(classes('mailu-2024.06')).toEqual(['127.0.0.1/32, [::1]/128, 192.168.203.0/24', '', 'example.test', '']);
    expect(classes('real-stack')).toEqual(['127.0.0.0/8', '', 'example.test', '']);
  });
});
