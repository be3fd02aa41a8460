/* catalogue - the link fault table: every fault the lab can inject, its parameters and what it does
 *
 * Faults attach to a listener (`LinkOptions.faults`, an array of `{ name, ...params }`)
 * and apply to every connection accepted on it. An integer parameter may be given
 * as a number or as a `[min, max]` pair; a pair is drawn once per connection from
 * the seed (decision `pickFaultParam:<fault>.<param>`). Directions are named from
 * the listener's point of view: `toListener` is connector -> listener.
 * Byte counts are TCP payload bytes entering the link; times are µs since the
 * connection's SYN. Every action a fault takes is a `fault` trace event.
 * Each entry carries all of a fault: its parameters (typed for its hooks), whether it can break
 * a correct session (`destructive`), its behaviour as hooks that link.ts calls (hooks.ts), and
 * the ranges the property generators draw it from (`generated`). A new fault is one entry here.
 */
import { SimConfigError } from '../errors.ts';
import { FIN } from '../tcp/segment.ts';
import type { FaultHooks, LinkControl } from './hooks.ts';

export type FaultName =
  | 'latency' | 'bandwidth' | 'slicer' | 'coalesce' | 'reset_peer' | 'timeout' | 'slow_close' | 'limit_data' | 'half_close';

export type Direction = 'both' | 'toListener' | 'toConnector';

interface IntParam {
  readonly type: 'int';
  readonly doc: string;
  readonly min: number;
  readonly max: number;
  /** Absent: the parameter is optional with no default, or required when `required`. */
  readonly default?: number;
  readonly required?: boolean;
}
interface DirectionParam {
  readonly type: 'direction';
  readonly doc: string;
  readonly allowBoth: boolean;
  readonly default?: Direction;
}
type ParamSpec = IntParam | DirectionParam;

type ParamSpecs = Readonly<Record<string, ParamSpec>>;

/** The drawn value of an integer parameter: always there when required or defaulted. */
type IntValue<T> = T extends { readonly required: true } ? number : T extends { readonly default: number } ? number : number | undefined;

/** A fault's parameters as its hooks see them, one connection's draw. */
export type DrawnParams<S extends ParamSpecs> = { readonly [K in keyof S as S[K] extends IntParam ? K : never]: IntValue<S[K]> };

/** What the property generators draw a parameter from: a range, a fixed value, or a choice of directions. */
export type GeneratedParam = readonly [number, number] | number | readonly Direction[];

export interface FaultDefinition<S extends ParamSpecs = ParamSpecs> {
  readonly name: FaultName;
  readonly doc: string;
  readonly params: S;
  /** Names of which at least one must be given. */
  readonly oneOf?: readonly string[];
  /** It can make a correct session fail through no fault of the proxy (breaks or stalls the link). */
  readonly destructive: boolean;
  /** The parameters generated traces draw, in this order (fast-check records keep key order). */
  readonly generated: Readonly<Record<string, GeneratedParam>>;
  readonly hooks: FaultHooks<DrawnParams<S>>;
}

/** One entry, with its hooks typed by its own parameters. */
function defineFault<const S extends ParamSpecs>(definition: FaultDefinition<S>): FaultDefinition<S> {
  return definition;
}

const US_MAX = 3_600_000_000; // one virtual hour
const BYTES_MAX = 1 << 30;
const direction = (allowBoth: boolean, dflt?: Direction): DirectionParam =>
  ({ type: 'direction', doc: allowBoth ? 'both | toListener | toConnector' : 'toListener | toConnector', allowBoth, ...(dflt ? { default: dflt } : {}) });

