/* address-classes - mydestination, virtual_mailbox_domains and relay_domains, stated or Postfix's default at the release, onto their keys; an unstated mynetworks against the lab's
 *
 * Defaults from global/mail_params.h (v3.7.11, v3.8.6, v3.9.0: DEF_MYDEST, DEF_VIRT_MAILBOX_DOMS,
 * DEF_RELAY_DOMAINS and DEF_MYNETWORKS_STYLE with their compatibility_level test, DEF_COMPAT_LEVEL 0),
 * evaluated from what main.cf states; where the real postconf is installed (Debian's 3.7.11), its
 * `postconf -x` of the same main.cf is the reference. A class the import can read is its key; one
 * with a table, a file or a part it cannot evaluate is unsupported, against the lab's value.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { firstMissingTool } from '../../conformance/real-stack.ts';
import type { ImportResult } from '../../import/index.ts';
import { parsePostfixMain } from '../../import/postfix-main.ts';
import { PostfixValues } from '../../import/postfix-expand.ts';
import { deployment, importError } from './import-files.ts';

const HAPROXY = (port = 587) => `frontend smtp\n  bind :${port}\n  default_backend postfix\nbackend postfix\n  server smtpd 10.0.0.2:10025\n`;
const MASTER = 'smtp inet n - n - - smtpd\n10025 inet n - n - - smtpd\n';
const VERSION = 'mail_version = 3.7.11\n';

/**
 * What Debian 12's postfix package (3.7.11) writes for "Internet Site": /usr/share/postfix/main.cf.debian and
 * main.cf.tls, then postinst's postconf -e of smtpd_relay_restrictions, myhostname, alias_maps, alias_database,
 * myorigin, mydestination (postfix.config: "$myhostname, <mailname>, <hostname>, localhost.<domain>, , localhost"),
 * relayhost, mynetworks (postfix.templates' default), mailbox_size_limit, recipient_delimiter, inet_interfaces,
 * inet_protocols. No virtual_*, no relay_domains.
 */
const DEBIAN = `smtpd_banner = $myhostname ESMTP $mail_name (Debian/GNU)
biff = no
append_dot_mydomain = no
readme_directory = no
compatibility_level = 3.6
smtpd_tls_cert_file=/etc/ssl/certs/ssl-cert-snakeoil.pem
smtpd_tls_key_file=/etc/ssl/private/ssl-cert-snakeoil.key
smtpd_tls_security_level=may
smtp_tls_CApath=/etc/ssl/certs
smtp_tls_security_level=may
smtp_tls_session_cache_database = btree:\${data_directory}/smtp_scache
smtpd_relay_restrictions = permit_mynetworks permit_sasl_authenticated defer_unauth_destination
myhostname = mail.example.com
alias_maps = hash:/etc/aliases
alias_database = hash:/etc/aliases
myorigin = /etc/mailname
mydestination = $myhostname, example.com, mail, localhost.example.com, , localhost
relayhost =
mynetworks = 127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128
mailbox_size_limit = 0
recipient_delimiter = +
inet_interfaces = all
inet_protocols = all
`;

const imported = (main: string, files: Record<string, string> = {}) => deployment({ 'haproxy.cfg': HAPROXY(), 'postconf-mail_version.txt': VERSION, 'main.cf': main, 'master.cf': MASTER, ...files });
const unsupported = (result: ImportResult, name: string) => result.unsupported.find((entry) => entry.setting.name === name);
const mynetworksAssumed = (result: ImportResult) => result.assumed.find((entry) => entry.key === 'main.cf mynetworks');
const keyOf = (result: ImportResult, name: string) => result.mapped.find((entry) => entry.key === `postfix.${name}`);
const evaluated = (main: string, name: string, version = '3.7.11') => new PostfixValues(parsePostfixMain(main, 'main.cf'), version).value(name);

