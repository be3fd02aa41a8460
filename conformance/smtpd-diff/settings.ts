/* settings - the smtpd parameters both sides of the differential run with, side by side
 *
 * The real side's are what the real Postfix itself reads: `postconf -hx` (main.cf with the
 * release's defaults, $names expanded) under the service's master.cf -o overrides
 * (`postconf -P`). The model's are its PostfixConfig in the same notation. Only the parameters
 * that decide a reply to the differential's commands are compared; a difference is a finding
 * (conformance/smtpd-diff/known.ts KNOWN_SETTING_DIFFERENCES lists the open ones).
 */
import { spawnSync } from 'node:child_process';
import type { PostfixConfig } from '../../models/postfix/config.ts';
import { REPLY_CODE_PARAMETERS, RESTRICTION_LISTS } from '../../models/postfix/restriction-config.ts';

const yesNo = (on: boolean) => (on ? 'yes' : 'no');
const list = (items: readonly string[] | null | undefined) => (items ?? []).join(', ');
/** An inline table as main.cf writes it, each entry in braces (its value may hold blanks); empty for none. */
const table = (entries: Readonly<Record<string, string>> | null) => (entries === null ? '' : `inline:{ ${Object.entries(entries).map(([key, value]) => `{${key}=${value}}`).join(', ')} }`);

/** Each compared parameter and the model's value of it, written as postconf -hx writes the real one. */
const MODEL_VALUE: Readonly<Record<string, (c: PostfixConfig) => string>> = {
  mail_version: (c) => c.mail_version,
  myhostname: (c) => c.myhostname,
  smtpd_banner: (c) => c.smtpd_banner,
  mynetworks: (c) => list(c.mynetworks),
  inet_protocols: (c) => c.inet_protocols,
  smtpd_authorized_xclient_hosts: (c) => list(c.smtpd_authorized_xclient_hosts),
  smtpd_forbid_unauth_pipelining: (c) => yesNo(c.smtpd_forbid_unauth_pipelining),
  smtpd_forbid_bare_newline: (c) => c.smtpd_forbid_bare_newline,
  smtpd_helo_required: (c) => yesNo(c.smtpd_helo_required),
  smtpd_sasl_auth_enable: (c) => yesNo(c.smtpd_sasl_auth_enable),
  // restriction-config.ts: each list's words (an inline table whole), smtpd_delay_reject, soft_bounce, the login table, the reply codes.
  ...Object.fromEntries(RESTRICTION_LISTS.map((name) => [name, (c: PostfixConfig) => list(c[name])])),
  smtpd_delay_reject: (c) => yesNo(c.smtpd_delay_reject),
  soft_bounce: (c) => yesNo(c.soft_bounce),
  smtpd_reject_unlisted_sender: (c) => yesNo(c.smtpd_reject_unlisted_sender),
  smtpd_sender_login_maps: (c) => (c.smtpd_sender_login_maps === null ? '' : `inline:{ ${Object.entries(c.smtpd_sender_login_maps).map(([address, owners]) => `{${address} = ${owners}}`).join(', ')} }`),
  // The class names only: each definition is a parameter of its own, which postconf -hx prints only when asked by name.
  smtpd_restriction_classes: (c) => list(Object.keys(c.smtpd_restriction_classes)),
  ...Object.fromEntries(REPLY_CODE_PARAMETERS.map((name) => [name, (c: PostfixConfig) => String(c[name])])),
  smtpd_discard_ehlo_keywords: (c) => list(c.smtpd_discard_ehlo_keywords),
  mydestination: (c) => list(c.mydestination),
  virtual_mailbox_domains: (c) => list(c.virtual_mailbox_domains),
  // null: the parameter is empty (rcpt-maps.ts: no lookup); a table's keys otherwise.
  virtual_mailbox_maps: (c) => (c.virtual_mailbox_maps === null ? '' : `inline:{ ${c.virtual_mailbox_maps.join(', ')} }`),
  relay_domains: (c) => list(c.relay_domains),
  recipient_delimiter: (c) => c.recipient_delimiter,
  smtpd_reject_unlisted_recipient: (c) => yesNo(c.smtpd_reject_unlisted_recipient),
  message_size_limit: (c) => String(c.message_size_limit),
  line_length_limit: (c) => String(c.line_length_limit),
  smtpd_timeout: (c) => `${c.smtpd_timeout}s`,
  smtpd_error_sleep_time: (c) => `${c.smtpd_error_sleep_time}s`,
  smtpd_soft_error_limit: (c) => String(c.smtpd_soft_error_limit),
  smtpd_hard_error_limit: (c) => String(c.smtpd_hard_error_limit),
  smtpd_junk_command_limit: (c) => String(c.smtpd_junk_command_limit),
  smtpd_client_connection_count_limit: (c) => String(c.smtpd_client_connection_count_limit),
  disable_vrfy_command: (c) => yesNo(c.disable_vrfy_command),
  smtpd_tls_security_level: (c) => (c.smtpd_tls_security_level === 'none' ? '' : c.smtpd_tls_security_level),
  smtpd_upstream_proxy_protocol: (c) => c.smtpd_upstream_proxy_protocol,
  smtpd_milters: (c) => list(c.smtpd_milters),
  // postconf -x expands local_transport's default "local:$myhostname".
  local_transport: (c) => c.local_transport.replace(/\$(myhostname|\{myhostname\})/g, c.myhostname),
  virtual_transport: (c) => c.virtual_transport,
  relay_transport: (c) => c.relay_transport,
  default_transport: (c) => c.default_transport,
  inet_interfaces: (c) => (typeof c.inet_interfaces === 'string' ? c.inet_interfaces : list(c.inet_interfaces)),
  // null: the parameter is empty (rcpt-maps.ts: no lookup); a table's keys otherwise, as virtual_mailbox_maps.
  local_recipient_maps: (c) => (c.local_recipient_maps === null ? '' : `inline:{ ${c.local_recipient_maps.join(', ')} }`),
  // routing-config.ts: postconf -x expands virtual_alias_domains' default $virtual_alias_maps (and its $virtual_maps).
  virtual_alias_domains: (c) => (c.virtual_alias_domains === null ? table(c.virtual_alias_maps) : list(c.virtual_alias_domains)),
  virtual_alias_maps: (c) => table(c.virtual_alias_maps),
  transport_maps: (c) => table(c.transport_maps),
  relayhost: (c) => c.relayhost,
  proxy_interfaces: (c) => list(c.proxy_interfaces),
};

