/* off-cvt - off_cvt_string() (postfix/src/global/off_cvt.c, v3.7.11): a size in decimal digits as off_t
 *
 * MAIL's SIZE= is read with it after alldig() has accepted the digits; a number past OFF_T_MAX
 * (2^63 - 1 on the 64-bit builds the lab models) is -1, "overflow", which mail_cmd() refuses.
 */

const OFF_T_MAX = 2n ** 63n - 1n;

/** Whether off_t holds the value of `digits` (decimal digits only, as alldig() checked). */
export function isOffT(digits: string): boolean {
  return BigInt(digits) <= OFF_T_MAX;
}