describe("Debian's stock main.cf", () => {
  const result = imported(DEBIAN);

  it('mydestination as stated, $myhostname expanded and the empty item dropped, is its key at its line', () => {
    expect(keyOf(result, 'mydestination')).toMatchObject({
      value: 'mail.example.com, example.com, mail, localhost.example.com, localhost',
      setting: { value: '$myhostname, example.com, mail, localhost.example.com, , localhost', where: { line: 17 } },
      note: expect.stringMatching(/^evaluated as Postfix does: mail\.example\.com, example\.com, mail, localhost\.example\.com, , localhost; the local domains/),
    });
    expect(result.scenario.get('postfix.mydestination')).toBe('mail.example.com, example.com, mail, localhost.example.com, localhost');
  });

  it('virtual_mailbox_domains is $virtual_mailbox_maps, empty: no virtual domain, the key empty (the lab\'s preset has example.test)', () => {
    expect(unsupported(result, 'virtual_mailbox_domains')).toBeUndefined();
    expect(keyOf(result, 'virtual_mailbox_domains')).toMatchObject({
      value: '',
      setting: { value: '(not set: Postfix\'s default, mail_params.h DEF_VIRT_MAILBOX_DOMS "$virtual_mailbox_maps" = (empty): no domain)', where: { line: 2 } },
      note: expect.stringMatching(/^the virtual mailbox domains: .*elsewhere it is relaying/),
    });
  });

  it("relay_domains at compatibility_level 3.6 is empty: its key empty; mynetworks is stated, so nothing is assumed about it", () => {
    expect(keyOf(result, 'relay_domains')?.value).toBe('');
    expect(mynetworksAssumed(result)).toBeUndefined();
    expect(result.ignored.find((entry) => entry.setting.name === 'compatibility_level')?.reason).toMatch(/^decides defaults only/);
  });
});

