import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../../scenarios/errors.ts';
import { SCENARIO_KEYS, type ScenarioKey } from '../../scenarios/keys.ts';
import { FRONT_RELEASES_TEXT } from '../../scenarios/front-releases.ts';
import { POSTFIX_RELEASES_TEXT } from '../../models/postfix/releases.ts';
import { checkKeyJson, parseAssignment, parseKeyText } from '../../scenarios/values.ts';
import { SCRIPT_TEXT_ALLOWED } from '../../models/client/script-text.ts';
import { QUANTILE_LIST_ALLOWED } from '../../scenarios/quantile-list.ts';
import { milterReplyAllowed } from '../../models/postfix/milter.ts';
import { UsageError } from '../../cli/command.ts';
import { RESTRICTION_LIST_ALLOWED } from '../../scenarios/restriction-keys.ts';

/** One good and one bad value per key, as text for --set. */
const CASES: Record<ScenarioKey, readonly [good: string, bad: string, allowed: string]> = {
  'client.user': ['mallory@evil.test', '', 'any text (sent as UTF-8)'],
  'client.password': ['wrong', '', 'any text (sent as UTF-8)'],
  'client.helo': ['h.example.test', 'two words', 'a name without spaces'],
  'client.auth': ['LOGIN', 'XOAUTH2', 'PLAIN, LOGIN, none'],
  'client.auth_initial_response': ['no', 'maybe', 'yes, no'],
  'client.pipelining': ['yes', 'true', 'yes, no'],
  'client.from': ['', 'a b@x', 'an address without spaces or angle brackets (empty: the null sender)'],
  'client.to': ['carol@example.test', '<c@x>', 'an address without spaces or angle brackets (empty: the null sender)'],
  'client.wait_for_greeting': ['no', '0', 'yes, no'],
  'client.think_time_us': ['0', '1.5', 'an integer from 0 to 10000000'],
  'client.timeout_s': ['0.5', '0', 'a number from 0.001 to 86400'],
  'client.quit_after': ['AUTH', 'MAIL', 'none, AUTH'],
  'client.script': ['EHLO lab; NOOP x | HELP; QUIT', 'EHLO lab; NOOP \\q', SCRIPT_TEXT_ALLOWED],
  'front.model': ['haproxy', 'envoy', 'dovecot-2.3, dovecot-2.4, lockstep, nginx, haproxy'],
  'front.port': ['25', '0', 'an integer from 1 to 65535'],
  'front.version': ['2.4.1', 'latest', FRONT_RELEASES_TEXT],
  'front.login_proxy_max_reconnects': ['0', '-1', 'an integer from 0 to 100'],
  'front.login_proxy_timeout': ['5000', '0', 'an integer from 1 to 600000'],
  'front.command_reply_delay_us': ['280', '-1', 'an integer from 0 to 1000000'],
  'front.banner_reaction_us': ['400', '', 'an integer from 0 to 1000000'],
  'front.ehlo_reaction_us': ['20', '1.5', 'an integer from 0 to 1000000'],
  'front.hostname': ['smtp.example.org', 'two words', "a name: printable ASCII without blanks (Dovecot's empty default is the machine's name, which the lab does not have)"],
  'front.login_greeting': ['Hello there.', 'two\r\nlines', 'one line of text'],
  'front.auth_mechanisms': ['login plain', 'cram-md5', 'plain login, login plain, plain, login'],
  'front.submission_backend_capabilities': ['8bitmime, BINARYMIME', '8BITMIME SMTPUTF8', 'lib-smtp capability names separated by blanks or commas, any case (AUTH, STARTTLS, PIPELINING, SIZE, ENHANCEDSTATUSCODES, 8BITMIME, CHUNKING, BINARYMIME, BURL, DSN, VRFY, ETRN, XCLIENT); empty: none'],
  'front.submission_max_mail_size': ['10485760', '10M', 'an integer from 0 to 9007199254740991'],
  'front.submission_client_workarounds': ['exotic-backend', 'whitespace-before-path', ', exotic-backend'],
  'front.auth_failure_delay': ['0', '2 secs', 'an integer from 0 to 86400'],
  'front.server_name': ['smtp.example.org', '', 'a name: printable ASCII without blanks'],
  'front.smtp_capabilities': ['PIPELINING "SIZE 10240000" 8BITMIME', 'PIPELINING "SIZE', 'capabilities as nginx.conf writes smtp_capabilities\' arguments: blank-separated, one with blanks in "double quotes" (e.g. PIPELINING "SIZE 10240000" 8BITMIME); empty: none'],
  'front.proxy_pass_error_message': ['off', 'no', 'on, off'],
  'front.timeout': ['5m', '1M', 'an nginx time in milliseconds as for front.proxy_timeout (e.g. 60s, 5m, 500ms)'],
  'front.smtp_client_buffer': ['8192', '0', 'an nginx size: digits, optionally k or m (1024 or 1024 * 1024), not 0 (e.g. 4k, 8192)'],
  'front.smtp_auth': ['none', 'cram-md5', 'none, plain, login, login plain'],
  'front.xclient': ['off', 'yes', 'on, off'],
  'front.max_errors': ['1', '0', 'an integer from 1 to 1000'],
  'front.so_keepalive': ['30m::10', '30ms', 'empty (no so_keepalive on the listen line), on, off, or [keepidle]:[keepintvl]:[keepcnt] (nginx times in seconds, a count)'],
  'front.proxy_timeout': ['1m30s', '1y', 'an nginx time in milliseconds (ngx_conf_set_msec_slot()): digits with units w d h m s ms in that order, a unitless number is seconds (e.g. 10s, 1m30s, 500ms, 24h)'],
  'front.send_proxy': ['v2', 'v3', 'none, v1, v2'],
  'front.timeout_connect': ['0', '-1', 'an integer from 0 to 2147483647'],
  'front.timeout_client': ['3600000', '5s', 'an integer from 0 to 2147483647'],
  'front.timeout_server': ['2147483647', '2147483648', 'an integer from 0 to 2147483647'],
  'front.retries': ['0', '-1', 'an integer from 0 to 100'],
  'front.clitcpka': ['on', 'yes', 'on, off'],
  'front.clitcpka_idle': ['30s', '30x', 'empty, or a time: digits with an optional unit us, ms, s, m, h, d (none: seconds), rounded up to whole seconds'],
  'front.clitcpka_intvl': ['500ms', 's', 'empty, or a time: digits with an optional unit us, ms, s, m, h, d (none: seconds), rounded up to whole seconds'],
  'front.clitcpka_cnt': ['0x10', '3s', 'empty, or an integer as strtol(value, 0) reads it (decimal, 0x hex, 0 octal)'],
  'front.srvtcpka': ['off', '1', 'on, off'],
  'front.srvtcpka_idle': ['2h', '3000000000', 'empty, or a time: digits with an optional unit us, ms, s, m, h, d (none: seconds), rounded up to whole seconds'],
  'front.srvtcpka_intvl': ['1us', '-1', 'empty, or a time: digits with an optional unit us, ms, s, m, h, d (none: seconds), rounded up to whole seconds'],
  'front.srvtcpka_cnt': ['010', '9 ', 'empty, or an integer as strtol(value, 0) reads it (decimal, 0x hex, 0 octal)'],
  'postfix.mail_version': ['3.8.4', '3.4.14', `a modelled Postfix release: ${POSTFIX_RELEASES_TEXT}`],
  'postfix.smtpd_forbid_unauth_pipelining': ['no', 'No', 'yes, no'],
  'postfix.xclient_lookup_ms': ['100', '1e3', 'a number from 0 to 600000'],
  'postfix.milter_ms': ['2.5', 'fast', 'a number from 0 to 600000'],
  'postfix.milter_connect_reply': ['unavailable', '550 4.7.1 mixed', milterReplyAllowed('connect')],
  'postfix.milter_helo_reply': ['discard', 'unavailable', milterReplyAllowed('helo')],
  'postfix.milter_mail_reply': ['quarantine', 'unavailable', milterReplyAllowed('mail')],
  'postfix.milter_rcpt_reply': ['451 4.7.1 later', 'unavailable', milterReplyAllowed('rcpt')],
  'postfix.milter_end_of_message_reply': ['quarantine', 'shutdown', milterReplyAllowed('endOfMessage')],
  'postfix.milter_default_action': ['quarantine', 'discard', 'tempfail, reject, accept, quarantine, shutdown'],
  'postfix.banner_delay_ms': ['0', '600001', 'a number from 0 to 600000'],
  'postfix.banner_reuse_delay_us': ['450', '1000001', 'an integer from 0 to 1000000'],
  'postfix.ehlo_delay_us': ['25', 'x', 'an integer from 0 to 1000000'],
  'postfix.smtpd_authorized_xclient_hosts': ['10.0.0.0/8, 192.168.1.7', 'mail.example.test', 'IPv4 addresses or CIDR blocks, separated by commas or spaces (empty: no host may send XCLIENT)'],
  'postfix.mynetworks': ['10.0.0.0/8, [2001:db8::]/32 !host.example.test', '2001:db8::/32', "IPv4 addresses or networks (a.b.c.d/n), [IPv6] networks, or host names, separated by commas or spaces, each may start with '!' (no type:table or /file; IPv6 in [brackets]; empty: none)"],
  'postfix.mydestination': ['mail.example.test, localhost', '!', "domain names, separated by commas or spaces, each may start with '!' (no type:table or /file; IPv6 in [brackets]; empty: none)"],
  'postfix.virtual_mailbox_domains': ['example.test example.org', 'hash:/etc/postfix/vdomains', "domain names, separated by commas or spaces, each may start with '!' (no type:table or /file; IPv6 in [brackets]; empty: none)"],
  'postfix.relay_domains': ['!internal.example.test, example.test', '/etc/postfix/relay_domains', "domain names, separated by commas or spaces, each may start with '!' (no type:table or /file; IPv6 in [brackets]; empty: none)"],
  'postfix.smtpd_helo_required': ['no', 'required', 'yes, no'],
  'postfix.smtpd_sasl_auth_enable': ['no', 'on', 'yes, no'],
  'postfix.smtpd_soft_error_limit': ['3', '0', 'an integer from 1 to 10000'],
  'postfix.smtpd_hard_error_limit': ['5', '0', 'an integer from 1 to 10000'],
  'postfix.smtpd_error_sleep_time': ['0', '1s', 'an integer from 0 to 3600'],
  'postfix.smtpd_junk_command_limit': ['2', '0', 'an integer from 1 to 10000'],
  'postfix.line_length_limit': ['512', '511', 'an integer from 512 to 1048576'],
  'postfix.disable_vrfy_command': ['yes', 'on', 'yes, no'],
  'postfix.smtpd_reject_unlisted_recipient': ['no', 'off', 'yes, no'],
  'postfix.smtpd_client_restrictions': ['permit_mynetworks, reject_unauth_destination', 'reject_rbl_client zen.example', RESTRICTION_LIST_ALLOWED],
  'postfix.smtpd_helo_restrictions': ['permit_mynetworks, reject_unauth_destination', 'reject_rbl_client zen.example', RESTRICTION_LIST_ALLOWED],
  'postfix.smtpd_sender_restrictions': ['permit_mynetworks, reject_unauth_destination', 'reject_rbl_client zen.example', RESTRICTION_LIST_ALLOWED],
  'postfix.smtpd_relay_restrictions': ['permit_mynetworks, reject_unauth_destination', 'reject_rbl_client zen.example', RESTRICTION_LIST_ALLOWED],
  'postfix.smtpd_recipient_restrictions': ['permit_mynetworks, reject_unauth_destination', 'reject_rbl_client zen.example', RESTRICTION_LIST_ALLOWED],
  'postfix.smtpd_data_restrictions': ['permit_mynetworks, reject_unauth_destination', 'reject_rbl_client zen.example', RESTRICTION_LIST_ALLOWED],
  'postfix.smtpd_end_of_data_restrictions': ['permit_mynetworks, reject_unauth_destination', 'reject_rbl_client zen.example', RESTRICTION_LIST_ALLOWED],
  'postfix.smtpd_etrn_restrictions': ['permit_mynetworks, reject_unauth_destination', 'reject_rbl_client zen.example', RESTRICTION_LIST_ALLOWED],
  'postfix.smtpd_delay_reject': ['no', 'later', 'yes, no'],
  'postfix.soft_bounce': ['yes', 'on', 'yes, no'],
  'postfix.smtpd_reject_unlisted_sender': ['yes', '1', 'yes, no'],
  'postfix.smtpd_sender_login_maps': ['inline:{ a@example.test=a, {b@example.test = a, b} }', 'socketmap:unix:/tmp/podop.socket:senderlogin', 'empty, or inline:{ address=login[,login...], ... } ({address = a, b} for several owners)'],
  'postfix.smtpd_restriction_classes': ['from_freemail, strict', 'a=b', 'names separated by commas or spaces, each defined in postfix.restriction_class_definitions; empty: none'],
  'postfix.restriction_class_definitions': ['strict = reject_non_fqdn_sender, reject', 'strict = reject_rbl_client zen.example', 'one main.cf line per class, "name = restrictions" (empty: none)'],
  'postfix.reject_code': ['550', '1000', 'an integer from 0 to 999'],
  'postfix.defer_code': ['550', '1000', 'an integer from 0 to 999'],
  'postfix.access_map_reject_code': ['550', '1000', 'an integer from 0 to 999'],
  'postfix.access_map_defer_code': ['550', '1000', 'an integer from 0 to 999'],
  'postfix.relay_domains_reject_code': ['550', '1000', 'an integer from 0 to 999'],
  'postfix.non_fqdn_reject_code': ['550', '1000', 'an integer from 0 to 999'],
  'postfix.invalid_hostname_reject_code': ['550', '1000', 'an integer from 0 to 999'],
  'postfix.plaintext_reject_code': ['550', '1000', 'an integer from 0 to 999'],
  'postfix.virtual_mailbox_maps': ['inline:{ alice@example.test=1, @example.net=1 }', 'hash:/etc/postfix/vmailbox', 'empty (no table), or inline:{ address=value, ... }'],
  'postfix.local_recipient_maps': ['inline:{ root=x, bob@[127.0.0.1]=x }', 'proxy:unix:passwd.byname', 'empty (no table), or inline:{ name=value, ... }'],
  'postfix.myorigin': ['example.test', '$mydomain', 'a domain name without white space or $ (not empty: Postfix does not start)'],
  'postfix.local_transport': ['error:5.1.1 local delivery is disabled', ':local', 'transport[:nexthop], e.g. smtp, lmtp:inet:host:port, error:5.7.1 text'],
  'postfix.virtual_transport': ['lmtp:inet:192.168.203.2:2525', 'retry:$myhostname is down', 'transport[:nexthop], e.g. smtp, lmtp:inet:host:port, error:5.7.1 text'],
  'postfix.relay_transport': ['error', 'error:5.7.1', 'transport[:nexthop], e.g. smtp, lmtp:inet:host:port, error:5.7.1 text'],
  'postfix.default_transport': ['smtp:[relay.example.test]:587', '', 'transport[:nexthop], e.g. smtp, lmtp:inet:host:port, error:5.7.1 text'],
  'postfix.inet_interfaces': ['127.0.0.1, ::1', 'mail.example.test', 'all, loopback-only, or IPv4/IPv6 addresses separated by commas or spaces'],
  'postfix.virtual_alias_domains': ['alias.test, !old.alias.test', 'hash:/etc/postfix/valias', "$virtual_alias_maps, or domain names separated by commas or spaces, each may start with '!' (no type:table or /file; empty: none)"],
  'postfix.virtual_alias_maps': ['inline:{ bob@alias.test=x, @catch.test=x, carol=x }', 'socketmap:unix:/tmp/podop.socket:alias', 'empty (no table), or inline:{ key=value, ... }'],
  'postfix.transport_maps': ['inline:{ {retry.test = retry:4.4.1 later}, {* = error} }', 'inline:{ {x.test = error:5.7.1} }', 'empty (no table), or inline:{ key=transport[:nexthop], ... } ({key = error:5.7.1 text with spaces} in braces)'],
  'postfix.relayhost': ['[relay.example.test]:587', '$mydomain', 'empty, or a host without white space or $ (e.g. [relay.example.test]:587)'],
  'postfix.proxy_interfaces': ['192.0.2.7, 2001:db8::7', 'proxy.example.test', 'IPv4/IPv6 addresses separated by commas or spaces (empty: none)'],
  'postfix.recipient_delimiter': ['+-', '+ -', 'characters without white space (empty: none)'],
  'postfix.smtpd_discard_ehlo_keywords': ['pipelining, silent-discard', 'pipelining;', 'EHLO keywords separated by commas or spaces (unknown ones are ignored, silent-discard stops the log line; empty: none)'],
  'postfix.message_size_limit': ['0', '-1', 'an integer from 0 to 9007199254740991'],
  'postfix.fail_at': ['xclient', 'rcpt', 'none, banner, ehlo, xclient, mail, data'],
  'postfix.fail_reply': ['421 4.3.2 Service shutting down', '42 short', "a one-line reply 'NNN text', disconnect (close without a word) or stall (answer nothing until the 18000 s watchdog)"],
  'postfix.fail_sessions': ['1', '-1', 'an integer from 0 to 1000'],
  'postfix.smtpd_client_connection_count_limit': ['0', '10001', 'an integer from 0 to 10000'],
  'postfix.smtpd_timeout': ['3600', '0', 'an integer from 1 to 86400'],
  'auth.latency_ms': ['0.25', '-3', 'a number from 0 to 600000'],
  'auth.fault': ['refused', 'http404', 'none, timeout, http500, refused'],
  'auth.mailu_version': ['2024.06.9', '2024.06.58', 'a modelled Mailu release: 2.0.43, 2024.06.0-2024.06.57'],
  'tcp.profile': ['quickack', 'cubic', 'linux-default, pingpong3, quickack, nodelay'],
  'tcp.client_profile': ['nodelay', 'fast', 'linux-default, pingpong3, quickack, nodelay'],
  'tcp.one_way_delay_us': ['40', '1.5', 'an integer from 0 to 10000000'],
  'sim.scheduling_jitter_us': ['0', '-5', 'an integer from 0 to 1000000'],
  'postfix.smtpd_process_reused': ['yes', 'maybe', 'yes, no'],
  'postfix.smtpd_upstream_proxy_protocol': ['haproxy', 'nginx', 'empty (no upstream proxy, the default) or haproxy'],
  'postfix.smtpd_upstream_proxy_timeout': ['10', '0', 'an integer from 1 to 86400'],
  'sim.wakeup_preempt_per_mille': ['213', '1001', 'an integer from 0 to 1000'],
  'sim.wakeup_latency_min_us': ['26', '1.5', 'an integer from 0 to 1000000'],
  'sim.wakeup_latency_median_us': ['45', '-1', 'an integer from 0 to 1000000'],
  'sim.wakeup_latency_max_us': ['95', 'x', 'an integer from 0 to 1000000'],
  'sim.wakeup_busy_per_mille': ['300', '-1', 'an integer from 0 to 1000'],
  'sim.wakeup_busy_preempt_per_mille': ['90', '1001', 'an integer from 0 to 1000'],
  'sim.run_queue_wait_per_mille': ['105', '1001', 'an integer from 0 to 1000'],
  'sim.run_queue_wait_quantiles_us': ['864,1200,3391,18544', '864,3391,1200', QUANTILE_LIST_ALLOWED],
  'sim.run_queue_idle_burst_per_mille': ['460', '-1', 'an integer from 0 to 1000'],
  'sim.run_queue_busy_burst_per_mille': ['120', '1001', 'an integer from 0 to 1000'],
  'sim.run_queue_burst_wait_per_mille': ['175', '1001', 'an integer from 0 to 1000'],
};

