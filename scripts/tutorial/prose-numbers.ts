/* prose-numbers - the numbers a page's prose quotes from outputs that no longer print them
 *
 * Prose such as "after 22.113 ms" or "queued as 0A58720C000" cites an output. When the output
 * changes, the refresher rewrites the output blocks but never the prose: it names each number
 * the old outputs printed and the new ones do not, with its line, for a person to fix.
 * Numbers the prose works out itself (a difference, "about 3.8 s") are not found this way.
 */

/** Decimal and dotted numbers (22.113, 4.7.0) and upper-case hex ids with a digit (0A58720C000). */
export function numbersIn(text: string): string[] {
  return text
    .split(/[^0-9A-Za-z.]+/)
    .map((word) => word.replace(/^\.+|\.+$/g, ''))
    .filter((word) => /^\d+(?:\.\d+)*$/.test(word) || /^[0-9A-F]*[0-9][0-9A-F]*$/.test(word));
}

export interface StaleNumber {
  /** 1-based line of the prose. */
  readonly line: number;
  readonly number: string;
  readonly text: string;
}

/** The numbers of `prose` (page line index → text) that `oldOutputs` printed and `newOutputs` do not. */
export function staleNumbers(prose: ReadonlyMap<number, string>, oldOutputs: readonly string[], newOutputs: readonly string[]): StaleNumber[] {
  const printedBefore = new Set(oldOutputs.flatMap(numbersIn));
  const printedNow = new Set(newOutputs.flatMap(numbersIn));
  return [...prose].flatMap(([index, text]) =>
    [...new Set(numbersIn(text))]
      .filter((number) => printedBefore.has(number) && !printedNow.has(number))
      .map((number) => ({ line: index + 1, number, text })),
  );
}
