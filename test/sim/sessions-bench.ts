/* sessions-bench - informal kernel throughput: SMTP-like scripted sessions per second (run: npx tsx test/sim/sessions-bench.ts) */
import { Simulation } from '../../sim/simulation.ts';
import { ScriptedPeer } from './scripted-peer.ts';

function session(seed: number, trace: boolean): number {
  const sim = new Simulation({ seed, trace });
  sim.addNode(new ScriptedPeer({
    name: 'postfix', role: 'server',
    onOpen: [{ afterUs: 1000, text: '220 backend.example.test ESMTP\r\n' }],
    onMessage: [
      [{ afterUs: 30, text: '250-backend.example.test\r\n250-PIPELINING\r\n250 XCLIENT NAME ADDR\r\n' }],
      [{ afterUs: 50, text: '220 backend.example.test ESMTP\r\n' }],
      [{ afterUs: 20, text: '250 backend.example.test\r\n' }],
      [{ afterUs: 20, text: '250 2.1.0 Ok\r\n' }],
      [{ afterUs: 20, text: '250 2.1.5 Ok\r\n' }],
      [{ afterUs: 20, text: '354 End data with <CR><LF>.<CR><LF>\r\n' }],
      [], [],
      [{ afterUs: 20, text: '250 2.0.0 Ok: queued as ABC\r\n' }],
      [{ afterUs: 20, text: '221 2.0.0 Bye\r\n' }],
    ],
    finally: 'close',
  }), { listen: [{ host: '127.0.0.1', port: 10025, link: { profile: 'linux-default' } }] });
  sim.addNode(new ScriptedPeer({
    name: 'dovecot', role: 'client', connectTo: { host: '127.0.0.1', port: 10025 },
    onMessage: [
      [{ afterUs: 100, text: 'EHLO front.example.test\r\n' }],
      [{ afterUs: 60, text: 'XCLIENT ADDR=127.0.0.1 LOGIN=alice\r\n' }, { afterUs: 3, text: 'EHLO front.example.test\r\n' }],
      [], [{ afterUs: 10, text: 'MAIL FROM:<a@b>\r\n' }],
      [{ afterUs: 10, text: 'RCPT TO:<c@d>\r\n' }],
      [{ afterUs: 10, text: 'DATA\r\n' }],
      [{ afterUs: 10, text: 'Subject: x\r\n\r\nhello\r\n.\r\n' }],
      [{ afterUs: 10, text: 'QUIT\r\n' }],
    ],
    finally: 'close',
  }));
  return sim.runUntilIdle(10_000).steps;
}

for (const trace of [false, true]) {
  let steps = 0;
  for (let i = 0; i < 2000; i++) steps += session(i, trace);
  const n = 20000;
  const t0 = process.hrtime.bigint();
  steps = 0;
  for (let i = 0; i < n; i++) steps += session(i, trace);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`trace=${trace}: ${Math.round(n / secs)} sessions/s, ${Math.round(steps / secs)} events/s, ${steps / n} events/session`);
}
