/* net - node:net's isIPv4/isIPv6/isIP for the browser bundle (Postfix's address checks use them)
 *
 * The expressions are Node's own (lib/internal/net.js, IPv4Reg and IPv6Reg), so an address the
 * models accept or refuse under Node they accept or refuse in the page;
 * test/playground/shims.test.ts compares both on generated addresses.
 */
const V4_SEG = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])';
const V4 = `(?:${V4_SEG}\\.){3}${V4_SEG}`;
const V6_SEG = '(?:[0-9a-fA-F]{1,4})';
const IPV4 = new RegExp(`^${V4}$`);
const IPV6 = new RegExp(
  '^(?:' +
    `(?:${V6_SEG}:){7}(?:${V6_SEG}|:)|` +
    `(?:${V6_SEG}:){6}(?:${V4}|:${V6_SEG}|:)|` +
    `(?:${V6_SEG}:){5}(?::${V4}|(?::${V6_SEG}){1,2}|:)|` +
    `(?:${V6_SEG}:){4}(?:(?::${V6_SEG}){0,1}:${V4}|(?::${V6_SEG}){1,3}|:)|` +
    `(?:${V6_SEG}:){3}(?:(?::${V6_SEG}){0,2}:${V4}|(?::${V6_SEG}){1,4}|:)|` +
    `(?:${V6_SEG}:){2}(?:(?::${V6_SEG}){0,3}:${V4}|(?::${V6_SEG}){1,5}|:)|` +
    `(?:${V6_SEG}:){1}(?:(?::${V6_SEG}){0,4}:${V4}|(?::${V6_SEG}){1,6}|:)|` +
    `(?::(?:(?::${V6_SEG}){0,5}:${V4}|(?::${V6_SEG}){1,7}|:))` +
    ')(?:%[0-9a-zA-Z-.:]{1,})?$',
);

export function isIPv4(input: string): boolean {
  return IPV4.test(`${input}`);
}

export function isIPv6(input: string): boolean {
  return IPV6.test(`${input}`);
}

/** node:net isIP(): 4, 6, or 0 for neither (lib/net.js: isIPv4 first, then isIPv6). */
export function isIP(input: string): 0 | 4 | 6 {
  if (isIPv4(input)) return 4;
  return isIPv6(input) ? 6 : 0;
}
