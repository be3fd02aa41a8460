/* real-stack - start, reconfigure and stop the real Postfix and Dovecot for conformance runs
 *
 * Each stack writes its configuration (real-stack/config.ts) into a lab directory of its own
 * (real-stack/lab-dir.ts), starts the daemons in the foreground (`postfix start-fg`,
 * `dovecot -F`) so each is one child with a PID we own, and switches the knobs the records were
 * made with (conformance/records/README.md): smtpd_forbid_unauth_pipelining, the loopback TCP
 * mode, and the slow smtpd_authorized_xclient_hosts lookup (real-stack/xclient-table.ts). With
 * `netns` set, everything runs in a private network namespace that has only a loopback
 * interface, so the TCP modes change nothing outside it; without, the daemons listen on the
 * host's 127.0.0.1 (mixed topologies, where node's own sockets must reach them), on ports the
 * caller names or free ones, and the TCP mode cannot be changed.
 * stop() ends every process it started, by PID, deletes a namespace it created and the lab
 * directory it created.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdirSync, readdirSync, rmSync, chownSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../runtime/free-port.ts';
import { RECORDED_PORTS, type RealStackPorts } from './real-stack/config.ts';
import { createLab, prepareLab, removeLab } from './real-stack/lab-dir.ts';
import { xclientTableCommand } from './real-stack/xclient-table.ts';

export type TcpMode = 'default' | 'pp3' | 'quickack';

export interface RealSetting {
  readonly forbid: boolean;
  readonly tcpMode: TcpMode;
  /** Delay of each smtpd_authorized_xclient_hosts lookup (the slow table), or null for the static 127.0.0.0/8. */
  readonly xclientLookupMs: number | null;
}

export interface RealStackOptions {
  /** Namespace to create and run in; null runs on the host's loopback. */
  readonly netns?: string | null;
  /**
   * Dovecot's submission port and Postfix's smtpd port (which Dovecot relays and proxies to);
   * 0 or missing: the recorded port inside a namespace, any free port on the host's loopback.
   */
  readonly ports?: Partial<RealStackPorts>;
  /** An existing directory to configure and keep; by default a fresh one that stop() removes. */
  readonly lab?: string;
  readonly postfix?: boolean;
  readonly dovecot?: boolean;
}

export interface SwaksRun {
  readonly transcript: string;
  readonly exitCode: number | null;
  readonly wallMs: number;
}

/** Dovecot's Lua passdb driver (Debian's dovecot-auth-lua), which the lab's passdb needs. */
const LUA_PASSDB_MODULE = '/usr/lib/dovecot/modules/auth/libauthdb_lua.so';

/** Why the real stack cannot run here, or null when it can. */
export function realStackMissing(): string | null {
  if (process.getuid?.() !== 0) return 'not root (the postfix and dovecot masters need it)';
  // tcpdump: every live case is captured (real-run.ts) for what the lab takes from it
  const tool = firstMissingTool(['postfix', 'postconf', 'dovecot', 'doveconf', 'swaks', 'ip', 'ss', 'tcpdump']);
  if (tool) return `${tool} is not installed (run .ci/install-real-stack.sh)`;
  if (!existsSync(LUA_PASSDB_MODULE)) return `${LUA_PASSDB_MODULE} is missing (dovecot-auth-lua; run .ci/install-real-stack.sh)`;
  return null;
}

