/* commands - the bytes the client writes for each step, and the SASL continuations that follow
 *
 * Text is sent as UTF-8 (so credentials and addresses of any alphabet survive); every
 * line ends in CRLF. Encodings follow swaks (jetmore/swaks, swaks: do_smtp_auth_plain,
 * do_smtp_auth_login, process_args' DATA handling) and RFC 4954 / RFC 5321.
 */
import type { ClientStep } from './script.ts';

const utf8 = new TextEncoder();

export function lineBytes(text: string): Uint8Array {
  return utf8.encode(`${text}\r\n`);
}

export function base64Utf8(text: string): string {
  return Buffer.from(utf8.encode(text)).toString('base64');
}

/** RFC 4954 §4: an empty initial response is sent as a single "=". */
function initialResponse(base64: string): string {
  return base64 === '' ? '=' : base64;
}

/** PLAIN's blob is authzid NUL authcid NUL passwd (RFC 4616); swaks leaves authzid empty. */
function plainBlob(user: string, password: string): string {
  return base64Utf8(`\0${user}\0${password}`);
}

/**
 * Step bytes by step: a scenario's script (and so its steps) is shared by all its runs, and
 * encoding a step is pure. The client hands them to the driver as they are (SmtpClient.emitWrite):
 * nothing writes to a write's bytes.
 */
const encodedSteps = new WeakMap<ClientStep, Uint8Array>();

/** The first line of a step: what goes into its group's write (shared: do not modify). */
export function stepBytes(step: ClientStep): Uint8Array {
  let bytes = encodedSteps.get(step);
  if (bytes === undefined) {
    bytes = encodeStep(step);
    encodedSteps.set(step, bytes);
  }
  return bytes;
}

function encodeStep(step: ClientStep): Uint8Array {
  switch (step.kind) {
    case 'ehlo':
      return lineBytes(`EHLO ${step.domain}`);
    case 'helo':
      return lineBytes(`HELO ${step.domain}`);
    case 'auth':
      if (!step.initialResponse) return lineBytes(`AUTH ${step.mechanism}`);
      return step.mechanism === 'PLAIN'
        ? lineBytes(`AUTH PLAIN ${initialResponse(plainBlob(step.user, step.password))}`)
        : lineBytes(`AUTH LOGIN ${initialResponse(base64Utf8(step.user))}`);
    case 'mail':
      return lineBytes(`MAIL FROM:<${step.from}>`);
    case 'rcpt':
      return lineBytes(`RCPT TO:<${step.to}>`);
    case 'data':
      return lineBytes('DATA');
    case 'message':
      return messageBytes(step.content);
    case 'rset':
      return lineBytes('RSET');
    case 'noop':
      return lineBytes('NOOP');
    case 'quit':
      return lineBytes('QUIT');
    case 'line':
      return lineBytes(step.text);
    case 'raw':
      return Uint8Array.from(Buffer.from(step.latin1, 'latin1'));
  }
}

/** A raw step that stops mid-line is owed no reply; every other step is owed one (RFC 5321 §4.2: a reply per command). */
export function owesReply(step: ClientStep): boolean {
  return step.kind !== 'raw' || step.latin1.endsWith('\n');
}

/**
 * The base64 lines an AUTH step still owes after its AUTH line, one per 334 challenge.
 * (RFC 4954 §4: continuation responses are bare base64 lines; an empty one is an empty line.)
 */
export function authContinuations(step: Extract<ClientStep, { kind: 'auth' }>): string[] {
  if (step.mechanism === 'PLAIN') return step.initialResponse ? [] : [plainBlob(step.user, step.password)];
  const password = base64Utf8(step.password);
  return step.initialResponse ? [password] : [base64Utf8(step.user), password];
}

/**
 * Message content as it goes on the wire: a leading "." on any line is doubled
 * (RFC 5321 §4.5.2 transparency), lone LF becomes CRLF, and the end is CRLF "." CRLF.
 * swaks does the same (process_args: s/\n\./\n../g, then appends "\r\n." and the CRLF of
 * send_data) but only stuffs dots after a newline; a dot at the very start is stuffed here too.
 */
export function messageBytes(content: string): Uint8Array {
  const lines = content.split(/\r?\n/);
  const endsWithNewline = lines.length > 1 && lines[lines.length - 1] === '';
  if (endsWithNewline) lines.pop();
  const body = lines.map((line) => (line.startsWith('.') ? `.${line}` : line)).join('\r\n');
  const emptyMessage = body === '' && !endsWithNewline;
  return utf8.encode(emptyMessage ? '.\r\n' : `${body}\r\n.\r\n`);
}
