/* cases - the conformance cases: every row of the recorded runs.tsv and trials.tsv, plus our own
 *
 * A case fixes the real stack's setting (forbid, TCP mode, slow XCLIENT lookup) and what the
 * client does; the same case is run on the real daemons and in the lab. Cases whose outcome is
 * a TCP race on the real stack (quickack, pp3 without the deterministic slow lookup) are run
 * `repeat` times on both sides and compared as distributions (compare.ts).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ScenarioValues } from '../scenarios/keys.ts';
import { fitScheduling, readBatch, type BatchEvidence } from './calibration/fit.ts';
import { fitStepTimings } from './calibration/step-timings.ts';
import type { RealSetting, TcpMode } from './real-stack.ts';

export interface ClientPlan {
  readonly auth: 'PLAIN' | 'LOGIN';
  readonly user: string;
  readonly password: string;
  readonly helo: string;
  /** Send a message after AUTH (runs) or QUIT right after it (trials). */
  readonly mail: boolean;
  /** MAIL, RCPT and DATA sent as one group (swaks --pipeline). */
  readonly pipelining: boolean;
}

export interface ConformanceCase {
  readonly name: string;
  readonly source: 'runs.tsv' | 'trials.tsv' | 'own' | 'calibration';
  readonly why: string;
  readonly setting: RealSetting;
  readonly client: ClientPlan;
  /** Sessions per side; 1 for a deterministic single run. */
  readonly repeat: number;
  /** Outcome decided by a real TCP race: compared as a distribution. */
  readonly racy: boolean;
  /**
   * When the real AUTH→reply time depends on the wall clock's phase, the range it can take;
   * both sides must fall inside it (widened by the tolerance) instead of matching each other.
   */
  readonly realAuthTimeRangeMs?: readonly [number, number];
  /**
   * The scheduling parameters measured in this case's own capture (calibration/fit.ts), for the
   * lab to run with instead of the built-in calibration: a calibration batch is judged against
   * the load it was recorded under.
   */
  readonly labValues?: Partial<ScenarioValues>;
}

/** Calibration batches: records/calibration/<batch>/ (calibration/record.ts). */
export const CALIBRATION_DIR = 'calibration';

