/* xclient-table - the slow tcp_table(5) server: replies, their order and delay, bad input, the process form */
import { spawn } from 'node:child_process';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { MAX_REQUEST_BYTES, serveXclientTable, tableReply, xclientTableCommand } from '../../../conformance/real-stack/xclient-table.ts';

describe('tableReply', () => {
  it.each([
    ['get localhost', '200 OK'],
    ['get 127.0.0.1', '200 OK'],
    ['get %31%32%37.0.0.1', '200 OK'],
    ['get 203.0.113.25', '500 not%20found'],
    ['get mail.example.test', '500 not%20found'],
    ['put localhost x', '400 unsupported%20request'],
    ['', '400 unsupported%20request'],
    ['get %zz', '400 bad%20%25XX%20encoding'],
  ])('%j → %j', (request, reply) => {
    expect(tableReply(request)).toBe(reply);
  });
});

/** Send `bytes`, collect reply lines with their arrival time (ms after sending) until `count` lines or the peer closes. */
function talk(port: number, bytes: string, count: number): Promise<{ lines: string[]; atMs: number[]; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const started = performance.now();
    const lines: string[] = [];
    const atMs: number[] = [];
    let buffered = '';
    socket.setEncoding('latin1');
    socket.once('error', reject);
    socket.once('connect', () => socket.write(bytes));
    socket.on('data', (text: string) => {
      buffered += text;
      for (let newline; (newline = buffered.indexOf('\n')) >= 0; buffered = buffered.slice(newline + 1)) {
        lines.push(buffered.slice(0, newline));
        atMs.push(performance.now() - started);
      }
      if (lines.length >= count) {
        socket.destroy();
        resolve({ lines, atMs, closed: false });
      }
    });
    socket.once('end', () => resolve({ lines, atMs, closed: true }));
  });
}

describe('serveXclientTable', () => {
  it('answers a connection\'s requests in order, each one delay after the one before', async () => {
    const table = await serveXclientTable({ port: 0, delayMs: 60 });
    try {
      const { lines, atMs } = await talk(table.port, 'get localhost\nget 198.51.100.7\r\n', 2);
      expect(lines).toEqual(['200 OK', '500 not%20found']);
      expect(atMs[0]).toBeGreaterThanOrEqual(55);
      expect(atMs[1]! - atMs[0]!).toBeGreaterThanOrEqual(55);
    } finally {
      await table.close();
    }
  });

  it('refuses a request longer than tcp_table(5) allows and hangs up', async () => {
    const table = await serveXclientTable({ port: 0, delayMs: 0 });
    try {
      const { lines, closed } = await talk(table.port, `get ${'x'.repeat(MAX_REQUEST_BYTES + 1)}`, 1);
      expect(lines).toEqual(['400 request%20too%20long']);
      expect(closed || lines.length === 1).toBe(true);
    } finally {
      await table.close();
    }
  });

  it('closes although smtpd would keep its connection open', async () => {
    const table = await serveXclientTable({ port: 0, delayMs: 0 });
    const idle = net.connect(table.port, '127.0.0.1');
    await new Promise((resolve) => idle.once('connect', resolve));
    await table.close();
    await new Promise((resolve) => idle.once('close', resolve));
  });
});

describe('the table as a process (as the real stack starts it)', () => {
  function start(port: string, delayMs: string) {
    const [command, ...args] = xclientTableCommand({ port: 0, delayMs: 0 });
    args.splice(-2, 2, port, delayMs);
    const child = spawn(command!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (out += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (out += text));
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    return { child, output: () => out, exited };
  }

  it('prints the port it took, answers there, and exits 0 on SIGTERM', async () => {
    const table = start('0', '5');
    for (let i = 0; i < 200 && !/listening/.test(table.output()); i++) await new Promise((r) => setTimeout(r, 50));
    const port = Number(/^listening 127\.0\.0\.1:(\d+)$/m.exec(table.output())?.[1]);
    expect(port, table.output()).toBeGreaterThan(0);
    expect((await talk(port, 'get localhost\n', 1)).lines).toEqual(['200 OK']);
    table.child.kill('SIGTERM');
    expect(await table.exited).toBe(0);
  });

  it('exits 2 naming the bad argument', async () => {
    const table = start('70000', 'soon');
    expect(await table.exited).toBe(2);
    expect(table.output()).toContain("usage: xclient-table-main PORT DELAY_MS (PORT 0-65535, DELAY_MS 0-60000), got '70000' 'soon'");
  });
});
