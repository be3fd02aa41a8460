/* reelide - a new output redrawn with the page's "..." lines leaving out the same stretches */
import { describe, expect, it } from 'vitest';
import { ElisionLostError, reelide, shapeOf } from '../../../scripts/tutorial/reelide.ts';
import { matchesWithElision } from '../../viewer/tutorial-steps.ts';

const shown = ['scenario x, seed 1', '...', 'queued as 0A58720C000', 'AUTH reply after 22.113 ms', '...', 'bye'];

describe('reelide', () => {
  it('leaves a page that still matches as it is', () => {
    const actual = ['scenario x, seed 1', 'a', 'b', 'queued as 0A58720C000', 'AUTH reply after 22.113 ms', 'c', 'bye'];
    expect(reelide(shown, actual)).toEqual(shown);
  });

  it('takes the new numbers and keeps each "..." over the stretch it left out', () => {
    const actual = ['scenario x, seed 1', 'a', 'b', 'b2', 'queued as 0B11120C000', 'AUTH reply after 21.768 ms', 'c', 'c2', 'bye'];
    const block = reelide(shown, actual);
    expect(block).toEqual(['scenario x, seed 1', '...', 'queued as 0B11120C000', 'AUTH reply after 21.768 ms', '...', 'bye']);
    expect(matchesWithElision(block, actual)).toBe(true);
    expect(reelide(block, actual)).toEqual(block);
  });

  it('shows a line that appears between shown lines, and a changed line where the old one was', () => {
    const actual = ['scenario x, seed 1', 'a', 'queued as 0B11120C000', 'retried once', 'AUTH reply after 3024.366 ms (late)', 'c', 'bye'];
    expect(reelide(shown, actual)).toEqual(['scenario x, seed 1', '...', 'queued as 0B11120C000', 'retried once', 'AUTH reply after 3024.366 ms (late)', '...', 'bye']);
  });

  it('anchors edges without "..." to the first and last lines, and leading and trailing "..." to nothing', () => {
    expect(reelide(['first', 'last 1'], ['new first', 'middle', 'last 2'])).toEqual(['new first', 'middle', 'last 2']);
    expect(reelide(['...', 'time 1 ms', '...'], ['x', 'time 2 ms', 'y', 'z'])).toEqual(['...', 'time 2 ms', '...']);
    expect(reelide(['...'], ['x', 'y'])).toEqual(['...']);
    expect(reelide(['a', '...', 'z'], ['a', 'z', '', ''])).toEqual(['a', '...', 'z']);
  });

  it('ends a "..." where the shown lines resume, not at a look-alike inside the stretch', () => {
    const page = ['head', '...', '  58.300 ms  XCLIENT', '  58.336 ms  !! EHLO', '...'];
    const actual = ['head', '   1.000 ms  EHLO', '   2.000 ms  connect', '  17.747 ms  XCLIENT', '  17.766 ms  !! EHLO', '  18.000 ms  QUIT'];
    expect(reelide(page, actual)).toEqual(['head', '...', '  17.747 ms  XCLIENT', '  17.766 ms  !! EHLO', '...']);
  });

  it('refuses to guess when none of the lines next to a "..." is in the new output', () => {
    expect(() => reelide(['a', '...', 'gone', 'also gone', '...', 'z'], ['a', 'b', 'c', 'z'])).toThrow(ElisionLostError);
    expect(() => reelide(['a', '...', 'gone', 'also gone', '...', 'z'], ['a', 'b', 'c', 'z'])).toThrow(/lines 3–4 .*"gone"/);
  });

  it('compares lines by shape with numbers, queue ids and spacing aside', () => {
    expect(shapeOf('   58.300 ms  queued as 0A58720C000')).toBe(shapeOf('  117.5 ms queued as 3B1E320C000'));
    expect(shapeOf('queued as 0A58720C000')).not.toBe(shapeOf('rejected as 0A58720C000'));
  });
});
