/* front-listener - a port a front serves clients on, as the front's configuration states it
 *
 * Dovecot's inet_listener, nginx's `listen` and HAProxy's `bind` each name a port and say whether
 * it speaks TLS from the first byte and whether a PROXY header precedes SMTP. The import picks one listener
 * (the client's path through the deployment) and maps the front that owns it.
 */
import { keySpec } from '../scenarios/index.ts';
import type { AssumedEntry } from './entries.ts';
import type { Setting } from './source.ts';

export interface FrontListener {
  readonly front: 'dovecot' | 'nginx' | 'haproxy';
  readonly port: number;
  /** Implicit TLS (Dovecot `ssl = yes`, nginx `listen ... ssl`, HAProxy `bind ... ssl`). */
  readonly tls: boolean;
  /** A PROXY protocol header before SMTP (Dovecot `haproxy = yes`, nginx `listen ... proxy_protocol`, HAProxy `bind ... accept-proxy`). */
  readonly proxyProtocol: boolean;
  /** The listener's name (Dovecot), its frontend's (HAProxy) or '' (nginx). */
  readonly name: string;
  readonly setting: Setting;
}

/** The default path: the submission port, then implicit-TLS submission, then the only one. */
export const SUBMISSION_PORTS = [587, 465] as const;

export const FRONT_NAMES: Readonly<Record<FrontListener['front'], string>> = { dovecot: 'Dovecot', nginx: 'nginx', haproxy: 'HAProxy' };

/** front.port for a listener that speaks TLS from the first byte: the lab's plain port, said so. */
export function plainPortAssumed(listener: FrontListener): AssumedEntry {
  const spec = keySpec('front.port')!;
  return {
    list: 'assumed',
    key: 'front.port',
    value: String(spec.default),
    reason: `${FRONT_NAMES[listener.front]} serves this path on ${listener.port} with TLS only; the lab runs the session after the handshake in plain text on its submission port (the port is only a number to the lab)`,
  };
}
