/* choices - where the Decider's choices come from: the seeded PRNG (sampling) or an explorer
 *
 * Every Decider method asks its source for an integer in a range or for a yes/no with an
 * integer ratio, naming the decision. The seeded source ignores the name and draws exactly as
 * the Decider always did (same PRNG calls in the same order, so seeded runs are unchanged);
 * sim/explore/choice-sequence.ts answers from a choice sequence instead, restricting each named
 * decision to its representative values (sim/explore/representatives.ts).
 */
import { Prng } from './prng.ts';

export interface ChoiceSource {
  /** An integer in [min, max] for the decision `name`. */
  integer(name: string, min: number, max: number): number;
  /** True with probability numerator/denominator, for the decision `name`. */
  chance(name: string, numerator: number, denominator: number): boolean;
  /** The source of one connection or node; `stream` tells siblings apart. */
  split(stream: number): ChoiceSource;
}

/** Sampling: every choice drawn from the seeded, splittable PRNG. */
export class PrngChoices implements ChoiceSource {
  constructor(private readonly prng: Prng) {}

  static seeded(seed: number): PrngChoices {
    return new PrngChoices(new Prng(seed));
  }

  integer(_name: string, min: number, max: number): number {
    return this.prng.between(min, max);
  }

  chance(_name: string, numerator: number, denominator: number): boolean {
    return this.prng.chance(numerator, denominator);
  }

  split(stream: number): PrngChoices {
    return new PrngChoices(this.prng.split(stream));
  }
}
