/* rfc2920 - which client scripts break the pipelining rules, and which rule
 *
 * The generators make legal and illegal scripts on purpose; properties need to tell them
 * apart. The rules, as a table of the verbs that may only end a group:
 *   RFC 2920 §3.1: "EHLO, DATA, VRFY, EXPN, TURN, QUIT, and NOOP ... can only appear as
 *     the last command in a group"; RSET, MAIL FROM and RCPT TO may appear anywhere.
 *   RFC 5321 §4.1.1.1: HELO changes the session like EHLO; Postfix flags both LAST
 *     (postfix smtpd.c smtpd_cmd_table).
 *   RFC 4954 §4: AUTH must be the last command in a pipelined group.
 *   RFC 5321 §4.3.1 / RFC 2920 §3.1: without the PIPELINING capability the client waits
 *     for each reply, so any group of more than one step is illegal.
 *   RFC 5321 §3.1: the client waits for the 220 greeting before it sends anything.
 */
import type { ClientScript, ClientStep } from './script.ts';

const MUST_END_GROUP: ReadonlySet<string> = new Set(['EHLO', 'HELO', 'DATA', 'VRFY', 'EXPN', 'TURN', 'QUIT', 'NOOP', 'AUTH']);

/** The SMTP verb a step starts with ("" for message content, which is not a command). */
export function stepVerb(step: ClientStep): string {
  switch (step.kind) {
    case 'ehlo':
    case 'helo':
    case 'auth':
    case 'mail':
    case 'rcpt':
    case 'data':
    case 'rset':
    case 'noop':
    case 'quit':
      return step.kind.toUpperCase();
    case 'message':
      return '';
    case 'line':
      return (step.text.split(' ', 1)[0] ?? '').toUpperCase();
    case 'raw':
      return (/^[^ \r\n]*/.exec(step.latin1)?.[0] ?? '').toUpperCase();
  }
}

export interface PipeliningViolation {
  /** Index of the offending group; -1 for the whole script (talking before the greeting). */
  readonly group: number;
  readonly rule: 'talk-before-greeting' | 'not-last-in-group' | 'pipelining-not-advertised';
  readonly detail: string;
}

/** Every rule the script breaks, given whether the server advertised PIPELINING. */
export function pipeliningViolations(script: ClientScript, pipeliningAdvertised: boolean): PipeliningViolation[] {
  const violations: PipeliningViolation[] = [];
  if (!script.waitForGreeting) {
    violations.push({ group: -1, rule: 'talk-before-greeting', detail: 'the first group is sent before the 220 greeting' });
  }
  script.groups.forEach((group, index) => {
    if (group.steps.length > 1 && !pipeliningAdvertised) {
      violations.push({ group: index, rule: 'pipelining-not-advertised', detail: `${group.steps.length} steps in one group without PIPELINING` });
    }
    group.steps.slice(0, -1).forEach((step) => {
      const verb = stepVerb(step);
      if (MUST_END_GROUP.has(verb)) {
        violations.push({ group: index, rule: 'not-last-in-group', detail: `${verb} is not the last command of its group` });
      }
    });
  });
  return violations;
}