export const FAULT_CATALOGUE = {
  latency: defineFault({
    name: 'latency',
    doc: 'every segment takes extraUs plus a seeded jitter in [0, jitterUs] longer; order is kept',
    params: {
      extraUs: { type: 'int', doc: 'fixed extra one-way delay', min: 0, max: US_MAX, default: 0 },
      jitterUs: { type: 'int', doc: 'upper bound of the per-segment random extra delay', min: 0, max: US_MAX, default: 0 },
      direction: direction(true, 'both'),
    },
    destructive: false,
    generated: { extraUs: [0, 5_000], jitterUs: [0, 5_000] },
    hooks: {
      departure(link, p, _side, _seg, departure) {
        departure.extraUs += p.extraUs + link.decider.jitterUs(p.jitterUs);
      },
    },
  }),
  bandwidth: defineFault({
    name: 'bandwidth',
    doc: 'segments are serialised at bytesPerSec: a segment leaves after the previous one and len*1e6/bytesPerSec µs',
    params: {
      bytesPerSec: { type: 'int', doc: 'link rate', min: 1, max: BYTES_MAX, required: true },
      direction: direction(true, 'both'),
    },
    destructive: false,
    generated: { bytesPerSec: [10_000, 100_000_000] },
    hooks: {
      departure(link, p, side, seg, departure) {
        const start = Math.max(link.now, link.busyUntil(side));
        link.setBusyUntil(side, start + Math.ceil((seg.len * 1_000_000) / p.bytesPerSec)); // payload only; headers are free
        departure.departUs = link.busyUntil(side);
      },
    },
  }),
  slicer: defineFault({
    name: 'slicer',
    doc: 'with probability numerator/denominator an application write is cut at seeded points into 2..maxPieces separate writes',
    params: {
      numerator: { type: 'int', doc: 'split probability numerator', min: 0, max: 1 << 20, default: 1 },
      denominator: { type: 'int', doc: 'split probability denominator', min: 1, max: 1 << 20, default: 2 },
      maxPieces: { type: 'int', doc: 'most pieces one write becomes', min: 2, max: 1 << 16, default: 4 },
      direction: direction(true, 'both'),
    },
    destructive: false,
    generated: { numerator: [1, 4], denominator: 4, maxPieces: [2, 8] },
    hooks: { reshape: slice },
  }),
  coalesce: defineFault({
    name: 'coalesce',
    doc: 'writes are held for holdUs after the first one and handed to TCP as one write (a FIN or RST flushes or drops them)',
    params: {
      holdUs: { type: 'int', doc: 'how long the first held write waits', min: 1, max: US_MAX, required: true },
      direction: direction(true, 'both'),
    },
    destructive: false,
    generated: { holdUs: [1, 2_000] },
    hooks: {
      hold(link, p, side, pieces) {
        link.hold(side, p.holdUs, pieces);
      },
    },
  }),
  reset_peer: defineFault({
    name: 'reset_peer',
    doc: 'the link resets the connection (RST to both ends) once afterBytes payload bytes have passed in either direction, or at atUs',
    params: {
      afterBytes: { type: 'int', doc: 'payload bytes (both directions) that pass before the RST; the segment crossing it is cut', min: 0, max: BYTES_MAX },
      atUs: { type: 'int', doc: 'time after the SYN at which the RST is sent', min: 0, max: US_MAX },
    },
    oneOf: ['afterBytes', 'atUs'],
    destructive: true,
    generated: { afterBytes: [0, 2_000] },
    hooks: {
      open(link, p) {
        if (p.atUs !== undefined) link.schedule(link.now + p.atUs, () => link.resetBoth('reset_peer'));
      },
      limit: { budget: linkBudget((p) => p.afterBytes), crossing: 'truncate', act: (link) => link.resetBoth('reset_peer') },
    },
  }),
  timeout: defineFault({
    name: 'timeout',
    doc: 'blackhole: from the first data segment after afterBytes bytes, or from atUs, nothing more is delivered either way (no RST, no FIN); only the kernel of an end still held gives up: its retransmissions after ~925 s with data in flight, keepalive after 2 h 11 min idle on an SO_KEEPALIVE socket (tcp/kernel-timers.ts)',
    params: {
      afterBytes: { type: 'int', doc: 'payload bytes (both directions) that still pass', min: 0, max: BYTES_MAX },
      atUs: { type: 'int', doc: 'time after the SYN from which everything is dropped', min: 0, max: US_MAX },
    },
    oneOf: ['afterBytes', 'atUs'],
    destructive: true,
    generated: { afterBytes: [0, 2_000] },
    hooks: {
      open(link, p) {
        if (p.atUs !== undefined) link.schedule(link.now + p.atUs, () => link.blackhole());
      },
      limit: { budget: linkBudget((p) => p.afterBytes), crossing: 'drop', act: (link) => link.blackhole() },
    },
  }),
  slow_close: defineFault({
    name: 'slow_close',
    doc: 'a segment carrying FIN takes delayUs longer (and everything behind it waits, order is kept)',
    params: {
      delayUs: { type: 'int', doc: 'extra delay of the FIN', min: 0, max: US_MAX, required: true },
      direction: direction(true, 'both'),
    },
    destructive: false,
    generated: { delayUs: [0, 200_000] },
    hooks: {
      departure(link, p, side, seg, departure) {
        if (!(seg.flags & FIN)) return;
        departure.extraUs += p.delayUs;
        link.note('slow_close', 'delay-fin', side, { delayUs: p.delayUs });
      },
    },
  }),
  limit_data: defineFault({
    name: 'limit_data',
    doc: 'after bytes payload bytes (both directions) the link closes: both ends receive a FIN and later segments are dropped',
    params: {
      bytes: { type: 'int', doc: 'payload bytes that pass; the segment crossing the limit is cut', min: 0, max: BYTES_MAX, required: true },
    },
    destructive: true,
    generated: { bytes: [0, 2_000] },
    hooks: {
      limit: { budget: linkBudget((p) => p.bytes), crossing: 'truncate', act: (link) => link.finBoth() },
    },
  }),
  half_close: defineFault({
    name: 'half_close',
    doc: 'after afterBytes payload bytes in `direction`, its receiver gets a FIN and that direction carries nothing more; the other keeps working',
    params: {
      afterBytes: { type: 'int', doc: 'payload bytes in that direction that pass', min: 0, max: BYTES_MAX, default: 0 },
      direction: { ...direction(false), default: 'toListener' },
    },
    destructive: true,
    generated: { afterBytes: [0, 1_000], direction: ['toListener', 'toConnector'] },
    hooks: {
      limit: {
        budget: (link, p, side, onSide) => (onSide ? { limit: p.afterBytes, counted: link.directionBytes(side) } : null),
        crossing: 'truncate',
        act: (link, side) => link.halfClose(side),
      },
    },
  }),
} as const satisfies Readonly<Record<FaultName, { readonly name: FaultName; readonly destructive: boolean }>>;

