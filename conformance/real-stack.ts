/* real-stack - start, reconfigure and stop the real Postfix and Dovecot for conformance runs
 *
 * The TypeScript twin of ../shared/conformance/run-real-stack.sh: the lab configuration written
 * by setup-real-stack.sh (.ci/install-real-stack.sh) under $LAB, the daemons started in the
 * foreground (`postfix start-fg`, `dovecot -F`) so each is one child with a PID we own, and
 * the same knobs: smtpd_forbid_unauth_pipelining, the loopback TCP mode, and the slow
 * smtpd_authorized_xclient_hosts lookup (slow_tcp_table.py). With `netns` set, everything runs
 * in a private network namespace that has only a loopback interface, so the TCP modes change
 * nothing outside it; without, the daemons listen on the host's 127.0.0.1 (mixed topologies,
 * where node's own sockets must reach them) and the TCP mode cannot be changed.
 * stop() ends every process it started, by PID, and deletes a namespace it created.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdirSync, readdirSync, rmSync, chownSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export type TcpMode = 'default' | 'pp3' | 'quickack';

export interface RealSetting {
  readonly forbid: boolean;
  readonly tcpMode: TcpMode;
  /** Delay of each smtpd_authorized_xclient_hosts lookup (slow_tcp_table.py), or null for the static 127.0.0.0/8. */
  readonly xclientLookupMs: number | null;
}

export interface RealStackOptions {
  readonly lab?: string;
  /** Namespace to create and run in; null runs on the host's loopback. */
  readonly netns?: string | null;
  /** ../shared/conformance (slow_tcp_table.py lives there). */
  readonly shared?: string;
  readonly postfix?: boolean;
  readonly dovecot?: boolean;
  /** Dovecot's submission port, when prepareLab moved it. */
  readonly dovecotPort?: number;
}

export interface SwaksRun {
  readonly transcript: string;
  readonly exitCode: number | null;
  readonly wallMs: number;
}

/** Ports fixed by setup-real-stack.sh's configuration. */
export const REAL_PORTS = { dovecot: 1587, postfix: 10025, xclientTable: 11333 } as const;

export const DEFAULT_LAB = '/tmp/mailstack-lab';
export const DEFAULT_SHARED = resolve(import.meta.dirname, '../../shared/conformance');

