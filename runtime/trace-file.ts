/* trace-file - serve's --trace: runtime events as JSON Lines, private, bounded, without credentials
 *
 * A live lab runs for days and sees real passwords, so the file is created 0600 (only its owner
 * reads it), rotates once it passes a size (FILE becomes FILE.1, replacing an older FILE.1: at most
 * twice the size on disk), and has SMTP AUTH credentials and the auth service's Auth-Pass header
 * replaced by "<redacted>" unless the user asks for them (--trace-secrets). Lines are written in
 * batches (64 KiB, or every second) rather than one system call per event.
 */
import { closeSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import type { ConnId } from '../models/contract.ts';
import type { RuntimeEvent } from './socket/index.ts';

export interface TraceFileOptions {
  /** Bytes written to one file before it is rotated. */
  readonly maxBytes: number;
  /** Keep credentials in clear (--trace-secrets). */
  readonly secrets: boolean;
}

export const REDACTED = '<redacted>';

/** "AUTH PLAIN <initial response>" (RFC 4954 section 4): the mechanism stays, the response goes. */
const AUTH_INITIAL_RESPONSE = /^(AUTH[ \t]+\S+[ \t]+)\S.*$/i;
/** Mailu's auth_http protocol carries the password in a header (nginx ngx_mail_auth_http_module). */
const AUTH_PASS_HEADER = /^(Auth-Pass:[ \t]*)\S.*$/i;

/**
 * Replaces credentials in the data of recv and write events. A SASL response line is the first
 * client line after a 334 challenge on the same connection, so the redactor remembers, per node and
 * connection, that a 334 went out.
 */
export class CredentialRedactor {
  private readonly challenged = new Set<string>();

  redact(event: RuntimeEvent): RuntimeEvent {
    if (event.kind !== 'recv' && event.kind !== 'write') return event;
    const key = connKey(event.node, event.conn);
    if (event.kind === 'write') {
      if (/(^|\n)334[ -]/.test(event.data)) this.challenged.add(key);
      return redactLines(event, (line) => line.replace(AUTH_PASS_HEADER, `$1${REDACTED}`));
    }
    return redactLines(event, (line) => {
      if (this.challenged.delete(key) && line !== '*' && line !== '') return REDACTED;
      return line.replace(AUTH_INITIAL_RESPONSE, `$1${REDACTED}`).replace(AUTH_PASS_HEADER, `$1${REDACTED}`);
    });
  }
}

function redactLines<E extends { readonly data: string }>(event: E, redactLine: (line: string) => string): E {
  const lines = event.data.split(/(\r?\n)/);
  // split() with a capturing group keeps the line ends at the odd indexes.
  for (let i = 0; i < lines.length; i += 2) lines[i] = redactLine(lines[i]!);
  const data = lines.join('');
  return data === event.data ? event : { ...event, data };
}

function connKey(node: string, conn: ConnId): string {
  return `${node}\u0000${conn}`;
}

/** Bytes gathered before one write(). */
const BATCH_BYTES = 64 * 1024;
const FLUSH_EVERY_MS = 1000;

export class TraceFile {
  private fd: number;
  private written = 0;
  private batch = '';
  private readonly redactor: CredentialRedactor | null;
  private readonly flusher: NodeJS.Timeout;

  constructor(
    readonly path: string,
    private readonly options: TraceFileOptions,
  ) {
    this.fd = openPrivate(path);
    this.redactor = options.secrets ? null : new CredentialRedactor();
    this.flusher = setInterval(() => this.flush(), FLUSH_EVERY_MS).unref();
  }

  write(event: RuntimeEvent): void {
    const line = `${JSON.stringify(this.redactor ? this.redactor.redact(event) : event)}\n`;
    if (this.written + this.batch.length + line.length > this.options.maxBytes && this.written + this.batch.length > 0) {
      this.flush();
      this.rotate();
    }
    this.batch += line;
    if (this.batch.length >= BATCH_BYTES) this.flush();
  }

  close(): void {
    clearInterval(this.flusher);
    this.flush();
    closeSync(this.fd);
  }

  private flush(): void {
    if (this.batch === '') return;
    this.written += writeSync(this.fd, this.batch);
    this.batch = '';
  }

  private rotate(): void {
    closeSync(this.fd);
    renameSync(this.path, `${this.path}.1`);
    this.fd = openPrivate(this.path);
    this.written = 0;
  }
}

/** A new file, 0600: an existing one is removed first, since open() would keep its mode. */
function openPrivate(path: string): number {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return openSync(path, 'wx', 0o600);
}
