/* free-port - a port on 127.0.0.1 that was free a moment ago, for a listener that cannot be told "port 0"
 *
 * The real daemons read their ports from a configuration file, so the port has to be chosen
 * before they start: the kernel picks an unused one for a probe socket, which is closed again.
 * Another program could take it in between; the kernel hands ephemeral ports out in a
 * randomised order, so that is unlikely, and a daemon that then fails to bind reports it.
 */
import net from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
