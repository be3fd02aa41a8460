/* talk - run one scripted client connection against a Postfix model (tests only) */
import type { Micros } from '../../../models/contract.js';
import { labPreset, type PostfixConfig } from '../../../models/postfix/config.js';
import { createPostfix, type PostfixModel } from '../../../models/postfix/smtpd.js';
import { accept, bytes, drive, type Recorded, type Scheduled } from './driver.js';

export type ScriptStep = readonly [Micros, string | 'EOF' | 'RESET'];

export interface Conversation extends Recorded {
  readonly model: PostfixModel;
  /** Everything written, concatenated. */
  readonly output: string;
  /** Reply lines without CRLF. */
  readonly replies: string[];
  readonly logLines: string[];
}

/**
 * The recorded stack's smtpd with Postfix's own transports (mail_params.h DEF_DEFAULT_TRANSPORT, DEF_RELAY_TRANSPORT)
 * instead of its error:5.7.1 ones, and no local recipient table, so that a test of something else sees every
 * recipient the restrictions pass accepted (elsewhere.test relayed, a local domain's anyone delivered); the tests of
 * check_rcpt_maps() set them (transports.test.ts, local-recipients.test.ts).
 */
export const DELIVERING: Partial<PostfixConfig> = { default_transport: 'smtp', relay_transport: 'relay', local_recipient_maps: null };

/** Connect at t=0 from `from` and send each step at its time (µs); a partial config is over labPreset() with DELIVERING. */
export function talk(config: PostfixConfig | Partial<PostfixConfig>, script: readonly ScriptStep[], from = '127.0.0.1', model?: PostfixModel): Conversation {
  const full = 'mail_version' in config && 'timings' in config ? (config as PostfixConfig) : labPreset({ ...DELIVERING, ...config });
  const postfix = model ?? createPostfix(full);
  const inputs: Scheduled[] = [{ t: 0, input: accept('c', 40000, from) }];
  for (const [t, what] of script) {
    if (what === 'EOF') inputs.push({ t, input: { kind: 'eof', conn: 'c' } });
    else if (what === 'RESET') inputs.push({ t, input: { kind: 'reset', conn: 'c' } });
    else inputs.push({ t, input: bytes('c', what) });
  }
  const rec = drive(postfix, inputs);
  const output = rec.writes.map((w) => w.data).join('');
  return {
    ...rec,
    model: postfix,
    output,
    replies: output.split('\r\n').filter((line) => line.length > 0),
    logLines: rec.logs.map((l) => l.line),
  };
}

/** Lock-step helper: one command per step, far enough apart that every reply came first. */
export function lockstep(lines: readonly string[], startUs = 200_000, gapUs = 50_000): ScriptStep[] {
  return lines.map((line, i) => [startUs + i * gapUs, line] as const);
}

export const EHLO_LAB = [
  '250-backend.example.test', '250-PIPELINING', '250-SIZE 10240000', '250-VRFY', '250-ETRN', '250-AUTH PLAIN LOGIN',
  '250-XCLIENT NAME ADDR PROTO HELO REVERSE_NAME PORT LOGIN DESTADDR DESTPORT', '250-ENHANCEDSTATUSCODES',
  '250-8BITMIME', '250-DSN', '250-SMTPUTF8', '250 CHUNKING',
];
