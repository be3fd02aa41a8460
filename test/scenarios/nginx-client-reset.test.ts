/* nginx-client-reset - a client that resets before it is logged in, through the whole chain (mailu-2.0: nginx 1.24 → Postfix 3.8)
 *
 * nginx meets the reset with its next recv() or send() on the client and logs it at info
 * (ngx_connection_error(), c->log_error = NGX_ERROR_INFO) with the action under way and
 * ngx_mail_log_error()'s context. While auth_http and the upstream are asked it reads nothing from
 * the client (ngx_mail_auth_http_block_read(), ngx_mail_proxy_block_read()), so the login goes on to
 * Postfix and the reset is met by the 235's send (ngx_mail_proxy_handler(s->connection->write), in
 * every release). Each line as Debian's nginx 1.22.1 wrote it on loopback.
 */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../scenarios/index.ts';
import { runScenario } from '../../scenarios/run.ts';

/** The client hop resets atUs after its SYN (fault reset_peer: RST to both ends). */
function resetAt(atUs: number, sets: string[] = []) {
  return runScenario(loadScenario({ scenario: 'mailu-2.0', sets }), { seed: 1, faults: { client: [{ name: 'reset_peer', atUs }] } });
}

const CONTEXT = ', client: 203.0.113.25, server: 192.168.203.2:587';
const LOGGED_IN = `${CONTEXT}, login: "alice@example.test", upstream: 192.168.203.4:10025`;

describe('nginx: a client that resets before it is logged in', () => {
  it('after the greeting, before EHLO: the auth state\'s recv() fails, logged at info; no auth request, no backend', () => {
    const report = resetAt(200);
    expect(report.client.replies).toEqual(['220 mail.example.test ESMTP ready']);
    expect(report.client.closedBy).toBe('reset');
    expect(report.front.log).toEqual([`nginx: [info] recv() failed (104: Connection reset by peer) while in auth state${CONTEXT}`]);
    expect(report.backend.connections).toBe(0);
    expect(report.heldAtEnd).toEqual([]);
  });

  it('while auth_http is asked: the login goes on to Postfix, then the 235\'s send() fails and nginx closes both sides', () => {
    for (const version of ['1.23.3', '1.24.0']) {
      const report = resetAt(3_000, [`front.version=${version}`]);
      expect(report.client.authReply, version).toBeNull();
      expect(report.backend.connections, version).toBe(1);
      expect(report.front.log, version).toEqual([
        `nginx: [info] client logged in${LOGGED_IN}`,
        `nginx: [info] send() failed (104: Connection reset by peer) while proxying and sending to client${LOGGED_IN}`,
      ]);
      // nginx closed the upstream at once: Postfix loses the connection after the client's EHLO nginx sent for it
      expect(report.postfix.log, version).toContainEqual('postfix/smtpd: lost connection after EHLO from unknown[203.0.113.25]');
      expect(report.heldAtEnd, version).toEqual([]);
    }
  });
});
