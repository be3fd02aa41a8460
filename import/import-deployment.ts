/* import-deployment - configuration files in, a scenario and its three lists out
 *
 * Reads the files, picks the client's path (a front listener of Dovecot, nginx or HAProxy: `--port`,
 * else the submission port, else the only one), maps the front that owns it, then the Postfix service that front
 * relays to and Mailu's mailu.env. Keys set twice keep the later value (the earlier line is listed
 * as overridden); `--set` comes last. The scenario is resolved and checked as a scenario file is
 * (front keys, Postfix release gates), then each setting the lab cannot change by key is compared
 * with the lab's own value. Every setting read lands in one list; every daemon key the input does
 * not state is listed as assumed with its reason.
 */
import { basename, resolve } from 'node:path';
import type { FrontKind } from '../models/front/config.ts';
import { FRONT_MODELS } from '../models/front/registry.ts';
import { checkFrontKeys } from '../scenarios/fronts.ts';
import { checkReleases } from '../scenarios/front-releases.ts';
import { FRONT_SCENARIOS } from '../scenarios/fronts.ts';
import { parseAssignment, resolveScenario, ScenarioError, type Scenario, type ScenarioDefinition, type ScenarioKey, type ScenarioValues } from '../scenarios/index.ts';
import { POSTFIX_SUBMISSION_PORT } from '../scenarios/topology.ts';
import { UsageError } from '../scenarios/errors.ts';
import { mapDovecot, dovecotListeners } from './dovecot-map.ts';
import { parseDoveconf } from './doveconf.ts';
import { ignored, type AssumedEntry, type ImportEntry, type KeyAssignment, type ListedEntry, type MappedEntry, type MapperResult } from './entries.ts';
import { FRONT_NAMES, SUBMISSION_PORTS, type FrontListener } from './front-listener.ts';
import { FORMAT_NAMES, readInputs, type ConfigFile, type ConfigFormat } from './inputs.ts';
import { mapMailuEnv } from './mailu-env-map.ts';
import { parseMailuEnv } from './mailu-env.ts';
import { mapNginx, nginxListeners } from './nginx-map.ts';
import { parseNginxConf } from './nginx-conf.ts';
import { parseHaproxyCfg } from './haproxy-cfg.ts';
import { haproxyListeners, mapHaproxy } from './haproxy-map.ts';
import { parsePostfixMain } from './postfix-main.ts';
import { LAYOUT_PARAMETERS, mapPostfix, PRESET_KEYED_PARAMETERS, type BackendPort } from './postfix-map.ts';
import { parsePostfixMaster } from './postfix-master.ts';
import { whereText } from './source.ts';

export interface ImportOptions {
  readonly paths: readonly string[];
  /** The client's port: which front listener is the path to audit. */
  readonly port?: number;
  /** The port of the Postfix service the front relays to, when the input does not say. */
  readonly backendPort?: number;
  /** `key=value` for what the files do not say (applied last). */
  readonly sets?: readonly string[];
  readonly name?: string;
}

export interface ImportResult {
  readonly definition: ScenarioDefinition;
  readonly scenario: Scenario;
  readonly files: readonly { readonly path: string; readonly format: ConfigFormat }[];
  /** The client's path in words. */
  readonly path: string;
  readonly mapped: readonly MappedEntry[];
  readonly ignored: readonly ListedEntry[];
  readonly unsupported: readonly ListedEntry[];
  readonly assumed: readonly AssumedEntry[];
}

/**
 * Postfix keys that are daemon configuration (the others are timing, which audit varies). Without
 * Postfix files the preset-keyed ones take the lab's preset (Mailu's 10025 service), listed as assumed;
 * the layout's address lists are the lab's either way (postfix-map.ts LAYOUT_PARAMETERS), so not listed.
 */
const POSTFIX_CONFIG_KEYS: readonly ScenarioKey[] = [
  'postfix.mail_version', 'postfix.smtpd_forbid_unauth_pipelining', 'postfix.smtpd_timeout', 'postfix.smtpd_upstream_proxy_protocol', 'postfix.smtpd_upstream_proxy_timeout',
  ...Object.keys(PRESET_KEYED_PARAMETERS).filter((name) => !LAYOUT_PARAMETERS.includes(name)).map((name) => `postfix.${name}` as ScenarioKey),
];

function only<T>(files: readonly ConfigFile[], format: ConfigFormat, parse: (file: ConfigFile) => T): { file: ConfigFile; parsed: T } | null {
  const matching = files.filter((file) => file.format === format);
  if (matching.length > 1) throw new UsageError(`${matching.map((f) => f.path).join(', ')}: two ${FORMAT_NAMES[format]} configurations; give one per daemon`);
  return matching[0] ? { file: matching[0], parsed: parse(matching[0]) } : null;
}

/** A front proxy's configuration in the input: the client ports it serves and its mapper. */
interface FrontInput {
  readonly file: ConfigFile;
  readonly front: FrontListener['front'];
  readonly listeners: readonly FrontListener[];
  map(listener: FrontListener): { result: MapperResult; backend: BackendPort };
}

