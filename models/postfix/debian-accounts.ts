/* debian-accounts - the accounts the lab takes passwd.byname to hold: the lab's stand-in for a host's passwd table
 *
 * Postfix's default local_recipient_maps is "proxy:unix:passwd.byname $alias_maps" (mail_params.h
 * DEF_LOCAL_RCPT_MAPS, v3.5.0 .. v3.10.13): a local recipient must be an account of the host (or an
 * alias). The lab reads no host's table, so it holds one: the accounts every Debian 12 host has,
 * base-passwd 3.6.1's /usr/share/base-passwd/passwd.master (what Debian's installer writes to
 * /etc/passwd). The recorded stack (Debian 12, models/postfix/config.ts labPreset()) adds the
 * accounts its postfix and dovecot packages create. An account a host adds beyond these (another
 * package's, a person's) is not in it: a scenario names them with postfix.local_recipient_maps.
 */
export const DEBIAN_ACCOUNTS: readonly string[] = [
  'root', 'daemon', 'bin', 'sys', 'sync', 'games', 'man', 'lp', 'mail', 'news', 'uucp', 'proxy', 'www-data', 'backup', 'list', 'irc', '_apt', 'nobody',
];