/** A budget over the bytes both directions carried, from a parameter that may be absent (a time trigger instead). */
function linkBudget<P>(limitOf: (p: P) => number | undefined) {
  return (link: LinkControl, p: P): { limit: number; counted: number } | null => {
    const limit = limitOf(p);
    return limit === undefined ? null : { limit, counted: link.totalBytes };
  };
}

/** slicer: cut points drawn from the seed (decisions shouldSplitWrite, slicePieces, splitPoint). */
function slice(link: LinkControl, p: { readonly numerator: number; readonly denominator: number; readonly maxPieces: number }, bytes: Uint8Array): Uint8Array[] | null {
  if (!link.decider.shouldSplitWrite(p.numerator, p.denominator)) return null;
  const pieceCount = link.decider.slicePieces(Math.min(p.maxPieces, bytes.length));
  const cuts: number[] = [];
  // bounded by pieceCount - 1 draws; a repeated cut point is dropped (one piece fewer)
  for (let i = 1; i < pieceCount; i++) {
    const at = link.decider.splitPoint(bytes.length);
    if (!cuts.includes(at)) cuts.push(at);
  }
  cuts.sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let start = 0;
  for (const cut of cuts) {
    pieces.push(bytes.subarray(start, cut));
    start = cut;
  }
  pieces.push(bytes.subarray(start));
  link.note('slicer', 'split', 0, { len: bytes.length, pieces: pieces.map((piece) => piece.length) });
  return pieces;
}

