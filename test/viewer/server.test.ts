/* server - the live viewer's HTTP and WebSocket surface, without a browser */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startViewer, type Viewer } from '../../viewer/server.ts';

let viewer: Viewer;
beforeAll(async () => {
  viewer = await startViewer({ title: 'server test', events: [{ t: 0, kind: 'run', seed: 1 }] });
});
afterAll(async () => {
  await viewer.close();
});

function nextMessage(socket: WebSocket): Promise<{ type: string; events: { t: number; kind: string }[] }> {
  return new Promise((resolve, reject) => {
    socket.once('message', (data) => resolve(JSON.parse(String(data))));
    socket.once('error', reject);
  });
}

/** fetch() will not send another Host header; node:http will. */
function statusWithHost(host: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port: viewer.port, path: '/', headers: { host } }, (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    request.on('error', reject);
  });
}

function refusal(url: string, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, { headers });
    socket.on('unexpected-response', (_request, response) => resolve(`refused ${response.statusCode}`));
    socket.on('open', () => {
      socket.close();
      resolve('opened');
    });
    socket.on('error', (error) => resolve(`error ${error.message}`));
  });
}

describe('startViewer', () => {
  it('listens on 127.0.0.1 and serves the page', async () => {
    expect(viewer.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const response = await fetch(viewer.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await response.text()).toContain('<script id="smtp-lab-config" type="application/json">{"title":"server test","wsPath":"/events"}</script>');
  });

  it('sends what was recorded first, then each publish, batched per tick', async () => {
    const socket = new WebSocket(`ws://127.0.0.1:${viewer.port}/events`);
    expect(await nextMessage(socket)).toEqual({ type: 'events', events: [{ t: 0, kind: 'run', seed: 1 }] });
    const next = nextMessage(socket);
    viewer.publish({ t: 5, kind: 'log', node: 'postfix', program: 'postfix/smtpd', line: 'connect from localhost[127.0.0.1]' });
    viewer.publish({ t: 6, kind: 'fin', node: 'postfix', conn: 'c1' });
    expect((await next).events.map((event) => event.t)).toEqual([5, 6]);
    socket.close();
    const trace = await (await fetch(`${viewer.url}trace.jsonl`)).text();
    expect(trace.trimEnd().split('\n').map((line) => JSON.parse(line).t)).toEqual([0, 5, 6]);
  });

  it('refuses other Host names (DNS rebinding) and other pages\' WebSockets', async () => {
    expect(await statusWithHost(`attacker.example:${viewer.port}`)).toBe(421);
    expect(await statusWithHost(`localhost:${viewer.port}`)).toBe(200);
    const events = `ws://127.0.0.1:${viewer.port}/events`;
    expect(await refusal(events, { origin: 'http://attacker.example' })).toBe('refused 404');
    expect(await refusal(events, { origin: `http://127.0.0.1:${viewer.port}` })).toBe('opened');
    expect(await refusal(`ws://127.0.0.1:${viewer.port}/other`, {})).toBe('refused 404');
  });
});
