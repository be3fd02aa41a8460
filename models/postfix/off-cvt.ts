/* off-cvt - off_cvt_string() (postfix/src/global/off_cvt.c, v3.7.11): a size in decimal digits as off_t
 *
 * MAIL's SIZE= and BDAT's chunk size are read with it after alldig(); a number past OFF_T_MAX
 * (2^63 - 1 on the 64-bit builds the lab models) is -1, "overflow", which each command refuses.
 */

const OFF_T_MAX = 2n ** 63n - 1n;

/** Decimal digits (alldig(): at least one) whose value off_t holds. */
export function isOffT(text: string): boolean {
  return /^\d+$/.test(text) && BigInt(text) <= OFF_T_MAX;
}
