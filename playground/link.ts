/* link - where the playground page is, for links printed by the CLI next to every replay token
 *
 * A static site has no fixed host, so a printed link is the page's URL plus the state fragment:
 * SMTP_LAB_PLAYGROUND_URL when set (the page where a course hosts it, e.g.
 * https://example.org/smtp-lab/index.html), else this checkout's own build,
 * file://…/lab-output/playground/index.html (`npm run playground` writes it). The fragment is
 * the part that matters: it works on any copy of the page.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { decodeReplayToken } from '../properties/replay-token.ts';
import { UsageError } from '../scenarios/errors.ts';
import { builtinScenario } from '../scenarios/index.ts';
import { playgroundLink } from './state.ts';

export const DEFAULT_PLAYGROUND_DIR = 'lab-output/playground';
export const PAGE_FILE = 'index.html';
export const PLAYGROUND_URL_VARIABLE = 'SMTP_LAB_PLAYGROUND_URL';

export function playgroundPageUrl(): string {
  return process.env[PLAYGROUND_URL_VARIABLE] || pathToFileURL(resolve(DEFAULT_PLAYGROUND_DIR, PAGE_FILE)).href;
}

/** The playground link that shows a replay token's counterexample; a scenario file the token names travels in the link. */
export function replayLink(token: string): string {
  const scenario = decodeReplayToken(token).scenario;
  const pasted = builtinScenario(scenario) === undefined && existsSync(scenario) ? readFileSync(scenario, 'utf8') : null;
  return playgroundLink(playgroundPageUrl(), { replay: token, ...(pasted === null ? {} : { scenario, pasted }) });
}

/** The line printed under "replay: smtp-lab replay TOKEN"; a token of another kind (an explored schedule) replays in the CLI only. */
export function replayLinkLine(token: string): string {
  try {
    return `playground: ${replayLink(token)}`;
  } catch (error) {
    if (error instanceof UsageError) return 'playground: (this kind of token replays in the CLI only)';
    throw error;
  }
}
