/* errors - the one error kind of scenario handling: bad input, named precisely
 *
 * A ScenarioError is a UsageError, so the CLI prints its message and exits 2 without
 * special cases. `key` is set when one key is at fault.
 */
import { UsageError } from '../cli/command.ts';

export class ScenarioError extends UsageError {
  readonly key: string | null;

  constructor(message: string, key: string | null = null) {
    super(message);
    this.key = key;
  }
}