export const USER = 'alice@example.test';
/** A 249-character EHLO name: three 63-character labels and one of 57. */
export const LONG_HELO = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}`;

const CLIENT: ClientPlan = { auth: 'PLAIN', user: USER, password: 'secret', helo: 'client.example.test', mail: true, pipelining: false };

interface TsvRow {
  readonly name: string;
  readonly fields: ReadonlyMap<string, string>;
}

function readTsv(file: string): TsvRow[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim().length > 0).map((line) => {
    const [name, ...rest] = line.split('\t');
    const fields = new Map(rest.map((f) => [f.slice(0, f.indexOf('=')), f.slice(f.indexOf('=') + 1)] as [string, string]));
    return { name: name!, fields };
  });
}

function settingOf(row: TsvRow): RealSetting {
  const tcp = row.fields.get('tcp');
  if (tcp !== 'default' && tcp !== 'pp3' && tcp !== 'quickack') throw new Error(`${row.name}: unknown tcp mode '${tcp}'`);
  const forbid = row.fields.get('forbid');
  if (forbid !== 'yes' && forbid !== 'no') throw new Error(`${row.name}: forbid must be yes or no, not '${forbid}'`);
  return { forbid: forbid === 'yes', tcpMode: tcp as TcpMode, xclientLookupMs: row.name.includes('slowxclient') ? 100 : null };
}

function racy(setting: RealSetting): boolean {
  return setting.tcpMode !== 'default' && setting.xclientLookupMs === null;
}

export interface CaseOptions {
  /** Sessions per trials.tsv cell (the record used 20). */
  readonly trials: number;
  /** Sessions for a racy single run of runs.tsv. */
  readonly racyRepeat: number;
}

export function conformanceCases(rawDir: string, options: CaseOptions): ConformanceCase[] {
  const runs = readTsv(join(rawDir, 'runs.tsv')).map((row): ConformanceCase => {
    const setting = settingOf(row);
    const auth = row.name.endsWith('-login') ? 'LOGIN' : 'PLAIN';
    return {
      name: row.name, source: 'runs.tsv', why: 'recorded run', setting,
      client: { ...CLIENT, auth }, repeat: racy(setting) ? options.racyRepeat : 1, racy: racy(setting),
    };
  });
  const trials = readTsv(join(rawDir, 'trials.tsv')).map((row): ConformanceCase => {
    const setting = settingOf(row);
    return {
      name: row.name, source: 'trials.tsv', why: 'recorded race-matrix cell (AUTH only)', setting,
      client: { ...CLIENT, mail: false }, repeat: options.trials, racy: racy(setting),
    };
  });
  const fast: RealSetting = { forbid: true, tcpMode: 'default', xclientLookupMs: null };
  const slow: RealSetting = { forbid: true, tcpMode: 'default', xclientLookupMs: 100 };
  const own: ConformanceCase[] = [
    { name: 'L1-long-helo-slowxclient', source: 'own', why: '249-char EHLO name rides in XCLIENT HELO=', setting: slow, client: { ...CLIENT, helo: LONG_HELO }, repeat: 1, racy: false },
    { name: 'L2-long-helo-default', source: 'own', why: '249-char EHLO name, fast backend', setting: fast, client: { ...CLIENT, helo: LONG_HELO }, repeat: 1, racy: false },
    { name: 'P1-client-pipelining', source: 'own', why: 'client pipelines MAIL/RCPT/DATA after login', setting: fast, client: { ...CLIENT, pipelining: true }, repeat: 1, racy: false },
    { name: 'P2-client-pipelining-forbid-no-slow', source: 'own', why: 'client pipelining behind the forbid=no workaround, slow lookup', setting: { ...slow, forbid: false }, client: { ...CLIENT, pipelining: true }, repeat: 1, racy: false },
    // Last on purpose: a failed login from 127.0.0.1 raises Dovecot's auth penalty for that IP
    // (auth-request-handler.c auth_request_handle_failure → auth_penalty_update), which delays the
    // next logins by seconds (measured: L1 took 7.8 s instead of 3.8 s right after this case).
    // The 535 leaves at the first 500 ms check (AUTH_FAILURE_DELAY_CHECK_MSECS) where whole
    // seconds since the failure reach auth_failure_delay = 2 (auth_request_handler_flush_failures
    // compares time_t seconds): 1.5 s or 2.0 s after AUTH, depending on the wall clock's phase.
    {
      name: 'W1-wrong-password', source: 'own', why: 'auth failure: Dovecot answers without a backend, after auth_failure_delay',
      setting: fast, client: { ...CLIENT, password: 'wrong', mail: false }, repeat: 1, racy: false, realAuthTimeRangeMs: [1500, 2000],
    },
  ];
  return [...runs, ...trials, ...calibrationCases(join(rawDir, CALIBRATION_DIR)), ...own];
}

/** One case per recorded calibration batch (calibrationCase). */
function calibrationCases(dir: string): ConformanceCase[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((name) => existsSync(join(dir, name, 'batch.json'))).sort().map((name) => calibrationCase(readBatch(join(dir, name))));
}

/**
 * A calibration batch as a case: AUTH-only sessions as in the trial cells, as many as the batch
 * had. A racy batch's lab runs with the scheduling its own capture shows (calibration/fit.ts:
 * who ran first, wake-up latencies, session load, the run-queue wait) and the daemons' processing
 * times its steps' medians show (calibration/step-timings.ts); whether the race was lost (Postfix's
 * log) and the sessions' AUTH→reply times are not part of that fit, so they are still predictions.
 */
export function calibrationCase(batch: BatchEvidence): ConformanceCase {
  const setting = batch.info.setting;
  const c: ConformanceCase = {
    name: `C-${batch.info.name}`, source: 'calibration', why: `calibration batch, load ${batch.info.loadBefore[0]}`, setting,
    client: { ...CLIENT, mail: false }, repeat: batch.info.sessions, racy: racy(setting),
  };
  if (!c.racy) return c;
  const scheduled = { ...c, labValues: fitScheduling([batch]).values };
  return { ...scheduled, labValues: { ...scheduled.labValues, ...fitStepTimings(scheduled, batch.steps) } };
}
