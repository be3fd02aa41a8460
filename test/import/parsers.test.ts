/* parsers - each configuration format read whole, with CRLF, and refused by file and line when it cannot be read */
import { describe, expect, it } from 'vitest';
import { parsePostfixMain } from '../../import/postfix-main.ts';
import { parsePostfixMaster, servicePort } from '../../import/postfix-master.ts';
import { parseDoveconf, sectionsOf } from '../../import/doveconf.ts';
import { parseNginxConf, directivesNamed } from '../../import/nginx-conf.ts';
import { parseMailuEnv } from '../../import/mailu-env.ts';
import { configErrorOf as errorOf } from './import-files.ts';

describe('main.cf / postconf -n', () => {
  const text = '# comment\nmyhostname = mail.example.test\n\nsmtpd_client_restrictions =\n  permit_mynetworks,\n  # inside\n  permit\nmail_version=3.9.0\nmyhostname = later\n';

  it('reads parameters with continuation lines, comments and the last value winning, each with its first line', () => {
    const parameters = parsePostfixMain(text, 'main.cf');
    expect(parameters.get('smtpd_client_restrictions')).toEqual({ name: 'smtpd_client_restrictions', value: 'permit_mynetworks, permit', where: { file: 'main.cf', line: 4 } });
    expect(parameters.get('mail_version')?.value).toBe('3.9.0');
    expect(parameters.get('myhostname')).toEqual({ name: 'myhostname', value: 'later', where: { file: 'main.cf', line: 9 } });
  });

  it('reads CRLF files the same', () => {
    expect([...parsePostfixMain(text.replace(/\n/g, '\r\n'), 'main.cf')]).toEqual([...parsePostfixMain(text, 'main.cf')]);
  });

  it('refuses a line that is not parameter = value, and a continuation with nothing above, by file and line', () => {
    expect(errorOf(() => parsePostfixMain('a = b\nthis is not a parameter\n', 'main.cf'))).toBe("main.cf:2: expected 'parameter = value' (main.cf or postconf output), got 'this is not a parameter'");
    expect(errorOf(() => parsePostfixMain('  indented = first\n', 'x.cf'))).toMatch(/^x\.cf:1: a continuation line/);
  });
});

describe('master.cf / postconf -M', () => {
  it('reads each service with its -o overrides, whether on continuation lines or on one line as postconf -M prints them', () => {
    const split = parsePostfixMaster('# c\nsmtp inet n - n - - smtpd\n10025 inet n - n - - smtpd\n  -o smtpd_sasl_auth_enable=yes\n  -o smtpd_forbid_unauth_pipelining=no\n', 'master.cf');
    const joined = parsePostfixMaster('10025      inet  n       -       n       -       -       smtpd -o smtpd_sasl_auth_enable=yes -o smtpd_forbid_unauth_pipelining=no\n', 'M.txt');
    expect(split.map((s) => [s.service, servicePort(s)])).toEqual([['smtp', 25], ['10025', 10025]]);
    expect(split[1]!.overrides.get('smtpd_forbid_unauth_pipelining')).toEqual({ name: 'smtpd_forbid_unauth_pipelining', value: 'no', where: { file: 'master.cf', line: 5 } });
    expect([...joined[0]!.overrides.values()].map((o) => [o.name, o.value])).toEqual([...split[1]!.overrides.values()].map((o) => [o.name, o.value]));
  });

  it('knows the port of host:port and named services, and none for unix services', () => {
    const services = parsePostfixMaster('127.0.0.1:10025 inet n - n - - smtpd\nsubmission inet n - n - - smtpd\nsmtp unix - - n - - smtp\n', 'm');
    expect(services.map(servicePort)).toEqual([10025, 587, null]);
  });

  it('refuses short entries, unknown types, a bare -o and the braced -o form, by line', () => {
    expect(errorOf(() => parsePostfixMaster('smtp inet n - n smtpd\n', 'm'))).toMatch(/^m:1: a master\.cf service entry needs 8 fields/);
    expect(errorOf(() => parsePostfixMaster('smtp tcp n - n - - smtpd\n', 'm'))).toMatch(/^m:1: service 'smtp': type 'tcp'/);
    expect(errorOf(() => parsePostfixMaster('smtp inet n - n - - smtpd\n  -o\n', 'm'))).toMatch(/^m:2: service 'smtp': '-o' without/);
    expect(errorOf(() => parsePostfixMaster('smtp inet n - n - - smtpd\n  -o { a = b }\n', 'm'))).toMatch(/^m:2: .*-o \{ name = value \}/);
    expect(errorOf(() => parsePostfixMaster('smtp inet n - n - - smtpd\n  -o novalue\n', 'm'))).toMatch(/^m:2: .*expected -o name=value/);
  });
});

