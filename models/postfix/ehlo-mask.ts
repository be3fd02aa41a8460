/* ehlo-mask - smtpd_discard_ehlo_keywords as Postfix reads and prints it
 *
 * postfix/src/global/ehlo_mask.c (v3.7.11): names are matched case-insensitively and
 * unknown names are ignored (NAME_MASK_IGNORE); str_ehlo_mask() prints the FIRST table
 * name of each bit, which is why SMTPUTF8 prints as "EHLO_MASK_SMTPUTF8".
 */

const ehloMaskTable: readonly (readonly [string, number])[] = [
  ['8BITMIME', 1 << 0],
  ['AUTH', 1 << 1],
  ['ETRN', 1 << 2],
  ['PIPELINING', 1 << 3],
  ['SIZE', 1 << 4],
  ['VERP', 1 << 5],
  ['VRFY', 1 << 6],
  ['XCLIENT', 1 << 7],
  ['XFORWARD', 1 << 8],
  ['STARTTLS', 1 << 9],
  ['ENHANCEDSTATUSCODES', 1 << 10],
  ['DSN', 1 << 11],
  ['EHLO_MASK_SMTPUTF8', 1 << 12],
  ['SMTPUTF8', 1 << 12],
  ['CHUNKING', 1 << 13],
  ['SILENT-DISCARD', 1 << 14],
];

export const EHLO_MASK_SILENT = 1 << 14;
export const EHLO_MASK_ENHANCEDSTATUSCODES = 1 << 10;

/** The table as a lookup (names are unique; EHLO answers ask once per keyword). */
const bitByName: ReadonlyMap<string, number> = new Map(ehloMaskTable);

/** One keyword's bit, 0 when unknown (NAME_MASK_IGNORE). */
/** Bits by the spelling asked about, so a keyword is upper-cased once, not at every EHLO; bounded. */
const bitBySpelling = new Map<string, number>();
const MAX_SPELLINGS = 256;

function keywordBit(word: string): number {
  let bit = bitBySpelling.get(word);
  if (bit === undefined) {
    if (bitBySpelling.size >= MAX_SPELLINGS) bitBySpelling.clear();
    bit = bitByName.get(word.toUpperCase()) ?? 0;
    bitBySpelling.set(word, bit);
  }
  return bit;
}

/** ehlo_mask(): keyword list -> bit mask. */
/** Masks by keyword list (config lists are readonly and shared by every session of a config). */
const maskByList = new WeakMap<readonly string[], number>();

export function ehloMask(words: readonly string[]): number {
  let mask = maskByList.get(words);
  if (mask === undefined) {
    mask = 0;
    for (const word of words) mask |= keywordBit(word);
    maskByList.set(words, mask);
  }
  return mask;
}

/** Is this EHLO keyword (as listed in the reply) discarded by the mask? */
export function discards(mask: number, keyword: string): boolean {
  // An empty mask discards nothing: no upper-cased lookup (EHLO asks about every keyword).
  return mask !== 0 && (keywordBit(keyword) & mask) !== 0;
}

/** str_ehlo_mask(): the mask as a list of names, first name per bit. */
export function strEhloMask(mask: number): string {
  const seen = new Set<number>();
  const names: string[] = [];
  for (const [name, bit] of ehloMaskTable) {
    if ((mask & bit) !== 0 && !seen.has(bit)) {
      seen.add(bit);
      names.push(name);
    }
  }
  return names.join(' ');
}