/** Keys whose checker says more than "not allowed": what it says about the bad value above. */
const PROBLEMS: Partial<Record<ScenarioKey, string>> = {
  'front.so_keepalive': ': invalid so_keepalive value: "30ms"', // ngx_mail_core_listen()
  'front.proxy_timeout': ': "proxy_timeout" directive invalid value', // ngx_conf_set_msec_slot(): a msec time starts past the month
  'front.timeout': ': "timeout" directive invalid value', // the same slot: no months in milliseconds
  'front.smtp_client_buffer': ': a buffer of 0 bytes reads nothing and nginx closes every session at its first read; the lab takes 1 byte or more',
  // client.c client_parse_backend_capabilities(): an unknown name is warned about and skipped
  'front.submission_backend_capabilities': ': SMTPUTF8: not a capability lib-smtp knows (Dovecot warns "Unknown SMTP capability in submission_backend_capabilities" and skips it: leave it out)',
  'front.smtp_capabilities': ': no argument can be read at ""SIZE" (quote a word with blanks in "..." or \'...\', no backslashes or stray quotes)',
  // HAProxy's own refusals (src/proxy.c proxy_parse_tcpka_idle/_intvl/_cnt, src/tools.c parse_time_err)
  'front.clitcpka_idle': ": unexpected character 'x' in argument to <clitcpka-idle>.",
  'front.clitcpka_intvl': ": unexpected character 's' in argument to <clitcpka-intvl>.",
  'front.clitcpka_cnt': ": 'clitcpka-cnt' : unexpected character 's' in integer value '3s'",
  'front.srvtcpka_idle': ": timer overflow in argument '3000000000' to 'srvtcpka-idle' (maximum value is 2147483647 ms or ~24.8 days)",
  'front.srvtcpka_intvl': ": unexpected character '-' in argument to <srvtcpka-intvl>.",
  'front.srvtcpka_cnt': ": 'srvtcpka-cnt' : unexpected character ' ' in integer value '9 '",
  'client.script': ': column 16: unknown escape \\q; escapes are \\r \\n \\t \\0 \\xHH \\\\ \\; \\| and \\c at the end of a command',
  'postfix.milter_connect_reply': ': "550 4.7.1 mixed": the enhanced status code\'s class 4 differs from the reply\'s 5 (milter8 refuses it as malformed)',
  'postfix.milter_helo_reply': ': "unavailable" is not an answer at helo: whether smtpd reaches the milter is found at connect',
  'postfix.milter_mail_reply': ': "unavailable" is not an answer at mail: whether smtpd reaches the milter is found at connect',
  'postfix.milter_rcpt_reply': ': "unavailable" is not an answer at rcpt: whether smtpd reaches the milter is found at connect',
  'postfix.virtual_mailbox_maps': ': virtual_mailbox_maps: "hash:/etc/postfix/vmailbox": the lab looks up one inline:{ key=value, ... } table only (its keys are the table); other table types hold keys it cannot see',
  'postfix.local_recipient_maps': ': local_recipient_maps: "proxy:unix:passwd.byname": the lab looks up one inline:{ key=value, ... } table only (its keys are the table); other table types hold keys it cannot see',
  // trivial-rewrite resolve.c resolve_addr() and smtpd_check.c check_rcpt_maps() (v3.7.11): transports.ts transportProblem().
  'postfix.local_transport': ': local_transport: ":local": Postfix refuses a null transport (resolve.c resolve_addr(): "null transport is not allowed"); write transport[:nexthop]',
  'postfix.virtual_transport': ': virtual_transport: "retry:$myhostname is down": the lab does not expand $parameters in the retry: transport\'s text; write the text itself',
  'postfix.relay_transport': ': relay_transport: "error:5.7.1": a DSN with no text after it, which dsn_split() reads past; add the text',
  'postfix.default_transport': ': default_transport: "": Postfix refuses a null transport (resolve.c resolve_addr(): "null transport is not allowed"); write transport[:nexthop]',
  'postfix.inet_interfaces': ': inet_interfaces: "mail.example.test" is not an IPv4 or IPv6 address: the lab resolves no host names (own_inet_addr.c: "host not found" for a name that does not resolve); allowed: all, loopback-only, or addresses',
  'sim.run_queue_wait_quantiles_us': ': value 3 (1200) is below the one before it (3391)',
  // routing-config.ts (trivial-rewrite resolve.c, transport.c, own_inet_addr.c; v3.7.11)
  'postfix.virtual_alias_domains': ': "hash:/etc/postfix/valias" is a type:table to Postfix (match_list.c match_list_parse(): a \':\' outside [brackets]), which the lab cannot open; list what it holds instead',
  'postfix.virtual_alias_maps': ': virtual_alias_maps: "socketmap:unix:/tmp/podop.socket:alias": the lab reads one inline:{ key=value, ... } table only; other table types hold entries it cannot see',
  'postfix.transport_maps': ': transport_maps: "x.test = error:5.7.1": a DSN with no text after it, which dsn_split() reads past; add the text',
  'postfix.proxy_interfaces': ': proxy_interfaces: "proxy.example.test" is not an IPv4 or IPv6 address: the lab resolves no host names (own_inet_addr.c proxy_inet_addr_init(): "host not found" for a name that does not resolve)',
  // util/match_list.c match_list_parse() (v3.7.11): MATCH_DICTIONARY() and a leading '/', then the lone '!'.
  'postfix.mynetworks': ': "2001:db8::/32" is a type:table to Postfix (match_list.c match_list_parse(): a \':\' outside [brackets]), which the lab cannot open; list what it holds instead',
  'postfix.mydestination': ': mydestination: Postfix does not start: "mydestination: no pattern after \'!\'" (match_list_parse())',
  'postfix.virtual_mailbox_domains': ': "hash:/etc/postfix/vdomains" is a type:table to Postfix (match_list.c match_list_parse(): a \':\' outside [brackets]), which the lab cannot open; list what it holds instead',
  'postfix.relay_domains': ': "/etc/postfix/relay_domains" is a file to Postfix (match_list.c match_list_parse()), which the lab cannot open; list what it holds instead',
  'postfix.milter_end_of_message_reply': ': "shutdown" is not an answer at endOfMessage: a shutdown at the end of the message (cleanup) is not modelled',
  // restriction-config.ts (smtpd_check.c v3.7.11): restrictions that need DNS, tables the lab cannot read.
  'postfix.smtpd_client_restrictions': ': smtpd_client_restrictions: reject_rbl_client: the lab has no DNS and no policy service to answer this; remove it or run the real Postfix',
  'postfix.smtpd_helo_restrictions': ': smtpd_helo_restrictions: reject_rbl_client: the lab has no DNS and no policy service to answer this; remove it or run the real Postfix',
  'postfix.smtpd_sender_restrictions': ': smtpd_sender_restrictions: reject_rbl_client: the lab has no DNS and no policy service to answer this; remove it or run the real Postfix',
  'postfix.smtpd_relay_restrictions': ': smtpd_relay_restrictions: reject_rbl_client: the lab has no DNS and no policy service to answer this; remove it or run the real Postfix',
  'postfix.smtpd_recipient_restrictions': ': smtpd_recipient_restrictions: reject_rbl_client: the lab has no DNS and no policy service to answer this; remove it or run the real Postfix',
  'postfix.smtpd_data_restrictions': ': smtpd_data_restrictions: reject_rbl_client: the lab has no DNS and no policy service to answer this; remove it or run the real Postfix',
  'postfix.smtpd_end_of_data_restrictions': ': smtpd_end_of_data_restrictions: reject_rbl_client: the lab has no DNS and no policy service to answer this; remove it or run the real Postfix',
  'postfix.smtpd_etrn_restrictions': ': smtpd_etrn_restrictions: reject_rbl_client: the lab has no DNS and no policy service to answer this; remove it or run the real Postfix',
  'postfix.smtpd_sender_login_maps': ': smtpd_sender_login_maps: "socketmap:unix:/tmp/podop.socket:senderlogin": the lab reads an inline:{ address=login, ... } table only; other table types hold owners it cannot see',
  'postfix.restriction_class_definitions': ': strict: reject_rbl_client: the lab has no DNS and no policy service to answer this; remove it or run the real Postfix',
};

