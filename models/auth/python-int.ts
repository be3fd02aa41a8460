/* auth/python-int - Python's int() of a header value, as views/auth.py calls it on Auth-Login-Attempt
 *
 * CPython 3 int(str) in base 10 (Objects/longobject.c PyLong_FromUnicodeObject, _PyLong_FromBytes):
 * white space around the number is dropped, one '+' or '-' may lead, and the digits may be grouped
 * by single underscores between digits (PEP 515). Anything else raises ValueError. Non-ASCII
 * decimal digits and spaces, which Python also takes, never come from nginx (it writes the attempt
 * with ngx_sprintf "%ui") and are not modelled.
 */

/** int(text), or null where Python raises ValueError. */
export function pythonInt(text: string): number | null {
  const match = /^[ \t\n\v\f\r]*([+-]?)(\d+(?:_\d+)*)[ \t\n\v\f\r]*$/.exec(text);
  if (match === null) return null;
  const magnitude = Number(match[2]!.replaceAll('_', ''));
  return match[1] === '-' ? -magnitude : magnitude;
}
