/* config - the real stack's configuration files, as text, for a lab directory and a pair of ports
 *
 * The recorded runs (conformance/records, copies of their configuration beside them) used this
 * configuration with Dovecot on 1587 and Postfix on 10025; test/conformance/real-stack/config.test.ts
 * checks that, given those ports and the recorded lab directory, these files say what the
 * records' copies say. Everything lives under the lab directory and listens on 127.0.0.1 only;
 * nothing is written under /etc.
 *
 *   swaks ──▶ Dovecot submission-login 127.0.0.1:<dovecot>  (Lua passdb modelled on Mailu's
 *             │                                            login.lua: proxy=y nopassword=Y
 *             │                                            proxy_noauth=Y, port=<postfix>)
 *             └──▶ Postfix smtpd 127.0.0.1:<postfix>       (XCLIENT from 127.0.0.0/8, SASL on
 *                                                          as on Mailu's 10025 service)
 */

export interface RealStackPorts {
  /** Dovecot's submission listener. */
  readonly dovecot: number;
  /** Postfix's smtpd service: Dovecot's relay port and the port the passdb sends the proxy to. */
  readonly postfix: number;
}

/** The ports of the recorded runs (records/listeners.txt). */
export const RECORDED_PORTS: RealStackPorts = { dovecot: 1587, postfix: 10025 };

/**
 * The lab's account, the two long names that reach Postfix's 255-byte XCLIENT attribute limit and
 * Dovecot's 512-byte XCLIENT split, and a name with a '"', which xtext leaves as it is and smtpd's
 * tokenizer reads as an opening quote (test/conformance/real-stack/client-identity.test.ts).
 */
export const REAL_ACCOUNTS: readonly (readonly [user: string, password: string])[] = [
  ['alice@example.test', 'secret'],
  [`${'l'.repeat(227)}@example.test`, 'secret'],
  [`${'l'.repeat(480)}@example.test`, 'secret'],
  ['"@example.test', 'secret'],
];

/** Files to write, relative to the lab directory. */
export type LabFiles = Readonly<Record<'postfix/main.cf' | 'postfix/master.cf' | 'dovecot/dovecot.conf' | 'dovecot/login.lua', string>>;

/** Directories the files and the daemons' state live in, relative to the lab directory. */
export const LAB_DIRECTORIES = ['postfix', 'postfix-spool', 'postfix-data', 'mail', 'dovecot', 'dovecot-run', 'dovecot-state', 'logs'] as const;

export function labFiles(lab: string, ports: RealStackPorts): LabFiles {
  return {
    'postfix/main.cf': postfixMainCf(lab),
    'postfix/master.cf': postfixMasterCf(ports),
    'dovecot/dovecot.conf': dovecotConf(lab, ports),
    'dovecot/login.lua': loginLua(ports),
  };
}

/** main.cf as [parameter, value] rows: Mailu's core/postfix/conf/main.cf, trimmed to what the lab needs. */
export function postfixMainSettings(lab: string): readonly (readonly [string, string])[] {
  return [
    ['compatibility_level', '3.6'],
    ['queue_directory', `${lab}/postfix-spool`],
    ['data_directory', `${lab}/postfix-data`],
    ['meta_directory', '/etc/postfix'],
    ['mail_owner', 'postfix'],
    ['setgid_group', 'postdrop'],
    ['myhostname', 'backend.example.test'],
    ['mydomain', 'example.test'],
    ['myorigin', '$mydomain'],
    ['mydestination', ''],
    ['inet_interfaces', '127.0.0.1'],
    ['inet_protocols', 'ipv4'],
    ['mynetworks', '127.0.0.0/8'],
    ['alias_maps', ''],
    ['alias_database', ''],
    ['biff', 'no'],
    ['smtpd_banner', '$myhostname ESMTP lab-postfix'],
    // Only the front may send XCLIENT; RealStack points this at the slow table when asked to.
    ['smtpd_authorized_xclient_hosts', '127.0.0.0/8'],
    // The parameter under test: yes is Postfix 3.9's default (3.7.11's is no). RealStack switches it.
    ['smtpd_forbid_unauth_pipelining', 'yes'],
    ['smtpd_helo_required', 'yes'],
    ['smtpd_relay_restrictions', 'permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination'],
    // Mailu enables SASL on its 10025 service; smtpd needs a SASL server for that: the lab Dovecot's.
    ['smtpd_sasl_type', 'dovecot'],
    ['smtpd_sasl_path', `${lab}/dovecot-run/postfix-auth`],
    // example.test goes to one maildir; nothing leaves the machine.
    ['virtual_mailbox_domains', 'example.test'],
    ['virtual_mailbox_base', `${lab}/mail`],
    ['virtual_mailbox_maps', 'static:inbox/'],
    ['virtual_uid_maps', 'static:65534'],
    ['virtual_gid_maps', 'static:65534'],
    ['default_transport', 'error:5.7.1 no outbound delivery in this lab'],
    ['relay_transport', 'error:5.7.1 no outbound delivery in this lab'],
    // postlogd writes the log the suite reads (Postfix >= 3.4).
    ['maillog_file', `${lab}/logs/postfix.log`],
    ['maillog_file_prefixes', lab],
  ];
}

function postfixMainCf(lab: string): string {
  return `# smtp-lab real-stack backend (conformance/real-stack/config.ts)\n${postfixMainSettings(lab).map(([key, value]) => `${key} = ${value}`.trimEnd()).join('\n')}\n`;
}

