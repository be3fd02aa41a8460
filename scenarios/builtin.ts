/* builtin - the scenarios smtp-lab ships, by name
 *
 * Each sets only the keys where it differs from the key defaults (scenarios/keys.ts), which
 * are Postfix 3.9, Dovecot 2.3 and the measured loopback timings.
 *   mailu-2.0, mailu-2024.06, mailu-2024.06-pr3322, mailu-2024.06.57: Mailu releases with the
 *                         components they ship (./mailu-releases.ts, where each version is read);
 *                         mailu-2024.06 is the bug of Mailu issue #3301, pr3322 its workaround.
 *   lockstep              the fixed sequencing: a proxy that waits for each reply.
 *   postfix-3.7           the same chain on Postfix 3.7 defaults (forbid defaults to no).
 *   nginx-port25          Mailu's port 25: nginx mail proxy, smtp_auth none, xclient on
 *                         (core/nginx/conf/nginx.conf mail {}); the client delivers without AUTH.
 *   haproxy-proxy-protocol  HAProxy mode tcp with send-proxy in front of Postfix 3.9 with
 *                         smtpd_upstream_proxy_protocol = haproxy: the client's address travels in
 *                         a PROXY header instead of XCLIENT, and the client logs in with Postfix's
 *                         own SASL (HAProxy does no SMTP), on the authenticated service.
 *   real-stack            the recorded runs (conformance/records, T1/A1): Postfix 3.7.11 with
 *                         forbid=yes behind Dovecot 2.3 on port 1587; real-stack-forbid-no: T4/B3.
 *                         Their scheduling keys are the calibration of the recorded batches
 *                         (real-stack.calibration.json, written by `smtp-lab calibrate --recorded`),
 *                         all but the run-queue wait (sim/run-queue.ts): that is the load of the
 *                         machine the batches ran on (3.4 to 11.9), which a live case's own
 *                         capture measures for its racy sessions (conformance/real-run.ts) and
 *                         which a single deterministic session, compared alone, cannot be held to.
 *                         The daemons' processing times fitted per batch (front.*_us, postfix.*_us,
 *                         auth.latency_ms) stay out for the same reason: under that load every step
 *                         took longer than in the quiet records the models' defaults come from
 *                         (Dovecot's EHLO→250 280-330 µs against A1's 147), so the built-in
 *                         real-stack keeps those defaults and a racy case takes its batch's own.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ScenarioValues } from './keys.ts';
import { MAILU_RELEASES } from './mailu-releases.ts';
import type { ScenarioDefinition } from './scenario.ts';

const define = (name: string, description: string, values: Partial<ScenarioValues>): ScenarioDefinition => ({ name, description, values });

const RECORDED_CALIBRATION = JSON.parse(readFileSync(join(import.meta.dirname, 'real-stack.calibration.json'), 'utf8')) as { values: Partial<ScenarioValues> };
/** The calibration's scheduling keys but the run-queue wait; its processing times stay out too (below). */
const SCHEDULING = Object.fromEntries(Object.entries(RECORDED_CALIBRATION.values).filter(([key]) => key.startsWith('sim.') && !key.startsWith('sim.run_queue_'))) as Partial<ScenarioValues>;
const REAL_STACK: Partial<ScenarioValues> = {
  ...SCHEDULING,
  'front.model': 'dovecot-2.3',
  'front.port': 1587,
  'postfix.mail_version': '3.7.11',
  'postfix.smtpd_forbid_unauth_pipelining': 'yes',
  // The lab's passdb is Lua inside Dovecot's auth process, not Mailu's HTTP service: AUTH → backend
  // SYN took 764 µs (median, records/calibration/default-a capture) = authRequestDelayUs (300 µs)
  // + this + the lab's loopback HTTP round trip (~60 µs).
  'auth.latency_ms': 0.4,
  // Its postconf -n (import/fixtures/debian-12/postconf-n.txt); with no milter reachable or not, it changes nothing.
  'postfix.milter_default_action': 'accept',
};

