import { describe, expect, it } from 'vitest';
import { pipeliningViolations } from '../../../models/client/rfc2920.ts';
import type { ClientScript } from '../../../models/client/script.ts';
import { defaultSwaksScript, swaksScript } from '../../../models/client/swaks.ts';

const FRONT = { host: '127.0.0.1', port: 587 };

describe('pipeliningViolations', () => {
  it('the swaks scripts are legal (the pipelined one only with PIPELINING advertised)', () => {
    expect(pipeliningViolations(defaultSwaksScript(FRONT), false)).toEqual([]);
    const pipelined = swaksScript({ connectTo: FRONT, user: 'a', password: 'b', helo: 'c', auth: 'PLAIN', pipelining: true });
    expect(pipeliningViolations(pipelined, true)).toEqual([]);
    expect(pipeliningViolations(pipelined, false)).toEqual([{ group: 2, rule: 'pipelining-not-advertised', detail: '3 steps in one group without PIPELINING' }]);
  });

  it('flags verbs that must end a group, talking before the greeting, and verbs in raw lines', () => {
    const script: ClientScript = {
      ...defaultSwaksScript(FRONT),
      waitForGreeting: false,
      groups: [
        { steps: [{ kind: 'ehlo', domain: 'c' }, { kind: 'auth', mechanism: 'PLAIN', user: 'u', password: 'p', initialResponse: true }, { kind: 'mail', from: 'a' }], writes: 'one' },
        { steps: [{ kind: 'rset' }, { kind: 'rcpt', to: 'b' }, { kind: 'data' }], writes: 'one' },
        { steps: [{ kind: 'line', text: 'vrfy bob' }, { kind: 'quit' }], writes: 'separate' },
      ],
    };
    expect(pipeliningViolations(script, true).map((v) => [v.group, v.rule, v.detail])).toEqual([
      [-1, 'talk-before-greeting', 'the first group is sent before the 220 greeting'],
      [0, 'not-last-in-group', 'EHLO is not the last command of its group'],
      [0, 'not-last-in-group', 'AUTH is not the last command of its group'],
      [2, 'not-last-in-group', 'VRFY is not the last command of its group'],
    ]);
  });
});
