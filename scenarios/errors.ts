/* errors - bad input, named precisely: the one error kind every layer throws for what a user gave
 *
 * A UsageError is what the CLI prints and exits 2 on, without special cases; it lives here, below
 * the CLI, so scenario loading, replay tokens and the runtime can throw it without importing cli/.
 * A ScenarioError is a UsageError with the scenario key at fault, when one key is.
 */

/** Thrown for bad input anywhere below a command; cli/main() prints it and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export class ScenarioError extends UsageError {
  readonly key: string | null;

  constructor(message: string, key: string | null = null) {
    super(message);
    this.key = key;
  }
}