export const COMPARED_PARAMETERS: readonly string[] = Object.keys(MODEL_VALUE);

/** A value with blanks collapsed and list commas written ", " (postconf keeps the file's own spacing). */
function canonical(value: string): string {
  return value.trim().replace(/\s+/g, ' ').split(/ ?, ?/).filter(Boolean).join(', ');
}

export function modelSettings(config: PostfixConfig): Record<string, string> {
  return Object.fromEntries(COMPARED_PARAMETERS.map((name) => [name, canonical(MODEL_VALUE[name]!(config))]));
}

/** What the real smtpd service `service` (its master.cf name, e.g. 127.0.0.1:10025) runs with, from the configuration directory. */
export function realSettings(configDir: string, service: string): Record<string, string> {
  const postconf = (...args: string[]) => {
    const run = spawnSync('postconf', ['-c', configDir, ...args], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`postconf ${args.join(' ')}: ${run.stderr.trim()}`);
    return run.stdout.split('\n');
  };
  const values = postconf('-hx', ...COMPARED_PARAMETERS);
  const settings = Object.fromEntries(COMPARED_PARAMETERS.map((name, i) => [name, canonical(values[i] ?? '')]));
  for (const row of postconf('-P')) {
    const match = /^([^/]+)\/inet\/(\S+) = (.*)$/.exec(row);
    if (match && match[1] === service && match[2]! in settings) settings[match[2]!] = canonical(match[3]!);
  }
  return settings;
}