describe('the key table', () => {
  it('has exactly the keys the tests cover, in an order where derived defaults read keys above them', () => {
    expect(SCENARIO_KEYS.map((k) => k.name).sort()).toEqual(Object.keys(CASES).sort());
    const names = SCENARIO_KEYS.map((k) => k.name);
    expect(names.indexOf('client.from')).toBeGreaterThan(names.indexOf('client.user'));
    expect(names.indexOf('client.auth_initial_response')).toBeGreaterThan(names.indexOf('client.auth'));
    expect(names.indexOf('postfix.smtpd_forbid_unauth_pipelining')).toBeGreaterThan(names.indexOf('postfix.mail_version'));
  });

  it('has a description for every key', () => {
    for (const spec of SCENARIO_KEYS) expect(spec.description.length, spec.name).toBeGreaterThan(10);
  });
});

describe('each key validates its values', () => {
  for (const [key, [good, bad, allowed]] of Object.entries(CASES)) {
    it(key, () => {
      const numeric = ['integer', 'number'].includes(SCENARIO_KEYS.find((k) => k.name === key)?.type.kind ?? '');
      expect(parseKeyText(key, good)).toBe(numeric ? Number(good) : good);
      if (key === 'client.user' || key === 'client.password') return; // any text, even empty, is a credential
      let error: unknown;
      try {
        parseKeyText(key, bad);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ScenarioError);
      expect((error as ScenarioError).key).toBe(key);
      expect((error as Error).message).toBe(`${key}: '${bad}' is not allowed${PROBLEMS[key as ScenarioKey] ?? ''}; allowed values: ${allowed}`);
    });
  }

  it('takes numeric text for numbers and keeps it a number', () => {
    expect(parseKeyText('client.think_time_us', '200')).toBe(200);
    expect(parseKeyText('postfix.xclient_lookup_ms', '0.05')).toBe(0.05);
  });
});

