/* script-text - the client.script syntax: groups, pipelining, escapes, raw bytes, and errors that name the column */
import { describe, expect, it } from 'vitest';
import { SmtpClient } from '../../../models/client/client.ts';
import { parseScriptText, ScriptSyntaxError, scriptTextProblem } from '../../../models/client/script-text.ts';
import type { ClientGroup, ClientScript } from '../../../models/client/script.ts';
import { ruleServer, runClient } from './scripted-server.ts';

/** Each group as the bytes of its steps (latin1). */
const bytesOf = (groups: readonly ClientGroup[]) => groups.map((group) => group.steps.map((step) => (step.kind === 'raw' ? step.latin1 : `not raw: ${step.kind}`)));

describe('parseScriptText', () => {
  it("';' separates groups, '|' pipelines within one; each command gets CRLF; white space around separators is not sent", () => {
    const groups = parseScriptText('EHLO lab;  MAIL FROM:<a@x> | RCPT TO:<b@x>|DATA ;QUIT');
    expect(bytesOf(groups)).toEqual([['EHLO lab\r\n'], ['MAIL FROM:<a@x>\r\n', 'RCPT TO:<b@x>\r\n', 'DATA\r\n'], ['QUIT\r\n']]);
    expect(groups.every((group) => group.writes === 'one')).toBe(true);
  });

  it('escapes give any byte: CR, LF, TAB, NUL, \\xHH, and the separators and backslash themselves', () => {
    expect(bytesOf(parseScriptText('A\\r\\n\\t\\0\\xff\\x7F\\\\\\;\\|B'))).toEqual([['A\r\n\t\0\xff\x7f\\;|B\r\n']]);
  });

  it('\\c at the end sends no CRLF; a message is one command of lines joined by \\r\\n', () => {
    expect(bytesOf(parseScriptText('NO\\c; OP'))).toEqual([['NO'], ['OP\r\n']]);
    expect(bytesOf(parseScriptText('MAIL FROM:<a@x>\\n\\c'))).toEqual([['MAIL FROM:<a@x>\n']]);
    expect(bytesOf(parseScriptText('DATA; Subject: hi\\r\\n\\r\\n..dot\\r\\n.'))).toEqual([['DATA\r\n'], ['Subject: hi\r\n\r\n..dot\r\n.\r\n']]);
  });

  it('sends other characters as UTF-8 and spreads over lines of a scenario file', () => {
    expect(bytesOf(parseScriptText('VRFY jörg\n; NOOP 😀'))).toEqual([['VRFY j\xc3\xb6rg\r\n'], ['NOOP \xf0\x9f\x98\x80\r\n']]);
  });

  it('refuses a malformed script with the column of the mistake', () => {
    const cases: [string, string][] = [
      ['EHLO lab;; QUIT', "column 10: empty command (nothing between two of ';' and '|', or at an end); an empty line is \\r\\n\\c"],
      ['EHLO lab | ', "column 11: empty command (nothing between two of ';' and '|', or at an end); an empty line is \\r\\n\\c"],
      ['NOOP \\q', 'column 6: unknown escape \\q; escapes are \\r \\n \\t \\0 \\xHH \\\\ \\; \\| and \\c at the end of a command'],
      ['QUIT; NOOP \\xZ1', "column 12: \\x needs two hex digits, got 'Z1'"],
      ['NOOP \\x4', "column 6: \\x needs two hex digits, got '4'"],
      ['NO\\cOP', 'column 3: \\c (no CRLF) must end its command'],
      ['NOOP\\', 'column 5: a lone backslash ends the command; escapes are \\r \\n \\t \\0 \\xHH \\\\ \\; \\| and \\c at the end of a command'],
      ['MAIL FROM:<a>\nRCPT TO:<b>', 'column 14: a line break inside a command; write \\r\\n (or \\n) for one'],
    ];
    for (const [script, message] of cases) {
      expect(() => parseScriptText(script), script).toThrow(ScriptSyntaxError);
      expect(scriptTextProblem(script), script).toBe(message);
    }
    expect(scriptTextProblem('EHLO lab; QUIT')).toBeNull();
  });
});

describe('the client plays a parsed script', () => {
  const script = (text: string): ClientScript => ({
    connectTo: { host: '127.0.0.1', port: 25 },
    noDelay: false,
    waitForGreeting: true,
    thinkTimeUs: 100,
    replyTimeoutUs: 30_000_000,
    groups: parseScriptText(text),
  });
  const server = () =>
    ruleServer('220 mx ESMTP\r\n', [
      [/^MAIL /, '553 5.1.3 no\r\n'],
      [/^NOOP/, '250 2.0.0 Ok\r\n'],
      [/^QUIT$/, [{ bytes: '221 2.0.0 Bye\r\n' }, { eof: true }]],
    ]);

  it('writes each group in one write, goes on after a refusal, and counts the QUIT it sent', () => {
    const client = new SmtpClient(script('MAIL FROM:<a@x> | NOOP; NOOP x; QUIT'));
    const run = runClient(client, server());
    expect(run.writes.map((w) => w.text)).toEqual(['MAIL FROM:<a@x>\r\nNOOP\r\n', 'NOOP x\r\n', 'QUIT\r\n']);
    expect(client.result()).toMatchObject({ replies: ['220 mx ESMTP', '553 5.1.3 no', '250 2.0.0 Ok', '250 2.0.0 Ok', '221 2.0.0 Bye'], closedBy: 'client', quitAnswered: true, done: true });
  });

  it('waits for no reply to a piece of a line: the step that ends the line is owed it', () => {
    const client = new SmtpClient(script('NO\\c; OP; QUIT'));
    // ruleServer answers whole lines of one write; this one keeps the piece until its line ends.
    const lines = server();
    let partial = '';
    const run = runClient(client, {
      onConnect: () => lines.onConnect(),
      onWrite(text, context) {
        partial += text;
        const end = partial.lastIndexOf('\n') + 1;
        const whole = partial.slice(0, end);
        partial = partial.slice(end);
        return whole === '' ? [] : lines.onWrite(whole, context);
      },
    });
    expect(run.writes.map((w) => w.text)).toEqual(['NO', 'OP\r\n', 'QUIT\r\n']);
    expect(client.result()).toMatchObject({ quitAnswered: true, error: null });
  });

  it('a script without QUIT ends with the client hanging up, QUIT unanswered', () => {
    const client = new SmtpClient(script('NOOP'));
    runClient(client, server());
    expect(client.result()).toMatchObject({ closedBy: 'client', quitAnswered: false, done: true });
  });
});