/** One front of a format, when the input has it. */
function frontInput<T>(files: readonly ConfigFile[], format: ConfigFormat & FrontListener['front'], parse: (file: ConfigFile) => T, listeners: (parsed: T) => FrontListener[], map: (parsed: T, file: ConfigFile, listener: FrontListener) => { result: MapperResult; backend: BackendPort }): FrontInput[] {
  const input = only(files, format, parse);
  if (input === null) return [];
  return [{ file: input.file, front: format, listeners: listeners(input.parsed), map: (listener) => map(input.parsed, input.file, listener) }];
}

function frontInputs(files: readonly ConfigFile[]): FrontInput[] {
  return [
    ...frontInput(files, 'dovecot', (f) => parseDoveconf(f.text, f.path), dovecotListeners, (parsed, _file, listener) => mapDovecot(parsed, listener)),
    ...frontInput(files, 'nginx', (f) => parseNginxConf(f.text, f.path), nginxListeners, (parsed, file, listener) => mapNginx(parsed, file.path, listener)),
    ...frontInput(files, 'haproxy', (f) => parseHaproxyCfg(f.text, f.path), haproxyListeners, (parsed, _file, listener) => mapHaproxy(parsed, listener)),
  ];
}

function chooseListener(listeners: readonly FrontListener[], port: number | undefined): FrontListener | null {
  const ports = [...new Set(listeners.map((l) => `${l.port} (${l.front}${l.tls ? ', TLS' : ''})`))].join(', ');
  if (port !== undefined) {
    const chosen = listeners.filter((l) => l.port === port);
    if (chosen.length === 0) throw new UsageError(`--port ${port}: no front in the input listens there; the fronts listen on ${ports || 'nothing'}`);
    const fronts = [...new Set(chosen.map((l) => FRONT_NAMES[l.front]))];
    if (fronts.length > 1) throw new UsageError(`--port ${port}: ${fronts.join(' and ')} all listen there`);
    return chosen[0]!;
  }
  for (const submission of SUBMISSION_PORTS) {
    const chosen = listeners.find((l) => l.port === submission);
    if (chosen) return chosen;
  }
  if (listeners.length === 1) return listeners[0]!;
  if (listeners.length === 0) return null;
  throw new UsageError(`the fronts listen on ${ports} and none is a submission port (${SUBMISSION_PORTS.join(', ')}): choose the path with --port N`);
}

/** The chosen front's mapping; each other front's file is one ignored line. */
function mapFront(fronts: readonly FrontInput[], listener: FrontListener | null) {
  const others: ImportEntry[] = [];
  const skip = (file: ConfigFile, why: string) => others.push(ignored({ name: `(whole file, ${FORMAT_NAMES[file.format]})`, value: '', where: { file: file.path, line: 1 } }, why));
  if (listener === null) {
    for (const front of fronts) skip(front.file, 'no SMTP listener in it');
    return { mapped: null, others };
  }
  const elsewhere = `the client's path is port ${listener.port} through ${listener.front}`;
  for (const other of fronts.filter((front) => front.front !== listener.front)) {
    skip(other.file, `${elsewhere}; \`--port N\` imports one of ${FRONT_NAMES[other.front]}'s ports (${other.listeners.map((l) => l.port).join(', ') || 'none for SMTP'})`);
  }
  return { mapped: fronts.find((front) => front.front === listener.front)!.map(listener), others };
}

/**
 * A front that passes no login of its own (HAProxy: FrontModelRow.asksAuthService) leaves AUTH to
 * Postfix; when the service it relays to has smtpd_sasl_auth_enable = no, its clients deliver without
 * logging in (an MX client on port 25), so the lab's clients do too instead of each getting 503.
 */
function clientsWithoutLogin(configured: readonly KeyAssignment[]): KeyAssignment[] {
  const last = (key: ScenarioKey) => configured.filter((assignment) => assignment.key === key).at(-1);
  const model = last('front.model')?.value;
  const sasl = last('postfix.smtpd_sasl_auth_enable');
  if (model === undefined || FRONT_MODELS[model as FrontKind].asksAuthService || sasl === undefined || sasl.value !== 'no' || last('client.auth') !== undefined) return [];
  const why = `${model} passes no login and the smtpd it relays to offers no AUTH: clients deliver without logging in`;
  return [{ key: 'client.auth', value: 'none', setting: sasl.setting, note: why, ...(sasl.assumed === undefined ? {} : { assumed: `${why} (postfix.smtpd_sasl_auth_enable is assumed too)` }) }];
}

function commandLineSets(sets: readonly string[]): KeyAssignment[] {
  return sets.map((text, index) => {
    const [key, value] = parseAssignment(text);
    return { key: key as ScenarioKey, value, setting: { name: '--set', value: text, where: { file: 'command line', line: index + 1 } }, note: 'given on the command line' };
  });
}

