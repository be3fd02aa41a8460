/* audit-report - an audit as a person acts on it (Markdown: verdict, evidence, conditions, counterexample, fixes) or as JSON */
import type { AuditReport, ConditionRow, FixRun, PropertyRun } from '../audit/run-audit.ts';
import type { RunReport } from '../scenarios/run.ts';
import { replayLinkLine } from '../playground/link.ts';

export interface ShownSearch {
  /** The counterexample drawn (cli/counterexample.ts), when the search found one. */
  readonly text: string;
  readonly report: RunReport;
  readonly files: readonly string[];
}

const percent = (part: number, whole: number) => (whole === 0 ? '-' : `${((100 * part) / whole).toFixed(1)} %`);

function verdictLine(report: AuditReport): string {
  const { tally, judged, verdict } = report;
  const refused = report.notJudged === null ? `${tally.failures} of ${judged} correct clients refused on ${tally.traces} generated traces` : `no generated traces: ${report.notJudged}; the properties that apply hold`;
  const reasons = [...tally.reasons.entries()].map(([reason, n]) => `${n}× ${reason}`).join('; ');
  switch (verdict) {
    case 'affected':
      return `affected: ${refused} (${tally.pipeliningFailures} with 454 after Postfix's 554 for the proxy's pipelined EHLO)`;
    case 'other failures':
      return `not affected by the 454 after XCLIENT, but failing otherwise: ${refused}${reasons ? ` (${reasons})` : ''}; see the properties`;
    case 'inconclusive':
      return `inconclusive: ${refused}, but a property's coverage gate did not pass: raise --runs`;
    case 'not affected':
      if (report.notJudged !== null) return `not affected: ${refused}`;
      return tally.improperLogged > 0
        ? `not affected (improper pipelining still logged): ${refused}; Postfix logged improper command pipelining after XCLIENT in ${tally.improperLogged} of them and let them through`
        : `not affected: ${refused}; Postfix never saw the proxy pipeline`;
  }
}

function explanation(report: AuditReport, shown: ShownSearch): string[] {
  const scenario = report.options.scenario;
  const improper = shown.report.postfix.log.find((line) => line.includes('improper command pipelining after XCLIENT')) ?? '';
  const search = report.search as PropertyRun;
  const overrides = search.outcome.counterexample?.overrides ?? {};
  return [
    `The front (${scenario.get('front.model')}) writes XCLIENT to Postfix and, without waiting for XCLIENT's 220, EHLO in the same turn.`,
    `When that EHLO is already in Postfix's socket as smtpd finishes xclient_cmd, Postfix sees improper pipelining; with smtpd_forbid_unauth_pipelining = ${scenario.get('postfix.smtpd_forbid_unauth_pipelining')} it answers \`554 5.5.0 Error: SMTP protocol synchronization\` and hangs up.`,
    `The front counts that as a backend failure, reconnects (login_proxy_max_reconnects = ${scenario.get('front.login_proxy_max_reconnects')}) and loses the race again, then answers the client's AUTH with \`${shown.report.client.authReply ?? ''}\`.`,
    `In the shrunk counterexample: TCP profile ${overrides['tcp.profile'] ?? scenario.get('tcp.profile')}, XCLIENT lookup ${overrides['postfix.xclient_lookup_ms'] ?? scenario.get('postfix.xclient_lookup_ms')} ms, ${shown.report.backend.connections} backend connections; Postfix logged: \`${improper}\`.`,
    'Whether the EHLO arrives early is a TCP race: Nagle holds it until XCLIENT is ACKed, and the ACK is delayed (~40 ms) unless quick-ACK or TCP_NODELAY is on; a lookup slower than the delayed-ACK timer lets it in first.',
  ];
}

function conditionTable(rows: readonly ConditionRow[]): string[] {
  return [
    '| condition | value | traces | judged | refused | rate |',
    '|---|---|---:|---:|---:|---:|',
    ...rows.map((row) => `| ${row.dimension} | ${row.value} | ${row.traces} | ${row.judged} | ${row.failed} | ${row.judged === 0 ? 'not judged' : percent(row.failed, row.judged)} |`),
  ];
}

function propertyLine({ outcome, replay }: PropertyRun): string[] {
  const mark = outcome.ok ? 'ok  ' : outcome.result === 'coverage-missing' ? 'n/c ' : 'FAIL';
  return [
    `- ${mark} ${outcome.property.title}: ${outcome.result} (${outcome.runs} traces, seed ${outcome.seed})`,
    ...(outcome.verdict ? [`  - counterexample: ${outcome.verdict}`] : []),
    ...(outcome.coverageGap.missing.length > 0 ? [`  - never ran: ${outcome.coverageGap.missing.join(', ')}`] : []),
    ...(replay ? [`  - replay: \`smtp-lab replay ${replay}\``] : []),
  ];
}

