/* lab - the lab side of a conformance case: the same setting and client in the simulator
 *
 * The real stack is the built-in scenario `real-stack` (Dovecot 2.3 → Postfix 3.7.11 on
 * loopback); a case only adds `--set` overrides for what it varies. Each of the case's
 * sessions runs with its own seed derived from the suite's seed, like `run --repeat`.
 */
import type { ConformanceCase } from './cases.ts';
import type { Measured, SideOutcome } from './compare.ts';
import { normaliseReplies, normaliseReplyLine, smtpdLines } from './normalise.ts';
import type { LabRunner } from './suite.ts';
import { stepGapsOfRuns } from './calibration/lab-steps.ts';
import { DOVECOT_PORT, POSTFIX_PORT } from './calibration/observe.ts';
import type { StepGaps } from './calibration/steps.ts';
import { loadScenario, type Scenario } from '../scenarios/index.ts';
import { runScenario, type RunReport } from '../scenarios/run.ts';

const TCP_PROFILE = { default: 'linux-default', pp3: 'pingpong3', quickack: 'quickack' } as const;

/** The scenario overrides that make `real-stack` this case. */
export function labSets(c: ConformanceCase): string[] {
  return [
    `postfix.smtpd_forbid_unauth_pipelining=${c.setting.forbid ? 'yes' : 'no'}`,
    `tcp.profile=${TCP_PROFILE[c.setting.tcpMode]}`,
    `postfix.xclient_lookup_ms=${c.setting.xclientLookupMs ?? 0}`,
    `client.auth=${c.client.auth}`,
    `client.user=${c.client.user}`,
    `client.password=${c.client.password}`,
    `client.helo=${c.client.helo}`,
    `client.pipelining=${c.client.pipelining ? 'yes' : 'no'}`,
    // swaksArgs(): a case without a message runs swaks --quit-after AUTH (real-run.ts).
    `client.quit_after=${c.client.mail ? 'none' : 'AUTH'}`,
    ...Object.entries(c.labValues ?? {}).map(([key, value]) => `${key}=${value}`),
  ];
}

/** The scheduling a live run measured replaces the case's own (and the built-in calibration). */
function measuredSets(measured: Measured | undefined): string[] {
  return Object.entries(measured?.scheduling ?? {}).map(([key, value]) => `${key}=${value}`);
}

/** Seed of session `index` of a case: distinct per case (FNV-1a of its name) and per session, reproducible from the suite seed. */
export function sessionSeed(suiteSeed: number, caseName: string, index: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < caseName.length; i++) hash = Math.imul(hash ^ caseName.charCodeAt(i), 0x01000193) >>> 0;
  return (Math.imul(suiteSeed, 0x9e3779b1) ^ hash ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0;
}

/** The ports of `real-stack` (its front.port and Postfix's), those of the recorded captures too. */
const LAB_PORTS = { dovecot: DOVECOT_PORT, postfix: POSTFIX_PORT };

/** The step gaps of a case's sessions in the lab, read off their traces as off a capture (calibration/lab-steps.ts). */
export function labSteps(c: ConformanceCase, seed: number): StepGaps {
  return stepGapsOfRuns(labRuns(c, seed, undefined, true), LAB_PORTS);
}

/** The lab side of a case: the outcome of its sessions (labRuns), and their steps when the real side has its own. */
export const runInLab: LabRunner = (c, seed, real) => {
  const sessions = [];
  let backendConnections = 0;
  const log: string[] = [];
  const runs = labRuns(c, seed, real, real?.steps !== undefined);
  for (const run of runs) {
    sessions.push({
      replies: normaliseReplies(run.client.replies),
      authReply: run.client.authReply === null ? null : normaliseReplyLine(run.client.authReply),
      authToReplyMs: run.client.authToReplyMs === null ? null : Math.round(run.client.authToReplyMs),
    });
    backendConnections += run.backend.connections;
    log.push(...run.postfix.log);
  }
  const outcome: SideOutcome = { sessions, backendConnections, smtpdLog: smtpdLines(log), ...(real?.steps ? { steps: stepGapsOfRuns(runs, LAB_PORTS) } : {}) };
  return outcome;
};

/**
 * Sessions of a case follow each other on the real stack: the first after a reload gets a new
 * smtpd process (a live run reloads before every case), the later ones reuse it (Postfix master
 * max_use/max_idle), so session 1 runs cold and the rest with postfix.smtpd_process_reused=yes.
 * A live run's capture says how long that fresh process took to its banner
 * (measured.firstBannerMs): the cold session starts up as long, so the comparison of AUTH→reply
 * times is about the chain, not about how busy the machine was when smtpd was spawned.
 * Returns the reports in order, with their traces when `trace`.
 */
export function labRuns(c: ConformanceCase, seed: number, real?: SideOutcome, trace = false): RunReport[] {
  const own = real?.measured?.scheduling ? { ...c, labValues: undefined } : c;
  const sets = [...labSets(own), ...measuredSets(real?.measured)];
  const firstBanner = real?.measured?.firstBannerMs === undefined ? [] : [`postfix.banner_delay_ms=${real.measured.firstBannerMs}`];
  const cold = loadScenario({ scenario: 'real-stack', sets: [...sets, ...firstBanner] });
  const warm = loadScenario({ scenario: 'real-stack', sets: [...sets, 'postfix.smtpd_process_reused=yes'] });
  const authPhaseUs = real?.measured?.authPhaseUs;
  return Array.from({ length: c.repeat }, (_, i) => {
    const scenario = i === 0 ? cold : warm;
    const options = { seed: sessionSeed(seed, c.name, i), trace };
    return runScenario(scenario, authPhaseUs === undefined ? options : { ...options, wallClockPhaseUs: phaseForAuthAt(scenario, options.seed, authPhaseUs) });
  });
}

/**
 * The wall clock's phase at the start of a lab run that puts its client's AUTH at `authPhaseUs`
 * into its second, as the real run's was. The phase is a decision of its own stream
 * (sim/simulation.ts), so fixing it moves nothing before the failure: the AUTH leaves at the
 * same virtual time in a run with the phase drawn.
 */
function phaseForAuthAt(scenario: Scenario, seed: number, authPhaseUs: number): number {
  const trace = runScenario(scenario, { seed, trace: true }).trace ?? [];
  const auth = trace.find((e) => e.kind === 'write' && e.from === 'client' && String(e.data).startsWith('AUTH '));
  if (auth === undefined) throw new Error(`${scenario.name}: the lab's client sent no AUTH, so the capture's AUTH phase has nothing to set`);
  return (((authPhaseUs - auth.t) % 1_000_000) + 1_000_000) % 1_000_000;
}
