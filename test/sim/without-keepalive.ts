/* without-keepalive - a node whose real program would set no SO_KEEPALIVE: for tests that show what the kernel's keepalive ends
 *
 * Spies on Simulation.addNode (restore with vi.restoreAllMocks()): the named node's listeners accept
 * without SO_KEEPALIVE and its connects ask for none, whatever the model says.
 */
import { vi } from 'vitest';
import type { Model } from '../../models/contract.ts';
import { Simulation, type NodeOptions } from '../../sim/simulation.ts';

export function withoutKeepalive(nodeName: string): void {
  const addNode = Simulation.prototype.addNode;
  vi.spyOn(Simulation.prototype, 'addNode').mockImplementation(function (this: Simulation, model: Model, options: NodeOptions = {}) {
    if (model.name !== nodeName) return addNode.call(this, model, options);
    const poll = model.poll.bind(model);
    model.poll = () => {
      const output = poll();
      return output?.kind === 'connect' ? { ...output, keepAlive: false } : output;
    };
    return addNode.call(this, model, { ...options, listen: options.listen?.map((listen) => ({ ...listen, keepAlive: false })) });
  });
}
