/* lifecycle - the client's life table: swaks' order, and a step it does not list is a bug */
import { describe, expect, it } from 'vitest';
import { lifecycleStep, quitAnswered } from '../../../models/client/lifecycle.ts';

describe('client lifecycle', () => {
  it('follows swaks: connect, talk, give up on a failed reply, QUIT answered, close', () => {
    let state = lifecycleStep('connecting', 'talking');
    state = lifecycleStep(state, 'giving-up');
    state = lifecycleStep(state, 'quit-answered');
    expect(quitAnswered(state)).toBe(true);
    expect(lifecycleStep(state, 'closing-after-quit')).toBe('closing-after-quit');
  });

  it('a close without QUIT is not a QUIT answered; nothing leaves done', () => {
    expect(quitAnswered(lifecycleStep('talking', 'hanging-up'))).toBe(false);
    expect(() => lifecycleStep('done', 'talking')).toThrow('smtp client: done -> talking is not a step of lifecycle.ts');
    expect(() => lifecycleStep('hanging-up', 'quit-answered')).toThrow(/hanging-up -> quit-answered/);
  });
});