describe('doveconf -n / dovecot.conf', () => {
  const text = '# 2.3.21.1 (d492236fa0): /etc/dovecot/dovecot.conf\n# OS: Linux\nprotocols = submission\nservice submission-login {\n  inet_listener submission {\n    port = 587\n  }\n}\n';

  it('keeps the release of the first line and the nested sections with lines', () => {
    const config = parseDoveconf(text, 'doveconf.txt');
    expect(config.release).toEqual({ name: 'doveconf -n release', value: '2.3.21.1', where: { file: 'doveconf.txt', line: 1 } });
    const listener = sectionsOf(sectionsOf(config.root, 'service', 'submission-login')[0]!, 'inet_listener')[0]!;
    expect(listener.settings.get('port')).toEqual({ name: 'port', value: '587', where: { file: 'doveconf.txt', line: 6 } });
  });

  it('has no release for a plain dovecot.conf', () => {
    expect(parseDoveconf('protocols = submission\n', 'dovecot.conf').release).toBeNull();
  });

  it('refuses !include, a stray }, an unclosed section and a line it cannot read', () => {
    expect(errorOf(() => parseDoveconf('!include conf.d/*.conf\n', 'd'))).toMatch(/^d:1: '!include conf\.d\/\*\.conf': the included file/);
    expect(errorOf(() => parseDoveconf('a = b\n}\n', 'd'))).toBe("d:2: '}' closes no section");
    expect(errorOf(() => parseDoveconf('service x {\n  a = b\n', 'd'))).toBe("d:1: section 'service x' is never closed (end of file)");
    expect(errorOf(() => parseDoveconf('just words\n', 'd'))).toMatch(/^d:1: expected 'key = value'/);
  });
});

describe('nginx -T / nginx.conf', () => {
  const text = 'nginx version: nginx/1.26.1\nnginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n# configuration file /etc/nginx/nginx.conf:\nmail {\n  smtp_capabilities PIPELINING "SIZE 100" ; # trailing\n  server {\n    listen [::]:465 ssl;\n  }\n}\n';

  it('reads blocks, quoted words and comments, keeps `nginx -v`\'s release and skips the status lines', () => {
    const config = parseNginxConf(text, 'T.txt');
    expect(config.release?.value).toBe('1.26.1');
    const mail = directivesNamed(config.directives, 'mail')[0]!;
    expect(directivesNamed(mail.block!, 'smtp_capabilities')[0]).toMatchObject({ args: ['PIPELINING', 'SIZE 100'], where: { file: 'T.txt', line: 5 } });
    expect(directivesNamed(directivesNamed(mail.block!, 'server')[0]!.block!, 'listen')[0]!.args).toEqual(['[::]:465', 'ssl']);
  });

  it('refuses a missing ;, a stray }, an unclosed block and an open quote', () => {
    expect(errorOf(() => parseNginxConf('mail {\n  listen 25\n}\n', 'n'))).toBe("n:2: 'listen 25' is not ended by ';' before '}'");
    expect(errorOf(() => parseNginxConf('}\n', 'n'))).toBe("n:1: '}' closes no block");
    expect(errorOf(() => parseNginxConf('mail {\n  listen 25;\n', 'n'))).toBe('n:1: this block is never closed (end of file)');
    expect(errorOf(() => parseNginxConf('a "b;\n', 'n'))).toBe('n:1: unterminated " quote');
  });
});

describe('mailu.env', () => {
  it('reads KEY=VALUE with comments, quotes and empty values', () => {
    const env = parseMailuEnv('# c\nSUBNET=192.168.203.0/24\nRELAYHOST=\nSITENAME="Mailu"\n', 'mailu.env');
    expect([...env.values()].map((s) => [s.name, s.value, s.where.line])).toEqual([['SUBNET', '192.168.203.0/24', 2], ['RELAYHOST', '', 3], ['SITENAME', 'Mailu', 4]]);
  });

  it('refuses a line that is not KEY=VALUE', () => {
    expect(errorOf(() => parseMailuEnv('SUBNET=1\nexport X\n', 'mailu.env'))).toBe("mailu.env:2: expected KEY=VALUE (mailu.env), got 'export X'");
  });
});
