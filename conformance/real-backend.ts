/* real-backend - the real Postfix 3.7.11 as the backend of `serve`, set up as the scenario says
 *
 * The scenario's smtpd_forbid_unauth_pipelining and its XCLIENT lookup time (the real trigger:
 * the slow smtpd_authorized_xclient_hosts table) are applied to the real smtpd; the real Dovecot
 * only serves that smtpd's SASL socket here. It runs on the host's loopback (no namespace), so
 * the TCP mode cannot change, and on a free port unless one is asked for.
 */
import type { ExternalBackend } from '../runtime/serve-scenario.ts';
import type { Scenario } from '../scenarios/scenario.ts';
import { RealStack } from './real-stack.ts';

export async function startRealBackend(scenario: Scenario, port = 0): Promise<ExternalBackend> {
  const stack = await RealStack.start({ netns: null, ports: { postfix: port } });
  try {
    const forbid = scenario.isOn('postfix.smtpd_forbid_unauth_pipelining');
    const lookupMs = scenario.get('postfix.xclient_lookup_ms');
    await stack.configure({ forbid, tcpMode: 'default', xclientLookupMs: lookupMs > 0 ? lookupMs : null });
    const lookup = lookupMs > 0 ? `, XCLIENT lookup ${lookupMs} ms` : '';
    return {
      port: stack.ports.postfix,
      description: `postfix 127.0.0.1:${stack.ports.postfix} (real Postfix 3.7.11, smtpd_forbid_unauth_pipelining=${forbid ? 'yes' : 'no'}${lookup}; log ${stack.lab}/logs/postfix.log)`,
      stop: () => stack.stop(),
    };
  } catch (error) {
    await stack.stop();
    throw error;
  }
}
