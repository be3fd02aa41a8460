/* config - the real stack's configuration writer says what the recorded runs' configuration said, on any ports */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { labFiles, postfixMainSettings, RECORDED_PORTS } from '../../../conformance/real-stack/config.ts';
import { RECORDS_DIR } from '../../../conformance/records-dir.ts';

const record = (file: string) => readFileSync(join(RECORDS_DIR, file), 'utf8');
/** The recording machine's lab directory, as its Dovecot configuration names it. */
const RECORDED_LAB = /^base_dir = (.+)\/dovecot-run$/m.exec(record('dovecot.conf'))![1]!;

/** Settings only: comments and blank lines dropped, runs of blanks made one. */
function settings(text: string): string[] {
  return text.split('\n').map((line) => line.trim().replace(/\s+/g, ' ')).filter((line) => line !== '' && !line.startsWith('#'));
}

/** Lines added after the recorded runs, which none of them uses: the account of client-identity.test.ts, which no recorded session logs in as. */
const ADDED_SINCE_RECORDING = ['["\\"@example.test"] = "secret",'];

describe('the lab configuration with the recorded ports and lab directory', () => {
  const files = labFiles(RECORDED_LAB, RECORDED_PORTS);

  it('main.cf: every parameter postconf -n reported for the recorded runs, with the same value', () => {
    const recorded = new Map(settings(record('postconf-n.txt')).map((line) => line.split(/ = ?/, 2) as [string, string]));
    // Added by postconf itself, not by main.cf:
    recorded.delete('config_directory');
    // Left behind by switching an unused milter off (records/README.md): no milter is configured either way.
    for (const leftover of ['smtpd_milters', 'milter_protocol', 'milter_default_action']) recorded.delete(leftover);
    expect(new Map(postfixMainSettings(RECORDED_LAB))).toEqual(recorded);
    expect(settings(files['postfix/main.cf'])).toEqual(postfixMainSettings(RECORDED_LAB).map(([key, value]) => `${key} = ${value}`.trimEnd()));
  });

  it.each([
    ['postfix/master.cf', 'postfix-master.cf'],
    ['dovecot/dovecot.conf', 'dovecot.conf'],
    ['dovecot/login.lua', 'dovecot-login.lua'],
  ] as const)('%s: the settings of records/%s', (file, recorded) => {
    expect(settings(files[file]).filter((line) => !ADDED_SINCE_RECORDING.includes(line))).toEqual(settings(record(recorded)));
  });

  it('the lines added since the recorded runs are in the lab configuration', () => {
    expect(settings(files['dovecot/login.lua'])).toEqual(expect.arrayContaining(ADDED_SINCE_RECORDING));
  });
});

describe('the lab configuration on other ports', () => {
  const files = labFiles('/var/lib/smtp-lab-test', { dovecot: 2587, postfix: 40025 });

  it('puts Postfix, the relay and the passdb on the Postfix port, and Dovecot on its own', () => {
    expect(files['postfix/master.cf']).toMatch(/^127\.0\.0\.1:40025 +inet +n +- +n +- +- +smtpd$/m);
    expect(settings(files['dovecot/dovecot.conf'])).toEqual(expect.arrayContaining([
      'submission_host = 127.0.0.1:40025', 'submission_relay_port = 40025', 'port = 2587',
    ]));
    expect(files['dovecot/login.lua']).toContain('port = "40025"');
  });

  it('keeps nothing of the recorded ports', () => {
    for (const text of Object.values(files)) expect(text).not.toMatch(/\b(?:1587|10025)\b/);
  });
});