/** The first of `tools` that is not on the PATH, or null. */
export function firstMissingTool(tools: readonly string[]): string | null {
  return tools.find((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) ?? null;
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

export class RealStack {
  private readonly children = new Map<string, ChildProcess>();
  private createdNetns = false;
  private setting: RealSetting = { forbid: true, tcpMode: 'default', xclientLookupMs: null };

  private constructor(
    /** The lab directory: configuration, queues, sockets and logs (logs/postfix.log, logs/dovecot.log). */
    readonly lab: string,
    private readonly ownsLab: boolean,
    /** The ports the daemons were configured with. */
    readonly ports: RealStackPorts,
    /** The network namespace the daemons run in, or null for the host's loopback. */
    readonly netns: string | null,
  ) {}

  /** Configure a lab and start the daemons (both unless told otherwise) with forbid=yes, default TCP, fast XCLIENT. */
  static async start(options: RealStackOptions = {}): Promise<RealStack> {
    const missing = realStackMissing();
    if (missing) throw new Error(`real stack unavailable: ${missing}`);
    const netns = options.netns ?? null;
    const port = async (wanted: number | undefined, recorded: number) => wanted || (netns ? recorded : await freePort());
    const ports = { dovecot: await port(options.ports?.dovecot, RECORDED_PORTS.dovecot), postfix: await port(options.ports?.postfix, RECORDED_PORTS.postfix) };
    const stack = new RealStack(options.lab ?? createLab(), options.lab === undefined, ports, netns);
    try {
      prepareLab(stack.lab, ports);
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

  /** The PIDs of the processes this stack started (the daemons' masters and helpers), for bench/process-tree-cpu.ts. */
  get pids(): number[] {
    return [...this.children.values()].flatMap((child) => (child.pid === undefined ? [] : [child.pid]));
  }

  /** Dovecot's record of every backend connection's bytes (login_proxy_rawlog_dir, inside submission-login's chroot). */
  get rawlogDir(): string {
    return join(this.lab, 'dovecot-run/login/rawlog');
  }

  /**
   * Switch forbid, TCP mode and XCLIENT lookup; Postfix is reloaded when its config changed, or
   * always with `fresh` (the next session then gets a new smtpd process, as the lab's first
   * session of a case assumes).
   */
  async configure(next: RealSetting, options: { fresh?: boolean } = {}): Promise<void> {
    if (next.tcpMode !== this.setting.tcpMode || this.children.size === 0) this.tcpMode(next.tcpMode);
    let reload = options.fresh ?? false;
    if (next.xclientLookupMs !== this.setting.xclientLookupMs) {
      await this.stopChild('xclient-table');
      const table = next.xclientLookupMs === null ? null : await this.startXclientTable(next.xclientLookupMs);
      this.postconf(`smtpd_authorized_xclient_hosts=${table === null ? '127.0.0.0/8' : `tcp:127.0.0.1:${table}`}`);
      reload = true;
    }
    if (next.forbid !== this.setting.forbid) {
      this.postconf(`smtpd_forbid_unauth_pipelining=${next.forbid ? 'yes' : 'no'}`);
      reload = true;
    }
    this.setting = next;
    if (reload && this.children.has('postfix')) {
      this.run(['postfix', '-c', join(this.lab, 'postfix'), 'reload']);
      // Let already-running smtpd processes exit on the old configuration.
      await sleep(1200);
    }
  }

  /** Run swaks against the real Dovecot (or `server`) inside the stack's namespace. */
  swaks(args: readonly string[], options: { server?: string; timeoutMs?: number } = {}): Promise<SwaksRun> {
    return runSwaks(options.server ?? `127.0.0.1:${this.ports.dovecot}`, args, { netns: this.netns, timeoutMs: options.timeoutMs });
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
    if (this.ownsLab) removeLab(this.lab);
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
      const busy = this.listening().filter((p) => (postfix && p === this.ports.postfix) || (dovecot && p === this.ports.dovecot));
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
      ports.push(this.ports.postfix);
    }
    if (dovecot) {
      this.startChild('dovecot', 'dovecot', ['-F', '-c', join(this.lab, 'dovecot/dovecot.conf')]);
      ports.push(this.ports.dovecot);
    }
    await this.waitListening(ports);
    if (dovecot) {
      const rawlog = this.rawlogDir;
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
    // The recorded TCP modes (records/README.md): per-namespace sysctl and loopback routes.
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

  private startChild(name: string, command: string, args: readonly string[]): ChildProcess & { stdout: NodeJS.ReadableStream; stderr: NodeJS.ReadableStream } {
    const full = [...this.prefix(), command, ...args];
    const child = spawn(full[0]!, full.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8').resume();
    child.stderr.setEncoding('utf8').resume();
    this.children.set(name, child);
    return child;
  }

  /** Start the slow XCLIENT table in the stack's namespace on any free port; resolves with that port. */
  private startXclientTable(delayMs: number): Promise<number> {
    const [command, ...args] = xclientTableCommand({ port: 0, delayMs });
    const child = this.startChild('xclient-table', command!, args);
    let out = '';
    let err = '';
    return new Promise((resolve, reject) => {
      const fail = (why: string) => {
        clearTimeout(timer);
        reject(new Error(`xclient table ${why}${err ? `: ${err.trim()}` : ''}`));
      };
      const timer = setTimeout(() => fail('printed no port within 10 s'), 10_000);
      child.stderr.on('data', (text: string) => (err += text));
      child.stdout.on('data', (text: string) => {
        out += text;
        const listening = /^listening 127\.0\.0\.1:(\d+)$/m.exec(out);
        if (!listening) return;
        clearTimeout(timer);
        resolve(Number(listening[1]));
      });
      child.once('exit', (code) => fail(`exited with ${code} before listening`));
    });
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
