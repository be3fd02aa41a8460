/* dovecot-phases - the phase table: every phase can close, nothing leaves closed, an unlisted move is a bug */
import { describe, expect, it } from 'vitest';
import { PHASES, transition, type Phase } from '../../../models/front/dovecot-phases.ts';

describe('dovecot phases', () => {
  const phases = Object.keys(PHASES) as Phase[];

  it('every phase but closed may close; closed goes nowhere', () => {
    for (const phase of phases) expect(PHASES[phase].next.includes('closed')).toBe(phase !== 'closed');
    expect(PHASES.closed.next).toEqual([]);
  });

  it('only the relay phases carry bytes through, and only the command phases read client lines', () => {
    expect(phases.filter((p) => PHASES[p].relaysBytes)).toEqual(['detaching', 'relay']);
    expect(phases.filter((p) => PHASES[p].readsClientLines)).toEqual(['command', 'auth-continue']);
  });

  it('a move the table does not list throws, naming it', () => {
    expect(transition('auth-lookup', 'proxying')).toBe('proxying');
    expect(() => transition('relay', 'command')).toThrow('dovecot session: relay -> command is not a transition of dovecot-phases.ts');
    expect(() => transition('greeting', 'relay')).toThrow(/greeting -> relay/);
  });
});
