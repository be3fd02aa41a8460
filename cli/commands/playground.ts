/* playground - build the teaching playground (the whole lab in one static page) and say where it is */
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import type { Command } from '../command.ts';
import { EXIT_OK } from '../command.ts';
import { parseOptions } from '../args.ts';
import { buildPlayground } from '../../playground/build/site.ts';
import { DEFAULT_PLAYGROUND_DIR, PLAYGROUND_URL_VARIABLE } from '../../playground/link.ts';

const usage = `usage: smtp-lab playground [--out DIR] [--open]

Builds the playground into DIR (default ${DEFAULT_PLAYGROUND_DIR}): one self-contained index.html
with the models, the simulator, the property search and the viewer inside. It works opened from
disk (file://) or from any static host, offline. Prints the page's file URL.

The state of the page (scenario, knobs, seed, replay token) is the URL's fragment, so a link to
a trace is the page's URL + '#…'. repro, check, demo and replay print such a link next to every
replay token, on this checkout's build unless ${PLAYGROUND_URL_VARIABLE} names where the page is hosted.

  --out DIR   where index.html goes
  --open      also open it in the desktop's browser when there is a desktop (else only print the URL)`;

export const playground: Command = {
  name: 'playground',
  usage,
  async run(args) {
    const { values } = parseOptions(args, { out: { type: 'string' }, open: { type: 'boolean' } });
    const site = await buildPlayground(values.out ?? DEFAULT_PLAYGROUND_DIR);
    const url = pathToFileURL(site.file).href;
    console.log(`playground: ${url}\n  ${(site.bytes / 1024).toFixed(0)} KiB in one file (script ${(site.scriptBytes / 1024).toFixed(0)} KiB); works offline and from any static host`);
    if (values.open) console.log(openInBrowser(url));
    return EXIT_OK;
  },
};

/** Hand the URL to the desktop's opener; without a desktop (a server, CI) say so instead of failing. */
function openInBrowser(url: string): string {
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : process.env.DISPLAY || process.env.WAYLAND_DISPLAY ? 'xdg-open' : null;
  if (opener === null) return '  no desktop here (DISPLAY is unset): open the URL above in a browser';
  const child = spawn(opener, [url], { detached: true, stdio: 'ignore' });
  child.on('error', () => undefined);
  child.unref();
  return `  opened with ${opener}`;
}