/** master.cf rows: service, type, private, unpriv, chroot, wakeup, maxproc, command. */
const MASTER_SERVICES: readonly (readonly string[])[] = [
  ['pickup', 'unix', 'n', '-', 'n', '60', '1', 'pickup'],
  ['cleanup', 'unix', 'n', '-', 'n', '-', '0', 'cleanup'],
  ['qmgr', 'unix', 'n', '-', 'n', '300', '1', 'qmgr'],
  ['rewrite', 'unix', '-', '-', 'n', '-', '-', 'trivial-rewrite'],
  ['bounce', 'unix', '-', '-', 'n', '-', '0', 'bounce'],
  ['defer', 'unix', '-', '-', 'n', '-', '0', 'bounce'],
  ['trace', 'unix', '-', '-', 'n', '-', '0', 'bounce'],
  ['verify', 'unix', '-', '-', 'n', '-', '1', 'verify'],
  ['flush', 'unix', 'n', '-', 'n', '1000?', '0', 'flush'],
  ['proxymap', 'unix', '-', '-', 'n', '-', '-', 'proxymap'],
  ['smtp', 'unix', '-', '-', 'n', '-', '-', 'smtp'],
  ['relay', 'unix', '-', '-', 'n', '-', '-', 'smtp'],
  ['error', 'unix', '-', '-', 'n', '-', '-', 'error'],
  ['retry', 'unix', '-', '-', 'n', '-', '-', 'error'],
  ['discard', 'unix', '-', '-', 'n', '-', '-', 'discard'],
  ['virtual', 'unix', '-', 'n', 'n', '-', '-', 'virtual'],
  ['anvil', 'unix', '-', '-', 'n', '-', '1', 'anvil'],
  ['scache', 'unix', '-', '-', 'n', '-', '1', 'scache'],
  ['showq', 'unix', 'n', '-', 'n', '-', '-', 'showq'],
  ['postlog', 'unix-dgram', 'n', '-', 'n', '-', '1', 'postlogd'],
];

function postfixMasterCf(ports: RealStackPorts): string {
  const row = (fields: readonly string[]) => fields.map((f, i) => (i < fields.length - 1 ? `${f} `.padEnd(i === 0 ? 10 : 8) : f)).join('');
  return [
    '# service  type    private unpriv  chroot  wakeup  maxproc command + args',
    '# The internal SMTP service the front relays to, with SASL as in Mailu master.cf.',
    row([`127.0.0.1:${ports.postfix}`, 'inet', 'n', '-', 'n', '-', '-', 'smtpd']),
    '  -o smtpd_sasl_auth_enable=yes',
    ...MASTER_SERVICES.map(row),
    '',
  ].join('\n');
}

function dovecotConf(lab: string, ports: RealStackPorts): string {
  return `# smtp-lab real-stack front: Dovecot submission-login proxying to Postfix (conformance/real-stack/config.ts)
instance_name = lab-front
base_dir = ${lab}/dovecot-run
state_dir = ${lab}/dovecot-state
listen = 127.0.0.1
protocols = submission

log_path = ${lab}/logs/dovecot.log
info_log_path = ${lab}/logs/dovecot.log
debug_log_path = ${lab}/logs/dovecot.log
log_timestamp = "%Y-%m-%d %H:%M:%S "
auth_verbose = yes
auth_debug = yes
auth_debug_passwords = yes
mail_debug = yes
# The proxy's "- reconnecting (attempt #N)" line is debug output of the submission category.
log_debug = category=submission
verbose_proctitle = yes
login_log_format_elements = user=<%u> method=%m rip=%r rport=%b lip=%l lport=%a mpid=%e %c

hostname = front.example.test
submission_host = 127.0.0.1:${ports.postfix}
submission_relay_host = 127.0.0.1
submission_relay_port = ${ports.postfix}
submission_relay_trusted = yes
submission_relay_ssl = no
submission_backend_capabilities = 8BITMIME DSN VRFY
submission_client_workarounds = mailbox-for-path whitespace-before-path

# The login proxy's retry behaviour under test: Dovecot 2.3's defaults, written out.
login_proxy_max_reconnects = 3
login_proxy_timeout = 30 secs
# One .in/.out file per backend connection. submission-login runs chrooted in base_dir/login and
# 2.3.19.1 silently records nothing for a path outside that chroot: this is ${lab}/dovecot-run/login/rawlog.
login_proxy_rawlog_dir = /rawlog

disable_plaintext_auth = no
ssl = no
auth_username_chars =
auth_mechanisms = plain login

passdb {
  driver = lua
  args = file=${lab}/dovecot/login.lua blocking=yes
}

service auth {
  # smtpd's SASL server (smtpd_sasl_type = dovecot); the path is relative to base_dir.
  unix_listener postfix-auth {
    mode = 0666
  }
}

service submission-login {
  inet_listener submission {
    address = 127.0.0.1
    port = ${ports.dovecot}
  }
}
`;
}

/**
 * Mailu's core/nginx/dovecot/login.lua asks the admin container over HTTP; here the password
 * check is inline and the answer carries login.lua's proxy fields.
 */
function loginLua(ports: RealStackPorts): string {
  // JSON's string syntax is Lua's for these ASCII names ('\"' included)
  const accounts = REAL_ACCOUNTS.map(([user, password]) => `  [${JSON.stringify(user)}] = ${JSON.stringify(password)},`).join('\n');
  return `local accounts = {
${accounts}
}
function script_init() return 0 end
function script_deinit() end
function auth_passdb_lookup(req)
  local want = accounts[req.user]
  if want ~= nil and req.password == want then
    return dovecot.auth.PASSDB_RESULT_OK, {
      proxy = "y", host = "127.0.0.1", port = "${ports.postfix}",
      nopassword = "Y", proxy_noauth = "Y",
    }
  end
  return dovecot.auth.PASSDB_RESULT_PASSWORD_MISMATCH, ""
end
`;
}