/** Why the real stack cannot run here (with `lab`: also why that lab is not configured), or null when it can. */
export function realStackMissing(lab?: string): string | null {
  if (process.getuid?.() !== 0) return 'not root (the postfix and dovecot masters need it)';
  for (const tool of ['postfix', 'dovecot', 'swaks', 'ip', 'python3']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not installed (run .ci/install-real-stack.sh)`;
  }
  if (lab !== undefined && !existsSync(join(lab, 'postfix/main.cf'))) return `no lab configuration in ${lab} (run .ci/install-real-stack.sh)`;
  return null;
}

/** Run swaks against `server` (host:port), in a network namespace if given; never rejects. */
export function runSwaks(server: string, args: readonly string[], options: { netns?: string | null; timeoutMs?: number } = {}): Promise<SwaksRun> {
  const argv = [...(options.netns ? ['ip', 'netns', 'exec', options.netns] : []), 'swaks', '--server', server, ...args];
  const started = process.hrtime.bigint();
  return new Promise((resolvePromise) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let transcript = '';
    child.stdout.setEncoding('latin1').on('data', (t: string) => (transcript += t));
    child.stderr.setEncoding('latin1').on('data', (t: string) => (transcript += t));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', (error) => (transcript += `\n*** ${error.message}`));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ transcript, exitCode: code, wallMs: Number(process.hrtime.bigint() - started) / 1e6 });
    });
  });
}

/**
 * Write a fresh lab configuration under `lab` with the shared setup script (INSTALL=0: no
 * packages, config only), so that several stacks (the suite in its namespace, tests on the
 * host's loopback) never share queues, pid files or logs.
 */
export function prepareLab(lab: string, options: { shared?: string; dovecotPort?: number } = {}): void {
  const result = spawnSync('bash', [join(options.shared ?? DEFAULT_SHARED, 'setup-real-stack.sh')], {
    env: { ...process.env, LAB: lab, INSTALL: '0' }, encoding: 'utf8', timeout: 60_000,
  });
  if (result.status !== 0) throw new Error(`setup-real-stack.sh for ${lab} failed: ${result.stderr || result.stdout}`);
  if (options.dovecotPort !== undefined && options.dovecotPort !== REAL_PORTS.dovecot) {
    // Moves Dovecot's submission listener off 1587 (a model front may want that port); its
    // auth socket, which the real smtpd's SASL server needs, stays where it is.
    const conf = join(lab, 'dovecot/dovecot.conf');
    writeFileSync(conf, readFileSync(conf, 'utf8').replace(`port = ${REAL_PORTS.dovecot}`, `port = ${options.dovecotPort}`));
  }
}

export class RealStack {
  private readonly lab: string;
  private readonly shared: string;
  private readonly netns: string | null;
  private readonly dovecotPort: number;
  private readonly children = new Map<string, ChildProcess>();
  private createdNetns = false;
  private setting: RealSetting = { forbid: true, tcpMode: 'default', xclientLookupMs: null };

  private constructor(options: RealStackOptions) {
    this.lab = options.lab ?? DEFAULT_LAB;
    this.shared = options.shared ?? DEFAULT_SHARED;
    this.netns = options.netns ?? null;
    this.dovecotPort = options.dovecotPort ?? REAL_PORTS.dovecot;
  }

  /** Start the daemons (both unless told otherwise) with forbid=yes, default TCP, fast XCLIENT. */
  static async start(options: RealStackOptions = {}): Promise<RealStack> {
    const stack = new RealStack(options);
    const missing = realStackMissing(stack.lab);
    if (missing) throw new Error(`real stack unavailable: ${missing}`);
    try {
      await stack.boot(options.postfix ?? true, options.dovecot ?? true);
    } catch (error) {
      await stack.stop();
      throw error;
    }
    return stack;
  }

  get current(): RealSetting {
    return this.setting;
  }

  /** Switch forbid, TCP mode and XCLIENT lookup; Postfix is reloaded only when its config changed. */
  async configure(next: RealSetting): Promise<void> {
    if (next.tcpMode !== this.setting.tcpMode || this.children.size === 0) this.tcpMode(next.tcpMode);
    let reload = false;
    if (next.xclientLookupMs !== this.setting.xclientLookupMs) {
      await this.stopChild('xclient-table');
      if (next.xclientLookupMs !== null) {
        this.startChild('xclient-table', 'python3', [join(this.shared, 'slow_tcp_table.py'), String(REAL_PORTS.xclientTable), String(next.xclientLookupMs)]);
        await this.waitListening([REAL_PORTS.xclientTable]);
      }
      this.postconf(`smtpd_authorized_xclient_hosts=${next.xclientLookupMs === null ? '127.0.0.0/8' : `tcp:127.0.0.1:${REAL_PORTS.xclientTable}`}`);
      reload = true;
    }
    if (next.forbid !== this.setting.forbid) {
      this.postconf(`smtpd_forbid_unauth_pipelining=${next.forbid ? 'yes' : 'no'}`);
      reload = true;
    }
    this.setting = next;
    if (reload && this.children.has('postfix')) {
      this.run(['postfix', '-c', join(this.lab, 'postfix'), 'reload']);
      // As run-real-stack.sh: let already-running smtpd processes exit on the old config.
      await sleep(1200);
    }
  }

  /** Run swaks against the real Dovecot (or `server`) inside the stack's namespace. */
  swaks(args: readonly string[], options: { server?: string; timeoutMs?: number } = {}): Promise<SwaksRun> {
    return runSwaks(options.server ?? `127.0.0.1:${this.dovecotPort}`, args, { netns: this.netns, timeoutMs: options.timeoutMs });
  }

  /** Line counts of both logs now; pass to *LogSince to read what a case added. */
  mark(): { postfix: number; dovecot: number } {
    return { postfix: this.readLog('postfix').length, dovecot: this.readLog('dovecot').length };
  }

  postfixLogSince(mark: { postfix: number }): string[] {
    return this.readLog('postfix').slice(mark.postfix);
  }

  dovecotLogSince(mark: { dovecot: number }): string[] {
    return this.readLog('dovecot').slice(mark.dovecot);
  }

  /**
   * Wait until postlogd has written every smtpd session of this case: each `connect from` has
   * its `disconnect from` and the log has been quiet for a moment (bounded by timeoutMs).
   */
  async settle(mark: { postfix: number }, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = -1;
    while (Date.now() < deadline) {
      const lines = this.postfixLogSince(mark);
      const connects = lines.filter((l) => / postfix\/smtpd\[\d+\]: connect from /.test(l)).length;
      const disconnects = lines.filter((l) => / postfix\/smtpd\[\d+\]: disconnect from /.test(l)).length;
      if (connects === disconnects && lines.length === last) return;
      last = lines.length;
      await sleep(250);
    }
  }

  /** Wait until Dovecot's log since `mark` has a line containing `text` (bounded by timeoutMs). */
  async settleDovecot(mark: { dovecot: number }, text: string, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && !this.dovecotLogSince(mark).some((l) => l.includes(text))) await sleep(100);
  }

  async stop(): Promise<void> {
    if (this.children.has('postfix')) {
      // `postfix stop` asks the master (our child) to exit; the PID kill below is the fallback.
      this.run(['postfix', '-c', join(this.lab, 'postfix'), 'stop']);
    }
    for (const name of [...this.children.keys()].reverse()) await this.stopChild(name);
    if (this.createdNetns && this.netns) {
      spawnSync('ip', ['netns', 'del', this.netns]);
      this.createdNetns = false;
    }
  }

  private async boot(postfix: boolean, dovecot: boolean): Promise<void> {
    if (this.netns) {
      const listed = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
      if (!listed.split('\n').some((l) => l.split(' ')[0] === this.netns)) {
        const made = spawnSync('ip', ['netns', 'add', this.netns], { encoding: 'utf8' });
        if (made.status !== 0) throw new Error(`cannot create network namespace ${this.netns}: ${made.stderr}`);
        this.createdNetns = true;
      }
      this.run(['ip', 'link', 'set', 'lo', 'up']);
    } else {
      const busy = this.listening().filter((p) => (postfix && p === REAL_PORTS.postfix) || (dovecot && p === this.dovecotPort));
      if (busy.length > 0) throw new Error(`port(s) ${busy.join(', ')} on 127.0.0.1 already in use`);
    }
    // Start from the recorded configuration: forbid=yes, static XCLIENT hosts.
    this.postconf('smtpd_forbid_unauth_pipelining=yes', 'smtpd_authorized_xclient_hosts=127.0.0.0/8');
    this.tcpMode('default');
    mkdirSync(join(this.lab, 'logs'), { recursive: true });
    writeFileSync(join(this.lab, 'logs/postfix.log'), '');
    writeFileSync(join(this.lab, 'logs/dovecot.log'), '');
    const ports: number[] = [];
    if (postfix) {
      this.startChild('postfix', 'postfix', ['-c', join(this.lab, 'postfix'), 'start-fg']);
      ports.push(REAL_PORTS.postfix);
    }
    if (dovecot) {
      this.startChild('dovecot', 'dovecot', ['-F', '-c', join(this.lab, 'dovecot/dovecot.conf')]);
      ports.push(this.dovecotPort);
    }
    await this.waitListening(ports);
    if (dovecot) {
      // login_proxy_rawlog_dir=/rawlog lives inside submission-login's chroot (see README).
      const rawlog = join(this.lab, 'dovecot-run/login/rawlog');
      mkdirSync(rawlog, { recursive: true });
      const dovenull = spawnSync('id', ['-u', 'dovenull'], { encoding: 'utf8' }).stdout.trim();
      if (dovenull) chownSync(rawlog, Number(dovenull), 0);
      for (const f of readdirSync(rawlog)) rmSync(join(rawlog, f), { force: true });
    }
  }

  private tcpMode(mode: TcpMode): void {
    if (!this.netns) {
      if (mode !== 'default') throw new Error(`TCP mode ${mode} needs a private network namespace (netns option)`);
      return;
    }
    // As run-real-stack.sh tcp_mode(): per-namespace sysctl and loopback routes.
    this.run(['sysctl', '-qw', `net.ipv4.tcp_pingpong_thresh=${mode === 'pp3' ? 3 : 1}`]);
    const quickack = mode === 'quickack' ? ['quickack', '1'] : [];
    for (const prefix of ['127.0.0.0/8', '127.0.0.1']) {
      this.run(['ip', 'route', 'replace', 'table', 'local', 'local', prefix, 'dev', 'lo', 'proto', 'kernel', 'scope', 'host', 'src', '127.0.0.1', ...quickack]);
    }
  }

  private postconf(...settings: string[]): void {
    const result = spawnSync('postconf', ['-c', join(this.lab, 'postfix'), '-e', ...settings], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`postconf ${settings.join(' ')}: ${result.stderr}`);
  }

  private prefix(): string[] {
    return this.netns ? ['ip', 'netns', 'exec', this.netns] : [];
  }

  private run(argv: readonly string[]): void {
    const full = [...this.prefix(), ...argv];
    const result = spawnSync(full[0]!, full.slice(1), { encoding: 'utf8', timeout: 20_000 });
    if (result.status !== 0) throw new Error(`${argv.join(' ')} failed: ${result.stderr || result.error?.message}`);
  }

  private startChild(name: string, command: string, args: readonly string[]): void {
    const full = [...this.prefix(), command, ...args];
    const child = spawn(full[0]!, full.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.resume();
    this.children.set(name, child);
  }

  private async stopChild(name: string): Promise<void> {
    const child = this.children.get(name);
    if (!child) return;
    this.children.delete(name);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const termTimer = setTimeout(() => child.kill('SIGTERM'), 3_000);
    const killTimer = setTimeout(() => child.kill('SIGKILL'), 8_000);
    if (name !== 'postfix') child.kill('SIGTERM');
    await exited;
    clearTimeout(termTimer);
    clearTimeout(killTimer);
  }

  private listening(): number[] {
    const argv = [...this.prefix(), 'ss', '-ltnH'];
    const out = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' }).stdout ?? '';
    return out.split('\n').map((l) => /127\.0\.0\.1:(\d+)/.exec(l)?.[1]).filter((p): p is string => p !== undefined).map(Number);
  }

  private async waitListening(ports: readonly number[]): Promise<void> {
    for (let i = 0; i < 100; i++) {
      const open = this.listening();
      if (ports.every((p) => open.includes(p))) return;
      const dead = [...this.children].find(([, c]) => c.exitCode !== null);
      if (dead) throw new Error(`${dead[0]} exited with ${dead[1].exitCode} before listening; see ${this.lab}/logs`);
      await sleep(100);
    }
    throw new Error(`ports ${ports.join(', ')} did not open within 10 s; see ${this.lab}/logs`);
  }

  private readLog(which: 'postfix' | 'dovecot'): string[] {
    const file = join(this.lab, `logs/${which}.log`);
    if (!existsSync(file)) return [];
    return readFileSync(file, 'latin1').split('\n').filter((l) => l.length > 0);
  }
}