/** Any entry of the catalogue, for code that walks the table without knowing which fault it holds. */
export type AnyFaultDefinition = FaultDefinition<ParamSpecs>;

export function faultDefinition(name: FaultName): AnyFaultDefinition {
  return FAULT_CATALOGUE[name] as unknown as AnyFaultDefinition;
}

/** A fault as written in LinkOptions.faults. */
export type FaultSpec = { readonly name: string } & Readonly<Record<string, unknown>>;

/** A fault after validation; integer ranges are still [min, max] until drawn per connection. */
export interface CheckedFault {
  readonly name: FaultName;
  readonly ints: Readonly<Record<string, number | readonly [number, number]>>;
  readonly direction: Direction;
}

/** Validate fault specs once per listener; errors name the fault, the parameter and what is allowed. */
export function checkFaults(specs: readonly FaultSpec[] | undefined): CheckedFault[] {
  if (specs === undefined) return [];
  if (!Array.isArray(specs)) throw new SimConfigError('link faults must be an array of { name, ...params }');
  return specs.map((spec, index) => checkFault(spec, index));
}

function checkFault(spec: FaultSpec, index: number): CheckedFault {
  const where = `faults[${index}]`;
  if (spec === null || typeof spec !== 'object' || typeof spec.name !== 'string') {
    throw new SimConfigError(`${where}: expected an object with a string 'name'`);
  }
  const def = spec.name in FAULT_CATALOGUE ? faultDefinition(spec.name as FaultName) : undefined;
  if (!def) throw new SimConfigError(`${where}: unknown fault '${spec.name}'; allowed: ${Object.keys(FAULT_CATALOGUE).join(', ')}`);
  const ints: Record<string, number | readonly [number, number]> = {};
  let dir: Direction = 'both';
  for (const key of Object.keys(spec)) {
    if (key !== 'name' && !(key in def.params)) {
      throw new SimConfigError(`${where} (${def.name}): unknown parameter '${key}'; allowed: ${Object.keys(def.params).join(', ') || 'none'}`);
    }
  }
  for (const [key, param] of Object.entries(def.params)) {
    const value = spec[key];
    if (param.type === 'direction') {
      const allowed: Direction[] = param.allowBoth ? ['both', 'toListener', 'toConnector'] : ['toListener', 'toConnector'];
      const chosen = value === undefined ? param.default : value;
      if (typeof chosen !== 'string' || !allowed.includes(chosen as Direction)) {
        throw new SimConfigError(`${where} (${def.name}): parameter '${key}' must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
      }
      dir = chosen as Direction;
      continue;
    }
    if (value === undefined) {
      if (param.default !== undefined) ints[key] = param.default;
      else if (param.required) throw new SimConfigError(`${where} (${def.name}): parameter '${key}' is required (${param.doc}, integer ${param.min}..${param.max})`);
      continue;
    }
    ints[key] = checkInt(value, param, `${where} (${def.name}): parameter '${key}'`);
  }
  if (def.oneOf && !def.oneOf.some((key) => key in ints)) {
    throw new SimConfigError(`${where} (${def.name}): give at least one of ${def.oneOf.join(', ')}`);
  }
  return { name: def.name, ints, direction: dir };
}

function checkInt(value: unknown, param: IntParam, what: string): number | readonly [number, number] {
  const ok = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= param.min && (n as number) <= param.max;
  if (ok(value)) return value;
  if (Array.isArray(value) && value.length === 2 && ok(value[0]) && ok(value[1]) && value[0] <= value[1]) return [value[0], value[1]];
  throw new SimConfigError(`${what} must be an integer ${param.min}..${param.max} or a [min, max] pair of them (${param.doc}), got ${JSON.stringify(value)}`);
}
