/* view - smtp-lab view: a trace as Mermaid, SVG and self-contained HTML files, or served on 127.0.0.1 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runSmtpLab, SMTP_LAB_BIN } from './run-smtp-lab.ts';

/** The viewer tests' trace of two sessions, as the simulator writes it. */
const TRACE = fileURLToPath(new URL('../viewer/fixtures/two-sessions.jsonl', import.meta.url));

describe('smtp-lab view', () => {
  it('--mermaid - prints the diagram, one session with --session', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'smtp-lab-view-'));
    const all = await runSmtpLab(['view', TRACE, '--mermaid', '-'], cwd);
    expect({ exitCode: all.exitCode, stderr: all.stderr }).toEqual({ exitCode: 0, stderr: '' });
    const lines = all.stdout.split('\n');
    expect(lines.slice(0, 5)).toEqual(['sequenceDiagram', '  participant client as client', '  participant front as front', '  participant auth as auth', '  participant postfix as postfix']);
    expect(all.stdout).toMatch(/^  front->>client: \[[\d.]+ ms\] 220 .*$/m);

    const [first, second] = await Promise.all(['1', '2'].map((n) => runSmtpLab(['view', TRACE, '--session', n, '--mermaid', '-'], cwd)));
    for (const one of [first!, second!]) {
      expect(one.exitCode).toBe(0);
      expect(one.stdout).toMatch(/^sequenceDiagram\n/);
      expect(one.stdout.length).toBeLessThan(all.stdout.length);
    }
    expect(first!.stdout).not.toBe(second!.stdout);
    expect((await runSmtpLab(['view', TRACE, '--session', '3', '--mermaid', '-'], cwd)).exitCode).toBe(2);
  });

  it('writes the HTML, SVG and Mermaid files it names, from a trace file or a repro directory', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'smtp-lab-view-'));
    const result = await runSmtpLab(['view', TRACE, '--html', 'a.html', '--svg', 'b.svg', '--mermaid', 'c.mmd'], cwd);
    expect(result).toEqual({ exitCode: 0, stdout: 'wrote a.html\nwrote b.svg\nwrote c.mmd\n', stderr: '' });
    const html = readFileSync(join(cwd, 'a.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html, 'the page needs no network').not.toMatch(/(?:src|href)="https?:/);
    expect(readFileSync(join(cwd, 'b.svg'), 'utf8')).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*>[\s\S]*<\/svg>\s*$/);
    expect(readFileSync(join(cwd, 'c.mmd'), 'utf8')).toMatch(/^sequenceDiagram\n/);

    mkdirSync(join(cwd, 'out'));
    copyFileSync(TRACE, join(cwd, 'out', 'trace.jsonl'));
    const fromDir = await runSmtpLab(['view', 'out', '--mermaid', 'd.mmd'], cwd);
    expect(fromDir.exitCode).toBe(0);
    expect(readFileSync(join(cwd, 'd.mmd'), 'utf8')).toBe(readFileSync(join(cwd, 'c.mmd'), 'utf8'));
  });

  it('serves the viewer on 127.0.0.1 until interrupted', async () => {
    const child = spawn(process.execPath, [SMTP_LAB_BIN, 'view', TRACE, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (text: string) => {
          out += text;
          const served = /^viewing .* \((\d+) events\) at (http:\/\/127\.0\.0\.1:\d+\/)/m.exec(out);
          if (served) resolve(served[2]!);
        });
        child.once('exit', (code) => reject(new Error(`view exited ${code} before serving: ${out}`)));
      });
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<html/i);
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('names the bad input and exits 2: a missing file, a file that is not a trace, a bad option value', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'smtp-lab-view-'));
    writeFileSync(join(cwd, 'notes.jsonl'), 'garbage\n');
    const cases: [string[], RegExp][] = [
      [['view', 'missing.jsonl', '--mermaid', '-'], /cannot read missing\.jsonl: ENOENT/],
      [['view', 'notes.jsonl', '--mermaid', '-'], /notes\.jsonl: line 1: not JSON/],
      [['view', TRACE, '--detail', 'most', '--mermaid', '-'], /--detail must be one of app, tcp, all/],
      [['view', TRACE, '--svg', '-', '--mermaid', '-'], /only one of --svg, --mermaid can be '-'/],
      [['view'], /expected exactly one trace FILE, got 0/],
    ];
    for (const [args, message] of cases) {
      const result = await runSmtpLab(args, cwd);
      expect(result.exitCode, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stdout).toBe('');
    }
  });
});
