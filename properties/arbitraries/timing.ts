/* timing - fast-check builder of component timing and auth-service behaviour
 *
 * The knobs the real stack showed decide the race: how long Postfix spends in xclient_cmd
 * (the smtpd_authorized_xclient_hosts lookup: 100 ms made the bug deterministic), milter
 * setup, the banner, and how fast and how well the auth service answers. Shrinks towards the
 * recorded loopback values (no lookup delay, 13 ms banner, 4.5 ms auth).
 */
import fc from 'fast-check';
import type { ScenarioValues } from '../../scenarios/index.ts';

export type TimingChoice = Pick<ScenarioValues, 'postfix.xclient_lookup_ms' | 'postfix.milter_ms' | 'postfix.banner_delay_ms' | 'auth.latency_ms' | 'auth.fault'>;

/** The slowest XCLIENT lookup generated traces try (smtp-lab explore's bins end here too). */
export const XCLIENT_LOOKUP_MAX_MS = 150;

const ms = (min: number, max: number) => fc.integer({ min: min * 1000, max: max * 1000 }).map((us) => us / 1000);

export function timing(allowAuthFaults: boolean): fc.Arbitrary<TimingChoice> {
  return fc.record({
    'postfix.xclient_lookup_ms': fc.oneof({ weight: 2, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constant(100) }, { weight: 1, arbitrary: ms(0, XCLIENT_LOOKUP_MAX_MS) }),
    'postfix.milter_ms': fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: ms(0, 60) }),
    'postfix.banner_delay_ms': fc.oneof({ weight: 3, arbitrary: fc.constant(13) }, { weight: 1, arbitrary: ms(0, 120) }),
    // Up to 1.5 s when success must stay possible; past Mailu's 2 s passdb timeout only with faults allowed.
    'auth.latency_ms': fc.oneof({ weight: 3, arbitrary: fc.constant(4.5) }, { weight: 1, arbitrary: ms(0, allowAuthFaults ? 2_500 : 1_500) }),
    'auth.fault': allowAuthFaults
      ? fc.oneof({ weight: 9, arbitrary: fc.constant<'none'>('none') }, { weight: 1, arbitrary: fc.constantFrom<'timeout' | 'http500' | 'refused'>('timeout', 'http500', 'refused') })
      : fc.constant<'none'>('none'),
  });
}