export const BUILTIN_SCENARIOS: readonly ScenarioDefinition[] = [
  ...MAILU_RELEASES,
  define('lockstep', 'lock-step proxy (waits for every reply) -> Postfix 3.9 defaults', { 'front.model': 'lockstep', 'postfix.mail_version': '3.9' }),
  define('postfix-3.7', 'Dovecot 2.3 submission proxy -> Postfix 3.7 defaults', { 'front.model': 'dovecot-2.3', 'postfix.mail_version': '3.7.11' }),
  define('nginx-port25', "Mailu's port 25: nginx mail proxy, smtp_auth none -> Postfix 3.9 defaults", {
    'front.model': 'nginx',
    'front.port': 25,
    'front.smtp_auth': 'none',
    'client.auth': 'none',
    'postfix.mail_version': '3.9',
    // Mailu's port-25 service is `smtp inet ... smtpd` without -o (core/postfix/conf/master.cf at 2024.06.0), and
    // main.cf sets none of these, so Postfix's defaults (mail_params.h v3.9.0): DEF_SMTPD_SASL_ENABLE 0,
    // DEF_SMTPD_EHLO_DIS_WORDS "" (PIPELINING advertised), DEF_SMTPD_REJ_UNL_RCPT 1; the 10025 service's -o are not read here.
    'postfix.smtpd_sasl_auth_enable': 'no',
    'postfix.smtpd_discard_ehlo_keywords': '',
    'postfix.smtpd_reject_unlisted_recipient': 'yes',
  }),
  define('haproxy-proxy-protocol', 'HAProxy mode tcp, send-proxy -> Postfix 3.9 with smtpd_upstream_proxy_protocol = haproxy and its own SASL', {
    'front.model': 'haproxy',
    'front.send_proxy': 'v1',
    'postfix.mail_version': '3.9',
    'postfix.smtpd_upstream_proxy_protocol': 'haproxy',
    // Its Postfix is import/fixtures/haproxy-postfix: main.cf keeps Postfix's defaults (mail_params.h v3.9.0), not
    // Mailu's main.cf and 10025 -o the layout preset has: DEF_HELO_REQUIRED 0, DEF_SMTPD_REJ_UNL_RCPT 1, DEF_RCPT_DELIM "",
    // DEF_SMTPD_EHLO_DIS_WORDS "", DEF_MESSAGE_LIMIT 10240000, DEF_XCLIENT_HOSTS "" (HAProxy sends no XCLIENT),
    // DEF_MYORIGIN "$myhostname" (mail.example.test), DEF_VIRT_TRANSPORT "virtual", DEF_VIRT_ALIAS_DOMS "$virtual_alias_maps".
    'postfix.smtpd_helo_required': 'no',
    'postfix.smtpd_reject_unlisted_recipient': 'yes',
    'postfix.recipient_delimiter': '',
    'postfix.smtpd_discard_ehlo_keywords': '',
    'postfix.message_size_limit': 10_240_000,
    'postfix.smtpd_authorized_xclient_hosts': '',
    'postfix.myorigin': 'mail.example.test',
    'postfix.virtual_transport': 'virtual',
    'postfix.virtual_alias_domains': '$virtual_alias_maps',
  }),
  define('real-stack', 'the recorded real stack: Dovecot 2.3.19.1 -> Postfix 3.7.11, smtpd_forbid_unauth_pipelining = yes', REAL_STACK),
  define('real-stack-forbid-no', 'the recorded real stack with smtpd_forbid_unauth_pipelining = no', { ...REAL_STACK, 'postfix.smtpd_forbid_unauth_pipelining': 'no' }),
];

export function builtinScenario(name: string): ScenarioDefinition | undefined {
  return BUILTIN_SCENARIOS.find((scenario) => scenario.name === name);
}

export const BUILTIN_NAMES: readonly string[] = BUILTIN_SCENARIOS.map((scenario) => scenario.name);
