/* client-script - the client script a scenario's client.* keys describe: swaks with those options, or client.script */
import type { SocketAddress } from '../models/contract.ts';
import type { ClientScript } from '../models/client/script.ts';
import { parseScriptText } from '../models/client/script-text.ts';
import { swaksScript } from '../models/client/swaks.ts';
import type { Scenario } from './scenario.ts';

/** client.timeout_s as the client model counts time. */
export function replyTimeoutUsOf(scenario: Scenario): number {
  return Math.round(scenario.get('client.timeout_s') * 1_000_000);
}

/** `connectTo` is where the topology puts the front (the lead's wiring); the port is front.port. */
export function clientScriptOf(scenario: Scenario, frontHost: string): ClientScript {
  const connectTo: SocketAddress = { host: frontHost, port: scenario.get('front.port') };
  const swaks = swaksScript({
    connectTo,
    user: scenario.get('client.user'),
    password: scenario.get('client.password'),
    helo: scenario.get('client.helo'),
    auth: scenario.get('client.auth'),
    authInitialResponse: scenario.isOn('client.auth_initial_response'),
    pipelining: scenario.isOn('client.pipelining'),
    from: scenario.get('client.from'),
    to: scenario.get('client.to'),
    thinkTimeUs: scenario.get('client.think_time_us'),
    waitForGreeting: scenario.isOn('client.wait_for_greeting'),
    replyTimeoutUs: replyTimeoutUsOf(scenario),
    ...(scenario.get('client.quit_after') === 'AUTH' ? { quitAfter: 'AUTH' as const } : {}),
  });
  // The key was checked when the scenario was resolved, so the text parses.
  const script = scenario.get('client.script');
  return script === '' ? swaks : { ...swaks, groups: parseScriptText(script) };
}
