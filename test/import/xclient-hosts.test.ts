/* xclient-hosts - smtpd_authorized_xclient_hosts as an imported main.cf states it
 *
 * Stated empty and not stated mean the same to Postfix (postconf(5): default empty; smtpd.c
 * xclient_cmd(): namadr_list_match() over an empty list, 550 5.7.0 Error: insufficient authorization),
 * so they import to the same scenario. A list of addresses is taken to hold the front, as the lab's
 * layout holds its own front; a list whose hosts the input does not show is unsupported, with why.
 */
import { describe, expect, it } from 'vitest';
import type { ImportResult } from '../../import/index.ts';
import { namadrListMatch } from '../../models/postfix/address-list.ts';
import { parseList } from '../../models/postfix/config.ts';
import { hostsOf } from '../../scenarios/topology.ts';
import { deployment } from './import-files.ts';

const HAPROXY = 'frontend smtp\n  bind :587\n  default_backend postfix\nbackend postfix\n  server smtpd 10.0.0.2:10025\n';
const MASTER = 'smtp inet n - n - - smtpd\n10025 inet n - n - - smtpd\n';
const KEY = 'postfix.smtpd_authorized_xclient_hosts';

const imported = (line: string) => deployment({ 'haproxy.cfg': HAPROXY, 'main.cf': `mail_version = 3.9.0\n${line}`, 'master.cf': MASTER });
const lineOf = (result: ImportResult, name: string) => [...result.mapped, ...result.unsupported].find((entry) => entry.setting.name === name)?.setting.where.line;
/** Whether the lab's Postfix lets the lab's front send XCLIENT (smtpd.c xclient_cmd()'s check, namadr_list_match()). */
const frontAuthorized = (result: ImportResult) => namadrListMatch(parseList(result.scenario.get(KEY)), 'unknown', hostsOf(result.scenario).front, false);

describe('smtpd_authorized_xclient_hosts stated in main.cf', () => {
  it('stated empty imports to the same scenario as not stated: no host may send XCLIENT, mapped at its line', () => {
    const stated = imported('smtpd_authorized_xclient_hosts =\n');
    expect(stated.definition.values).toEqual(imported('').definition.values);
    expect(stated.scenario.get(KEY)).toBe('');
    expect(frontAuthorized(stated)).toBe(false);
    expect(stated.mapped.find((entry) => entry.key === KEY)?.setting.where.line).toBe(2);
    expect(stated.unsupported.map((entry) => entry.setting.name)).not.toContain('smtpd_authorized_xclient_hosts');
  });

  it("a list of the deployment's addresses holds the front: the lab's front is in the scenario's list, mapped at its line", () => {
    const result = imported('smtpd_authorized_xclient_hosts = 192.168.203.0/24, [10.1.2.3]\n');
    expect(frontAuthorized(result)).toBe(true);
    expect(lineOf(result, 'smtpd_authorized_xclient_hosts')).toBe(2);
    expect(result.mapped.find((entry) => entry.setting.name === 'smtpd_authorized_xclient_hosts')?.value).toBe('192.168.203.0/24, [10.1.2.3]');
    expect(result.unsupported.map((entry) => entry.setting.name)).not.toContain('smtpd_authorized_xclient_hosts');
  });

  it.each([
    ['a table', 'hash:/etc/postfix/xclient_hosts', 'hash:/etc/postfix/xclient_hosts'],
    ['a negation before the network', '!192.168.203.2, 192.168.203.0/24', '!192.168.203.2'],
    ['a host name', 'front.example.org', 'front.example.org'],
  ])('%s the lab cannot judge: unsupported at its line, naming the pattern', (_what, value, pattern) => {
    const result = imported(`smtpd_authorized_xclient_hosts = ${value}\n`);
    const entry = result.unsupported.find((e) => e.setting.name === 'smtpd_authorized_xclient_hosts');
    expect(entry?.reason).toMatch(new RegExp(`^${pattern.replace(/[.$/]/g, '\\$&')}: not an address or network .* the lab authorizes its front`));
    expect(entry?.setting.where.line).toBe(2);
    expect(frontAuthorized(result)).toBe(true);
  });
});
