/* conditions - the conditions an operator can recognise in a generated trace, for failure rates per condition
 *
 * A trace is classified by what it ran with (the scenario after the trace's keys, as the coverage
 * classes are), along the dimensions that decide the race or the outcome: the TCP behaviour of the
 * front -> Postfix link, how long Postfix's XCLIENT lookup took (binned at the delayed-ACK timer
 * that releases the EHLO Nagle holds back: TCP_DELACK_MIN, and the latest it fires, + DELACK_SLACK),
 * the login's length as XCLIENT carries it (Postfix refuses more than 255 bytes), and what the
 * client does (SASL mechanism, pipelined transactions).
 */
import type { LabCase } from '../properties/lab-case.ts';
import { XCLIENT_VALUE_LIMIT, xclientValueBytes } from '../properties/verdicts.ts';
import type { Scenario } from '../scenarios/index.ts';
import { DELACK_SLACK_US, TCP_DELACK_MIN_US } from '../sim/tcp/profiles.ts';

export const DIMENSIONS = ['TCP profile (front -> Postfix)', 'XCLIENT lookup time', 'login length (XCLIENT bytes)', 'SASL mechanism', 'client pipelining'] as const;

export type Dimension = (typeof DIMENSIONS)[number];

export interface Condition {
  readonly dimension: Dimension;
  readonly value: string;
}

const DELACK_MS = TCP_DELACK_MIN_US / 1000;
const DELACK_LATEST_MS = (TCP_DELACK_MIN_US + DELACK_SLACK_US) / 1000;

function lookupBin(ms: number): string {
  if (ms === 0) return '0 ms';
  if (ms < DELACK_MS) return `under ${DELACK_MS} ms (before the delayed ACK)`;
  if (ms <= DELACK_LATEST_MS) return `${DELACK_MS}-${DELACK_LATEST_MS} ms (around the delayed ACK)`;
  return `over ${DELACK_LATEST_MS} ms (after the delayed ACK)`;
}

function loginBin(user: string): string {
  const bytes = xclientValueBytes(user);
  if (bytes > XCLIENT_VALUE_LIMIT) return `over ${XCLIENT_VALUE_LIMIT} bytes`;
  return bytes <= 64 ? 'up to 64 bytes' : `65-${XCLIENT_VALUE_LIMIT} bytes`;
}

function mechanismOf(labCase: LabCase): string {
  const auth = labCase.client.groups.flatMap((group) => group.steps).find((step) => step.kind === 'auth');
  if (auth === undefined || auth.kind !== 'auth') return 'none';
  return `${auth.mechanism}${auth.initialResponse ? ' with initial response' : ''}`;
}

function pipeliningOf(labCase: LabCase): string {
  const grouped = labCase.client.groups.some((group) => group.steps.length > 1);
  return grouped ? 'commands grouped (pipelined)' : 'one command at a time';
}

/** The trace's cell in each dimension; `ran` is the scenario it ran on (scenarioFor(base, case)). */
export function conditionsOf(ran: Scenario, labCase: LabCase): Condition[] {
  const values = [ran.get('tcp.profile'), lookupBin(ran.get('postfix.xclient_lookup_ms')), loginBin(labCase.client.user), mechanismOf(labCase), pipeliningOf(labCase)];
  return DIMENSIONS.map((dimension, i) => ({ dimension, value: values[i]! }));
}
