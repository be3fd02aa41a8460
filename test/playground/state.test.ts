/* state - playground states as URL fragments, the links the CLI prints, and the words at a held segment */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { replayLinkLine } from '../../playground/link.ts';
import { runState } from '../../playground/lab.ts';
import { COMPARISONS, DEFAULT_STATE, StateError, decodeState, encodeState, playgroundLink, type PlaygroundState } from '../../playground/state.ts';
import { explainEvent } from '../../playground/tcp-story.ts';
import { DETAILS } from '../../viewer/export/detail.ts';

const states: fc.Arbitrary<PlaygroundState> = fc.record({
  scenario: fc.string(),
  pasted: fc.option(fc.string({ unit: 'grapheme' })),
  sets: fc.array(fc.string({ unit: 'grapheme' }), { maxLength: 4 }),
  seed: fc.integer({ min: 0, max: 0x7fffffff }),
  replay: fc.option(fc.base64String()),
  compare: fc.constantFrom(...COMPARISONS),
  detail: fc.constantFrom(...DETAILS),
  step: fc.option(fc.nat()),
});

describe('state fragments', () => {
  it('decode what they encode, whatever the text', () => {
    fc.assert(
      fc.property(states, (state) => {
        const fragment = encodeState(state);
        expect(decodeState(`#${fragment}`)).toEqual(state);
      }),
    );
  });

  it('leave defaults out: the default state is the bare page', () => {
    expect(encodeState(DEFAULT_STATE)).toBe('');
    expect(playgroundLink('index.html', {})).toBe('index.html');
    expect(playgroundLink('index.html', { sets: ['postfix.xclient_lookup_ms=100'], seed: 7 })).toBe('index.html#set=postfix.xclient_lookup_ms%3D100&seed=7');
  });

  it.each([
    ['#colour=red', "unknown field 'colour'"],
    ['#seed=-1', 'seed must be a whole number'],
    ['#seed=99999999999', 'seed must be a whole number'],
    ['#compare=nginx', 'compare must be one of lockstep, pr3322, none'],
    ['#detail=everything', 'detail must be one of app, tcp, all'],
  ])('refuse %s with the reason', (fragment, reason) => {
    expect(() => decodeState(fragment)).toThrow(StateError);
    expect(() => decodeState(fragment)).toThrow(reason);
  });
});

describe('links the CLI prints', () => {
  it('carry the replay token on the page SMTP_LAB_PLAYGROUND_URL names', () => {
    const token = Buffer.from(JSON.stringify({ property: 'bug-exists', scenario: 'mailu-2024.06', sets: [], seed: 1, path: '0', verdict: 'x' })).toString('base64url');
    process.env.SMTP_LAB_PLAYGROUND_URL = 'https://teach.example/smtp-lab/index.html';
    try {
      expect(replayLinkLine(token)).toBe(`playground: https://teach.example/smtp-lab/index.html#replay=${token}`);
    } finally {
      delete process.env.SMTP_LAB_PLAYGROUND_URL;
    }
    expect(replayLinkLine(token)).toMatch(/^playground: file:\/\/.*\/lab-output\/playground\/index\.html#replay=/);
    expect(replayLinkLine('not-a-token')).toBe('playground: (this kind of token replays in the CLI only)');
  });
});

describe('the TCP story', () => {
  it("says Nagle held Dovecot's EHLO after XCLIENT, and that Postfix's delayed ACK released it", () => {
    const { events } = runState({ ...DEFAULT_STATE, sets: ['postfix.xclient_lookup_ms=100'], compare: 'none' }).main;
    const ehlo = events.findIndex((event, i) => event.kind === 'segment' && event.from === 'front' && event.to === 'postfix' && String(event.data).startsWith('EHLO') && events.slice(0, i).some((e) => String(e.data).startsWith('XCLIENT')));
    const written = events.slice(0, ehlo).map((event) => event.kind === 'write' && String(event.data).startsWith('EHLO')).lastIndexOf(true);
    expect(explainEvent(events, written)).toMatch(/^front writes 25 bytes to postfix in one send\(\): EHLO front\.example\.test\\r\\n\. Nagle holds it back: the 100 bytes sent at .* are not acknowledged yet/);
    expect(explainEvent(events, ehlo)).toMatch(/Nagle held these bytes for 41\.\d+ ms .*postfix's ACK 126 \(delayed, sent at/);
  });
});
