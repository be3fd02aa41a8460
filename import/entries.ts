/* entries - what the import says about each setting it read: mapped, ignored, or relevant but unsupported
 *
 * Every setting in the input ends in exactly one of the report's lists, with its file and line:
 *   mapped       it sets a scenario key (setting -> key = value), or it equals what the lab's fixed
 *                configuration of that daemon already has (key null: nothing to set);
 *   ignored      not on the path the lab models (front -> auth -> smtpd), with the reason;
 *   unsupported  on the path, but the lab cannot take it: the answer does not cover it.
 * Values the input does not state and the scenario therefore takes from the lab are `assumed`,
 * each with why that is safe or how to state it.
 */
import type { Scenario, ScenarioKey, ScenarioValue } from '../scenarios/index.ts';
import type { Setting } from './source.ts';

export interface MappedEntry {
  readonly list: 'mapped';
  readonly setting: Setting;
  /** The scenario key it sets, or null when it matches the lab's fixed configuration. */
  readonly key: ScenarioKey | null;
  /** The key's value, or the lab's own value of the setting. */
  readonly value: string;
  readonly note: string;
}

export interface ListedEntry {
  readonly list: 'ignored' | 'unsupported';
  readonly setting: Setting;
  readonly reason: string;
}

export interface AssumedEntry {
  readonly list: 'assumed';
  /** The scenario key; or, for a Postfix parameter no key sets (postfix-address-classes.ts: mynetworks), "main.cf <parameter>". */
  readonly key: ScenarioKey | `main.cf ${string}`;
  readonly value: string;
  readonly reason: string;
}

export type ImportEntry = MappedEntry | ListedEntry | AssumedEntry;

/** A setting the lab cannot change by key: the import compares it with the lab's own value once the scenario is known. */
export interface FixedComparison {
  readonly setting: Setting;
  /** The lab's value of this setting for `scenario`, and whether the input's value behaves the same. */
  compare(scenario: Scenario): { readonly labValue: string; readonly same: boolean };
  /** Why a different value matters (for the unsupported list). */
  readonly whyItMatters: string;
  /** The input does not state the setting: listed only when it behaves otherwise than the lab's. */
  readonly unstated?: boolean;
}

/** A scenario key the input sets. */
export interface KeyAssignment {
  readonly key: ScenarioKey;
  readonly value: ScenarioValue;
  readonly setting: Setting;
  readonly note: string;
  /** Set although no line of the input says so: listed as assumed, with this reason, instead of mapped. */
  readonly assumed?: string;
}

/** What one format's mapper found: keys to set, entries already decided, comparisons to make. */
export interface MapperResult {
  readonly keys: KeyAssignment[];
  readonly entries: ImportEntry[];
  readonly fixed: FixedComparison[];
}

export function emptyResult(): MapperResult {
  return { keys: [], entries: [], fixed: [] };
}

export const ignored = (setting: Setting, reason: string): ListedEntry => ({ list: 'ignored', setting, reason });
export const unsupported = (setting: Setting, reason: string): ListedEntry => ({ list: 'unsupported', setting, reason });

/** The input's value against the lab's, compared as text after `normalise`. */
export function sameAs(setting: Setting, labValueOf: (scenario: Scenario) => string, whyItMatters: string, normalise: (text: string) => string = (text) => text): FixedComparison {
  return {
    setting,
    whyItMatters,
    compare: (scenario) => {
      const labValue = labValueOf(scenario);
      return { labValue, same: normalise(setting.value) === normalise(labValue) };
    },
  };
}

/** Why any TLS setting on the client side is unsupported but does not change the answer. */
export const TLS_NOT_MODELLED = 'TLS: the lab speaks plain SMTP; the session after the TLS handshake (where the bug is) is the same';