function resolved(definition: ScenarioDefinition): Scenario {
  const scenario = resolveScenario(definition);
  try {
    checkFrontKeys(scenario);
    checkReleases(scenario);
  } catch (error) {
    if (error instanceof ScenarioError) throw new UsageError(`the imported settings do not make a scenario the lab can run: ${error.message}`);
    throw error;
  }
  return scenario;
}

export function importDeployment(options: ImportOptions): ImportResult {
  const files = readInputs(options.paths);
  const fronts = frontInputs(files);
  const listener = chooseListener(fronts.flatMap((front) => front.listeners), options.port);
  const front = mapFront(fronts, listener);
  const backend: BackendPort = options.backendPort !== undefined
    ? { port: options.backendPort, because: `--backend-port ${options.backendPort}` }
    : front.mapped?.backend ?? { port: POSTFIX_SUBMISSION_PORT, because: `no front in the input; Mailu's authenticated service is on ${POSTFIX_SUBMISSION_PORT}` };
  const mains = files.filter((f) => f.format === 'postfix-main').map((f) => ({ file: f.path, parameters: parsePostfixMain(f.text, f.path) }));
  const masters = files.filter((f) => f.format === 'postfix-master').map((f) => ({ file: f.path, services: parsePostfixMaster(f.text, f.path) }));
  const results: MapperResult[] = [
    ...(front.mapped ? [front.mapped.result] : []),
    ...(mains.length + masters.length > 0 ? [mapPostfix({ main: mains, master: masters }, backend)] : []),
    ...files.filter((f) => f.format === 'mailu-env').map((f) => mapMailuEnv(parseMailuEnv(f.text, f.path))),
  ];
  const entries: ImportEntry[] = [...front.others, ...results.flatMap((r) => r.entries)];
  const configured = results.flatMap((r) => r.keys);
  const assignments = [...configured, ...clientsWithoutLogin(configured), ...commandLineSets(options.sets ?? [])];
  const values: Partial<Record<ScenarioKey, unknown>> = {};
  const final = new Map<ScenarioKey, KeyAssignment>();
  for (const assignment of assignments) {
    const earlier = final.get(assignment.key);
    if (earlier && earlier.assumed === undefined) entries.push(ignored(earlier.setting, `overridden by ${whereText(assignment.setting.where)} (${assignment.key})`));
    final.set(assignment.key, assignment);
    values[assignment.key] = assignment.value;
  }
  for (const { setting, key, value, note, assumed } of final.values()) entries.push(assumed === undefined ? { list: 'mapped', setting, key, value: String(value), note } : { list: 'assumed', key, value: String(value), reason: assumed });
  const name = options.name ?? basename(resolve(options.paths[0]!)).replace(/\.(cf|conf|env|txt)$/, '');
  const pathText = listener === null ? 'no front in the input' : `client -> ${FRONT_NAMES[listener.front]} port ${listener.port}${listener.tls ? ' (TLS)' : ''} -> Postfix port ${backend.port}`;
  const definition: ScenarioDefinition = { name, description: `imported from ${options.paths.join(', ')}: ${pathText}`, values: values as Partial<ScenarioValues> };
  const scenario = resolved(definition);
  for (const fixed of results.flatMap((r) => r.fixed)) {
    const { labValue, same } = fixed.compare(scenario);
    if (same && fixed.unstated === true) continue;
    entries.push(same
      ? { list: 'mapped', setting: fixed.setting, key: null, value: labValue, note: "behaves as the lab's own setting" }
      : { list: 'unsupported', setting: fixed.setting, reason: `the lab's is ${labValue || '(empty)'}: ${fixed.whyItMatters}` });
  }
  const assumedKeys = new Set(entries.flatMap((e) => (e.list === 'assumed' ? [e.key] : [])));
  const daemonKeys = [...FRONT_SCENARIOS[scenario.get('front.model')].keys, ...POSTFIX_CONFIG_KEYS, 'client.auth' as const];
  for (const key of daemonKeys) {
    if (key in values || assumedKeys.has(key)) continue;
    const source = key.startsWith('postfix.') ? (mains.length + masters.length > 0 ? "not set: Postfix's default for this release" : "no Postfix configuration in the input: the lab's") : key.startsWith('front.') ? (listener ? `not set: ${FRONT_NAMES[listener.front]}'s default` : "no front in the input: the lab's") : "the lab's generated clients log in";
    entries.push({ list: 'assumed', key, value: String(scenario.get(key)), reason: source });
  }
  const listOf = <L extends ImportEntry['list']>(list: L) => entries.filter((e): e is Extract<ImportEntry, { list: L }> => e.list === list);
  return {
    definition, scenario, path: pathText,
    files: files.map((f) => ({ path: f.path, format: f.format })),
    mapped: listOf('mapped'), ignored: listOf('ignored'), unsupported: listOf('unsupported'), assumed: listOf('assumed'),
  };
}