describe('--set and JSON values', () => {
  it('parses key=value, with = allowed in the value', () => {
    expect(parseAssignment('client.password=a=b')).toEqual(['client.password', 'a=b']);
    expect(parseAssignment('postfix.xclient_lookup_ms=100')).toEqual(['postfix.xclient_lookup_ms', 100]);
  });

  it('refuses an assignment without =', () => {
    expect(() => parseAssignment('tcp.profile')).toThrow("--set 'tcp.profile': expected key=value, e.g. --set tcp.profile=quickack");
  });

  it('names the unknown key and lists the known ones', () => {
    expect(() => parseAssignment('tcp.profil=quickack')).toThrow(/^unknown scenario key 'tcp.profil'; known keys: client.user, client.password, .*tcp.profile/);
  });

  it('refuses a retired key by naming the key that replaced it', () => {
    for (const q of ['min', 'median', 'max']) {
      expect(() => parseAssignment(`sim.run_queue_wait_${q}_us=864`)).toThrow(`scenario key 'sim.run_queue_wait_${q}_us' was retired: the run-queue wait is now drawn from its quantiles: give sim.run_queue_wait_quantiles_us instead`);
      expect(() => checkKeyJson(`sim.run_queue_wait_${q}_us`, 864)).toThrow(ScenarioError);
    }
    expect(() => parseAssignment('sim.run_queue_burst_per_mille=240')).toThrow("scenario key 'sim.run_queue_burst_per_mille' was retired: the burst chance is now one per load state of the race: give sim.run_queue_idle_burst_per_mille and sim.run_queue_busy_burst_per_mille");
    expect(() => parseAssignment('constructor=1')).toThrow(/^unknown scenario key 'constructor'/);
  });

  it('a quantile list: whole µs, comma-separated, each no larger than 1 s', () => {
    expect(parseKeyText('sim.run_queue_wait_quantiles_us', '700')).toBe('700');
    expect(() => parseKeyText('sim.run_queue_wait_quantiles_us', '500, 900')).toThrow(/is not allowed; allowed values: comma-separated/);
    expect(() => parseKeyText('sim.run_queue_wait_quantiles_us', '')).toThrow(/is not allowed; allowed values: comma-separated/);
    expect(() => parseKeyText('sim.run_queue_wait_quantiles_us', '500,1000001')).toThrow("sim.run_queue_wait_quantiles_us: '500,1000001' is not allowed: value 2 (1000001) is above 1000000");
  });

  it('a ScenarioError is a UsageError (the CLI exits 2 on it)', () => {
    expect(() => parseAssignment('nope=1')).toThrow(UsageError);
  });

  it('JSON keeps types: numbers for number keys, strings for the others', () => {
    expect(checkKeyJson('front.port', 25)).toBe(25);
    expect(checkKeyJson('front.port', '25')).toBe(25);
    expect(() => checkKeyJson('client.pipelining', true)).toThrow('client.pipelining: expected a string, got a boolean (true); allowed values: yes, no');
    expect(() => checkKeyJson('front.port', null)).toThrow('front.port: expected a number, got null (null); allowed values: an integer from 1 to 65535');
    expect(() => checkKeyJson('client.auth', 3)).toThrow('client.auth: 3 is not allowed; allowed values: PLAIN, LOGIN, none');
    expect(() => checkKeyJson('front.port', 2.5)).toThrow('front.port: 2.5 is not allowed; allowed values: an integer from 1 to 65535');
  });
});