describe('compatibility_level decides relay_domains and mynetworks_style (DEF_RELAY_DOMAINS, DEF_MYNETWORKS_STYLE: "<level {2}")', () => {
  const main = (level: string | null) => `myhostname = mail.example.com\nmydestination = $myhostname, localhost\n${level === null ? '' : `compatibility_level = ${level}\n`}`;

  for (const level of [null, '0', '1', '1.9']) {
    it(`${level ?? 'unstated (DEF_COMPAT_LEVEL 0)'}: relay_domains is $mydestination, mynetworks_style subnet`, () => {
      const result = imported(main(level));
      expect(keyOf(result, 'relay_domains')).toMatchObject({ value: 'mail.example.com, localhost', setting: { value: expect.stringMatching(/= mail\.example\.com, localhost: domains mail\.example\.com, localhost\)$/) } });
      expect(keyOf(result, 'mydestination')?.value).toBe('mail.example.com, localhost');
      // Mailu's layout: the front on Postfix's docker network, inside the subnet, as the lab's mynetworks has it.
      expect(unsupported(result, 'mynetworks')).toBeUndefined();
      expect(mynetworksAssumed(result)?.value).toMatch(/^subnet, mynetworks_style's default at compatibility_level /);
    });
  }

  for (const level of ['2', '3.6', '3.6.1']) {
    it(`${level}: relay_domains empty, mynetworks_style host: the front, another host, is outside`, () => {
      const result = imported(main(level));
      expect(keyOf(result, 'relay_domains')?.value).toBe('');
      expect(unsupported(result, 'mynetworks')?.reason).toMatch(/^the lab's is 127\.0\.0\.1\/32 \[::1\]\/128 192\.168\.203\.0\/24, which holds the front \(192\.168\.203\.2\) inside and the client \(203\.0\.113\.25\) outside: smtpd matches the front's own connection.*postfix\.mynetworks sets another/);
      expect(mynetworksAssumed(result)).toMatchObject({ value: expect.stringMatching(/^host, .*: the front inside only on Postfix's host$/), reason: expect.stringMatching(/the front 192\.168\.203\.2 on another host than Postfix's 192\.168\.203\.4/) });
    });
  }

  it("host style with the front and the client on Postfix's host (the recorded stack's layout: 3.7.11, port 1587, all on 127.0.0.1) holds both, as the lab's", () => {
    const result = deployment({ 'haproxy.cfg': HAPROXY(1587), 'postconf-mail_version.txt': VERSION, 'main.cf': main('2'), 'master.cf': MASTER });
    expect(result.scenario.get('front.port')).toBe(1587);
    expect(unsupported(result, 'mynetworks')).toBeUndefined();
    expect(mynetworksAssumed(result)?.value).toMatch(/^host, /);
  });

  it('a stated mynetworks_style decides instead, and is listed at its line (mapped when it behaves as the lab)', () => {
    const host = imported(`${main('0')}mynetworks_style = host\n`);
    expect(unsupported(host, 'mynetworks_style')).toMatchObject({ setting: { value: expect.stringMatching(/^host \(mynetworks not set: /), where: { line: 4 } } });
    const subnet = imported(`${main('3.6')}mynetworks_style = Subnet\n`);
    expect(subnet.mapped.find((entry) => entry.setting.name === 'mynetworks_style')).toMatchObject({ key: null });
    expect(imported(`${main('3.6')}mynetworks = 10.0.0.0/8\nmynetworks_style = bogus\n`).ignored.find((entry) => entry.setting.name === 'mynetworks_style')?.reason).toMatch(/^mynetworks is stated/);
  });
});

describe('a stated mynetworks: the deployment\'s own addresses, checked as the XCLIENT hosts are', () => {
  it('addresses and networks are taken to hold the front (the layout\'s list stays); empty is the key, no client trusted', () => {
    const networks = imported('mynetworks = 127.0.0.0/8 [::1]/128, 10.0.0.0/8\n');
    expect(networks.mapped.find((entry) => entry.setting.name === 'mynetworks')).toMatchObject({ key: null, value: '127.0.0.0/8, [::1]/128, 10.0.0.0/8' });
    expect(networks.scenario.get('postfix.mynetworks')).toBe('127.0.0.1/32, [::1]/128, 192.168.203.0/24');
    const empty = imported('mynetworks =\n');
    expect(keyOf(empty, 'mynetworks')).toMatchObject({ value: '', note: expect.stringMatching(/permit_mynetworks permits none/) });
    expect(mynetworksAssumed(empty)).toBeUndefined();
  });

  it('a host name, a negation or a table cannot be judged for the front: unsupported, the layout\'s list kept', () => {
    const named = imported('mynetworks = 127.0.0.0/8 !10.1.0.0/16 proxy.example.com hash:/etc/postfix/network_table\n');
    expect(unsupported(named, 'mynetworks')?.reason).toMatch(/^!10\.1\.0\.0\/16, proxy\.example\.com, hash:\/etc\/postfix\/network_table: not an address or network .* whether the list holds the front cannot be told/);
    expect(named.scenario.get('postfix.mynetworks')).toBe('127.0.0.1/32, [::1]/128, 192.168.203.0/24');
  });
});

describe('a stated domain class: its key, as Postfix evaluates it', () => {
  it('$parameters expanded, names lower-cased, negations kept (match_list_parse()), each at its line', () => {
    const result = imported('myhostname = Mail.Example.com\nmydestination = $myhostname\nrelay_domains = !internal.example.com, $mydomain\nvirtual_mailbox_domains = example.test, example.org\n');
    expect(keyOf(result, 'mydestination')).toMatchObject({ value: 'mail.example.com', setting: { where: { line: 2 } } });
    expect(keyOf(result, 'relay_domains')).toMatchObject({ value: '!internal.example.com, example.com', setting: { where: { line: 3 } } });
    expect(keyOf(result, 'virtual_mailbox_domains')).toMatchObject({ value: 'example.test, example.org', note: expect.stringMatching(/^the virtual mailbox domains/) });
    expect(result.ignored.filter((entry) => /^(mydestination|relay_domains|virtual_mailbox_domains)$/.test(entry.setting.name))).toEqual([]);
  });

  it("a table the import cannot read (Mailu's socketmap), a file or a part it cannot evaluate: unsupported at its line, the lab's value kept", () => {
    const result = imported('podop = socketmap:unix:/tmp/podop.socket:\nvirtual_mailbox_domains = ${podop}domain\nrelay_domains = /etc/postfix/relay\nmydestination = $myorigin\n');
    expect(unsupported(result, 'virtual_mailbox_domains')).toMatchObject({
      setting: { value: '${podop}domain', where: { line: 2 } },
      reason: "the lab's is example.test: no domain; and socketmap:unix:/tmp/podop.socket:domain: a table the import cannot read: the virtual mailbox domains: a recipient there passes reject_unauth_destination/defer_unauth_destination and, with smtpd_reject_unlisted_recipient, must be in virtual_mailbox_maps; elsewhere it is relaying; the import cannot tell its domains, so the lab keeps its own (postfix.virtual_mailbox_domains sets them)",
    });
    expect(unsupported(result, 'relay_domains')?.reason).toMatch(/^the lab's is \(empty\): no domain; and \/etc\/postfix\/relay: a file the input does not hold/);
    // $myorigin is $myhostname, the machine's name when unstated.
    expect(unsupported(result, 'mydestination')?.reason).toMatch(/^the lab's is \(empty\): no domain; and myhostname is not stated/);
    expect(result.scenario.get('postfix.virtual_mailbox_domains')).toBe('example.test');
  });
});

describe('virtual_mailbox_domains from virtual_mailbox_maps', () => {
  const withMaps = (maps: string) => imported(`myhostname = mail.example.com\nmydestination =\nvirtual_mailbox_maps = ${maps}\n`);

  it('an inline table of addresses names no domain (a domain is looked up as a key): the key is empty', () => {
    expect(keyOf(withMaps('inline:{ alice@example.test=1, bob@example.test=1 }'), 'virtual_mailbox_domains')).toMatchObject({ value: '', setting: { value: expect.stringMatching(/= inline:\{ alice@example\.test=1, bob@example\.test=1 \}: no domain\)$/) } });
  });

  it('a table with the domain as a key makes it a virtual domain, as the lab\'s', () => {
    const result = withMaps('inline:{ Example.test=virtual, alice@example.test=1 }');
    expect(keyOf(result, 'virtual_mailbox_domains')?.value).toBe('example.test');
    expect(result.mapped.find((entry) => entry.key === 'postfix.virtual_mailbox_maps')?.value).toBe('inline:{ Example.test=virtual, alice@example.test=1 }');
  });

  it('a table the import cannot read, or static: (every domain), is listed as what it is', () => {
    expect(unsupported(withMaps('hash:/etc/postfix/vmailbox'), 'virtual_mailbox_domains')?.setting.value).toMatch(/: no domain; and hash:\/etc\/postfix\/vmailbox: a table the import cannot read\)$/);
    expect(unsupported(withMaps('static:inbox/'), 'virtual_mailbox_domains')?.setting.value).toMatch(/static:inbox\/: matches every domain/);
  });
});

describe('mydestination: $myhostname, localhost.$mydomain, localhost', () => {
  it('from a stated myhostname: mydomain is what follows its first dot (check_mydomainname()), or localdomain', () => {
    expect(evaluated('myhostname = mail.example.com\n', 'mydestination')).toEqual({ text: 'mail.example.com, localhost.example.com, localhost', unknown: [] });
    expect(evaluated('myhostname = plainhost\n', 'mydestination')).toEqual({ text: 'plainhost, localhost.localdomain, localhost', unknown: [] });
    expect(evaluated('myhostname = mail.example.com\nmydomain = example.org\n', 'mydestination').text).toBe('mail.example.com, localhost.example.org, localhost');
  });

  it("without myhostname the host's name is unknown, named in the listed value; the lab's (none) differs anyway", () => {
    const result = imported('compatibility_level = 2\n');
    expect(unsupported(result, 'mydestination')?.setting.value).toMatch(/= <this host's name>, localhost\.<this host's domain>, localhost: domains localhost; and myhostname is not stated: Postfix takes the machine's host name \(mail_params\.c check_myhostname\(\): gethostname\(\)\)/);
  });

  it('$$ is a dollar; $(name) and ${name} are $name; a conditional is not evaluated', () => {
    expect(evaluated('myhostname = h.example.com\nx = $(myhostname) ${myhostname} $$myhostname\n', 'x').text).toBe('h.example.com h.example.com $myhostname');
    expect(evaluated('x = ${myhostname?yes}\nmyhostname = h\n', 'x').unknown).toEqual(['${myhostname?yes}: a conditional expansion the import does not evaluate']);
  });
});

describe('what Postfix refuses to start with is refused at its line', () => {
  it('a malformed compatibility_level (compat_level_from_string()), even with every default stated', () => {
    expect(importError({ 'main.cf': `${VERSION}relay_domains =\nmynetworks = 127.0.0.0/8\ncompatibility_level = bogus\n` })).toMatch(/main\.cf:4: compatibility_level = bogus: Postfix stops: malformed compatibility level syntax: "bogus"/);
    expect(importError({ 'main.cf': `${VERSION}compatibility_level = 3.1024\n` })).toMatch(/malformed compatibility level syntax/);
    // The 3.5 line reads a number (dotted levels came with 3.6.0).
    expect(importError({ 'main.cf': 'mail_version = 3.5.9\ncompatibility_level = 3.6\n' })).toMatch(/main\.cf:2: .*bad numerical configuration: compatibility_level = 3\.6/);
  });

  it('a mynetworks_style that is not exactly one style, when mynetworks is not set', () => {
    expect(importError({ 'main.cf': `${VERSION}mynetworks_style = everywhere\n` })).toMatch(/main\.cf:2: mynetworks_style = everywhere: Postfix stops: not exactly one of class, subnet, host/);
    expect(importError({ 'main.cf': `${VERSION}mynetworks_style = host subnet\n` })).toMatch(/main\.cf:2: mynetworks_style = host subnet: Postfix stops/);
  });

  it('parameters that expand each other in a loop (mac_expand(): unreasonable macro call nesting)', () => {
    expect(importError({ 'main.cf': `${VERSION}mydestination = $a\na = $b\nb = $a\n` })).toMatch(/main\.cf:[34]: [ab] = \$[ab]: Postfix stops: unreasonable macro call nesting/);
  });
});

/** The real postconf's expansion of a main.cf (`postconf -x -c DIR`), where it is installed. */
function postconfExpanded(main: string, names: readonly string[]): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'smtp-lab-postconf-'));
  writeFileSync(join(dir, 'main.cf'), main);
  writeFileSync(join(dir, 'master.cf'), '');
  const run = spawnSync('postconf', ['-x', '-c', dir, ...names], { encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  return Object.fromEntries(run.stdout.trim().split('\n').map((line) => /^(\S+) =(?: (.*))?$/.exec(line)!).map(([, name, value]) => [name, value ?? '']));
}

const postconfMissing = firstMissingTool(['postconf']);
if (postconfMissing !== null && process.env.SMTP_LAB_REQUIRE_REAL_STACK === '1') throw new Error(`real stack required but ${postconfMissing}`);

describe.skipIf(postconfMissing !== null)("against the installed postconf (Debian's 3.7.11): the same values", () => {
  const NAMES = ['mydomain', 'mydestination', 'relay_domains', 'virtual_mailbox_domains', 'mynetworks_style'];
  const cases: Record<string, string> = {
    debian: DEBIAN,
    'level unstated': 'myhostname = mail.example.com\n',
    'level 1.9, mydomain stated': 'myhostname = mail.example.com\nmydomain = example.org\ncompatibility_level = 1.9\n',
    'level 2, maps': 'myhostname = plainhost\ncompatibility_level = 2\nvirtual_mailbox_maps = inline:{ example.test=1 }\n',
    'level 3.6, nested': 'myhostname = mx.$mydomain\nmydomain = example.net\ncompatibility_level = 3.6\nmydestination = $myorigin, ${mydomain}\n',
  };
  for (const [name, main] of Object.entries(cases)) {
    it(name, () => {
      const real = postconfExpanded(main, NAMES);
      const ours = Object.fromEntries(NAMES.map((parameter) => [parameter, evaluated(main, parameter).text]));
      expect(ours).toEqual(real);
    });
  }
});
