/* python-int - int() of a header value as CPython 3 reads a base-10 string (PEP 515 underscores, white space, one sign) */
import { describe, expect, test } from 'vitest';
import { pythonInt } from '../../../models/auth/python-int.ts';

describe('pythonInt', () => {
  test('digits, with white space around and one sign', () => {
    expect(['9', ' 10\t', '+3', '-2', '007', '\r\n12 '].map(pythonInt)).toEqual([9, 10, 3, -2, 7, 12]);
  });
  test('single underscores between digits only', () => {
    expect(pythonInt('1_0')).toBe(10);
    expect(['_1', '1_', '1__0', '+_1'].map(pythonInt)).toEqual([null, null, null, null]);
  });
  test('what int() refuses with ValueError: nothing, a sign alone, two signs, a point, hex, inner space', () => {
    expect(['', ' ', '+', '--1', '1.0', '0x3', '1 0', 'three'].map(pythonInt)).toEqual(Array(8).fill(null));
  });
});