function fixLines(fix: FixRun, affected: boolean): string[] {
  if (fix.notApplicable !== null || fix.tally === null) return [`- **${fix.fix.title}**: does not apply (${fix.notApplicable})`];
  const status = affected ? (fix.holds ? 'holds' : 'does not hold') : fix.holds ? 'keeps it free of the 454' : 'would bring the 454';
  return [`- **${fix.fix.title}**: ${status}: ${fix.tally.failures} of the same traces refused (${fix.tally.pipeliningFailures} with the 454), improper pipelining logged in ${fix.tally.improperLogged}. Cost: ${fix.cost}`];
}

const FIX_HEADINGS: Readonly<Record<AuditReport['verdict'], string>> = {
  affected: 'Candidate fixes',
  'other failures': 'Changes against the 454 (the failures above have another cause)',
  inconclusive: 'Changes against the 454',
  'not affected': 'Changes against the 454 (none needed)',
};

export function auditMarkdown(report: AuditReport, shown: ShownSearch | null, scenarioRef: string): string {
  const { options, tally } = report;
  const given = [...options.scenario.given].map((key) => `${key}=${String(options.scenario.values[key])}`).join(' ');
  const holding = report.fixes.filter((fix) => fix.holds === true).map((fix) => fix.fix.title);
  return [
    `# smtp-lab audit: ${options.scenario.name}`,
    '',
    `**${verdictLine(report)}**`,
    '',
    `Scenario: ${options.scenario.description} (${scenarioRef}${given ? `; ${given}` : ''})`,
    `Runs: seed ${options.seed}; ${report.notJudged === null ? `${options.traces} generated traces on the scenario and on each fix; trigger search up to ${options.searchRuns} traces; ` : ''}${options.propertyRuns} traces per property. The same options give the same report.`,
    '',
    ...(report.verdict === 'affected' && shown ? ['## Why: the 454', '', ...explanation(report, shown), ''] : []),
    `## When it fails: correct clients refused, per condition`,
    '',
    ...(report.notJudged === null
      ? [`Of ${tally.traces} traces, ${report.judged} could be judged (right password, legal client, healthy links and auth service, a login Postfix's XCLIENT takes); the rate is refused / judged.`, '', ...conditionTable(report.conditions)]
      : [`not judged: ${report.notJudged}`]),
    '',
    '## Minimal counterexample (trigger search, shrunk)',
    '',
    ...(typeof report.search === 'string'
      ? [`not searched: ${report.search}`]
      : shown
        ? ['```', shown.text, '```']
        : [`none found in ${report.search.outcome.runs} generated traces (seed ${report.search.outcome.seed})`]),
    '',
    '## Properties',
    '',
    ...report.properties.flatMap(propertyLine),
    ...report.notApplicable.map(({ property, why }) => `- n/a  ${property.title}: ${why}`),
    '',
    `## ${FIX_HEADINGS[report.verdict]}, on the same ${tally.traces} traces`,
    '',
    ...report.fixes.flatMap((fix) => fixLines(fix, report.verdict === 'affected')),
    '',
    ...(report.verdict === 'affected' ? [`Fixes that hold: ${holding.length > 0 ? holding.join('; ') : 'none of the candidates'}.`, ''] : []),
    `Verdict: ${verdictLine(report)}`,
  ].join('\n');
}

export function auditJson(report: AuditReport, shown: ShownSearch | null, scenarioRef: string) {
  const { options, tally } = report;
  const tallyJson = (t: typeof tally) => ({ traces: t.traces, failures: t.failures, pipeliningFailures: t.pipeliningFailures, improperLogged: t.improperLogged, why: Object.fromEntries(t.reasons) });
  const propertyJson = ({ outcome, replay }: PropertyRun) => ({ property: outcome.property.id, result: outcome.result, ok: outcome.ok, runs: outcome.runs, seed: outcome.seed, path: outcome.path, verdict: outcome.verdict, replay, missingCoverage: outcome.coverageGap.missing });
  return {
    scenario: options.scenario.name,
    scenarioRef,
    seed: options.seed,
    runs: { traces: options.traces, searchRuns: options.searchRuns, propertyRuns: options.propertyRuns },
    verdict: report.verdict,
    summary: verdictLine(report),
    tally: tallyJson(tally),
    judged: report.judged,
    notJudged: report.notJudged,
    conditions: report.conditions,
    search: typeof report.search === 'string'
      ? { notApplicable: report.search }
      : { ...propertyJson(report.search), runsToFailure: report.search.outcome.runsToFailure, shrinks: report.search.outcome.shrinks, counterexample: report.search.outcome.counterexample, files: shown?.files ?? [], playground: report.search.replay ? replayLinkLine(report.search.replay) : null },
    properties: report.properties.map(propertyJson),
    notApplicable: report.notApplicable.map(({ property, why }) => ({ property: property.id, why })),
    fixes: report.fixes.map((fix) => ({ fix: fix.fix.id, title: fix.fix.title, notApplicable: fix.notApplicable, holds: fix.holds, tally: fix.tally && tallyJson(fix.tally), cost: fix.cost })),
  };
}
