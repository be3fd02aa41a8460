/* registry-phase - a Dovecot front created from a phased config runs at that phase, whatever was phased before or after */
import { describe, expect, it } from 'vitest';
import { labDovecotConfig, type DovecotFrontConfig } from '../../../models/front/config.ts';
import type { DovecotFront } from '../../../models/front/dovecot-front.ts';
import { FRONT_MODELS } from '../../../models/front/registry.ts';

const configOf = (model: unknown): DovecotFrontConfig => (model as DovecotFront).config;

describe.each(['dovecot-2.3', 'dovecot-2.4', 'lockstep'] as const)('%s row: withWallClockPhase then create', (kind) => {
  const row = FRONT_MODELS[kind];
  const partial: Partial<DovecotFrontConfig> = { hostname: 'phase.example.test', timings: { ...labDovecotConfig.timings, relayDelayUs: 7 } };

  it('creates the front at the phase, over the row defaults and the partial config', () => {
    const config = configOf(row.create(row.withWallClockPhase!(partial, 123_456)));
    expect(config.clockPhaseUs).toBe(123_456);
    expect(config.hostname).toBe('phase.example.test');
    expect(config.timings.relayDelayUs).toBe(7);
    expect(config.authHttp).toEqual(labDovecotConfig.authHttp);
  });

  it('keeps each phased config its own phase when another was made in between', () => {
    const first = row.withWallClockPhase!(partial, 1);
    const second = row.withWallClockPhase!(partial, 999_999);
    expect(configOf(row.create(first)).clockPhaseUs).toBe(1);
    expect(configOf(row.create(second)).clockPhaseUs).toBe(999_999);
  });

  it('creates an unphased config at its own phase after a phased one', () => {
    row.create(row.withWallClockPhase!(partial, 500_000));
    expect(configOf(row.create(partial)).clockPhaseUs).toBe(labDovecotConfig.clockPhaseUs);
    expect(configOf(row.create({ ...partial, clockPhaseUs: 42 })).clockPhaseUs).toBe(42);
  });
});
