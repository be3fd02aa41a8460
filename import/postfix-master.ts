/* postfix-master - master.cf or `postconf -M` output: each service with its `-o` overrides, file and line
 *
 * master(5): a service entry is `service type private unpriv chroot wakeup maxproc command [args]`;
 * lines that start with whitespace continue it, `#` lines are comments. `postconf -M` prints each
 * entry on one line, master.cf usually puts each `-o name=value` on a continuation line; both are
 * one entry here. Only the `-o name=value` form of an override is read: Postfix 3.0's
 * `-o { name = value }` is refused by line rather than guessed at.
 */
import { ConfigError, numberedLines, type Setting, type Where } from './source.ts';

const SERVICE_TYPES = ['inet', 'unix', 'unix-dgram', 'fifo', 'pass'];

export interface MasterService {
  /** The service field as written: `smtp`, `10025`, `127.0.0.1:10025`, `submission`... */
  readonly service: string;
  readonly type: string;
  /** The command's name (smtpd, postscreen...). */
  readonly command: string;
  /** `-o name=value` overrides, each with the line it is on. */
  readonly overrides: ReadonlyMap<string, Setting>;
  readonly where: Where;
}

interface Word {
  readonly text: string;
  readonly line: number;
}

function entryOf(words: readonly Word[], file: string): MasterService {
  const where = { file, line: words[0]!.line };
  if (words.length < 8) throw new ConfigError(where, `a master.cf service entry needs 8 fields (service type private unpriv chroot wakeup maxproc command), got ${words.length}: '${words.map((w) => w.text).join(' ')}'`);
  const [service, type] = [words[0]!.text, words[1]!.text];
  if (!SERVICE_TYPES.includes(type)) throw new ConfigError(where, `service '${service}': type '${type}' is not one of ${SERVICE_TYPES.join(', ')}`);
  const overrides = new Map<string, Setting>();
  const args = words.slice(8);
  for (let i = 0; i < args.length; i++) {
    if (args[i]!.text !== '-o') continue;
    const option = args[i + 1];
    const at = { file, line: option?.line ?? args[i]!.line };
    if (option === undefined) throw new ConfigError(at, `service '${service}': '-o' without a name=value after it`);
    if (option.text.startsWith('{')) throw new ConfigError(at, `service '${service}': the '-o { name = value }' form is not read by the importer; write it as -o name=value`);
    const eq = option.text.indexOf('=');
    if (eq <= 0) throw new ConfigError(at, `service '${service}': expected -o name=value, got -o ${option.text}`);
    const name = option.text.slice(0, eq);
    overrides.set(name, { name, value: option.text.slice(eq + 1), where: at });
    i++;
  }
  return { service, type, command: words[7]!.text, overrides, where };
}

export function parsePostfixMaster(text: string, file: string): MasterService[] {
  const services: MasterService[] = [];
  let words: Word[] = [];
  for (const { text: raw, line } of numberedLines(text)) {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const lineWords = trimmed.split(/\s+/).map((word) => ({ text: word, line }));
    if (/^\s/.test(raw)) {
      if (words.length === 0) throw new ConfigError({ file, line }, `a continuation line (it starts with whitespace) with no service above it: '${trimmed}'`);
      words.push(...lineWords);
      continue;
    }
    if (words.length > 0) services.push(entryOf(words, file));
    words = lineWords;
  }
  if (words.length > 0) services.push(entryOf(words, file));
  return services;
}

/** Well-known service names and the ports they listen on (/etc/services, as master(5) resolves them). */
const SERVICE_PORTS: Readonly<Record<string, number>> = { smtp: 25, submission: 587, submissions: 465, smtps: 465 };

/** The TCP port an inet service listens on: `10025`, `127.0.0.1:10025`, `[::1]:25` or a service name; null when not known. */
export function servicePort(service: MasterService): number | null {
  if (service.type !== 'inet') return null;
  const portText = service.service.includes(':') ? service.service.slice(service.service.lastIndexOf(':') + 1) : service.service;
  if (/^\d+$/.test(portText)) return Number(portText);
  return SERVICE_PORTS[portText] ?? null;
}
