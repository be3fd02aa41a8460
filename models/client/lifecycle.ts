/* lifecycle - the client session's life as a table (swaks' order: connect, talk, QUIT, close)
 *
 *   connecting ─▶ talking ─▶ giving-up ─▶ quit-answered ─▶ closing-after-quit ─▶ done
 *                    │  └───────────────────▲ (the script's own QUIT)
 *                    └─▶ hanging-up (the script ended without QUIT) ─▶ done
 * A failed reply moves talking to giving-up (swaks then sends QUIT); any state may end in done
 * (the server closed or reset, or the connect failed). A move the table does not list throws.
 */

export type Lifecycle = 'connecting' | 'talking' | 'giving-up' | 'quit-answered' | 'closing-after-quit' | 'hanging-up' | 'done';

const NEXT: Readonly<Record<Lifecycle, readonly Lifecycle[]>> = {
  connecting: ['talking', 'done'],
  talking: ['giving-up', 'quit-answered', 'hanging-up', 'done'],
  'giving-up': ['quit-answered', 'done'],
  'quit-answered': ['closing-after-quit', 'done'],
  'closing-after-quit': ['done'],
  'hanging-up': ['done'],
  done: [],
};

export function lifecycleStep(from: Lifecycle, to: Lifecycle): Lifecycle {
  if (!NEXT[from].includes(to)) throw new Error(`smtp client: ${from} -> ${to} is not a step of lifecycle.ts`);
  return to;
}

/** The session has heard the reply to QUIT, so a close from here on is the client's. */
export function quitAnswered(state: Lifecycle): boolean {
  return state === 'quit-answered' || state === 'closing-after-quit';
}
