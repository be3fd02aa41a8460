/* terminal - the diagram repro prints: lanes, the 554 and 454 on their arrows, the early segment marked */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../scenarios/index.ts';
import { runScenario } from '../../scenarios/run.ts';
import { buildDiagram } from '../../viewer/model/diagram.ts';
import { renderTerminal } from '../../viewer/export/terminal.ts';

describe('renderTerminal', () => {
  const trace = (sets: string[]) => runScenario(loadScenario({ scenario: 'mailu-2024.06', sets }), { seed: 1, trace: true }).trace ?? [];

  it('draws the failing session with the decisive moment marked, and no colour codes unless asked', () => {
    const text = renderTerminal(buildDiagram(trace(['postfix.xclient_lookup_ms=100'])));
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/time\s+client\s+front\s+auth\s+postfix/);
    expect(lines.filter((line) => line.includes('554 5.5.0 Error: SMTP protocol synchronization') && line.includes('◀'))).toHaveLength(4);
    expect(lines.some((line) => line.includes('454 4.7.0 Account is temporarily unavailable.'))).toBe(true);
    expect(lines.filter((line) => line.includes('!! ') && line.includes('improper command pipelining after XCLIENT')).length).toBeGreaterThanOrEqual(4);
    expect(text).not.toContain('\x1b[');
  });

  it('a passing session has nothing marked; colour wraps lines in ANSI codes', () => {
    const diagram = buildDiagram(trace(['tcp.profile=linux-default']));
    expect(renderTerminal(diagram)).not.toContain('!! ');
    expect(renderTerminal(diagram, { colour: true })).toContain('\x1b[');
  });
});
