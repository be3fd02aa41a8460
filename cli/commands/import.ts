/* import - read a deployment's configuration files, write the scenario they describe, list what was mapped and what not */
import { writeFileSync } from 'node:fs';
import type { Command } from '../command.ts';
import { EXIT_OK, UsageError } from '../command.ts';
import { integerOption, parseOptions } from '../args.ts';
import { importDeployment, scenarioFileText } from '../../import/index.ts';
import { importJson, importMarkdown } from '../import-report.ts';

const usage = `usage: smtp-lab import FILE|DIR... [--out FILE] [--port N] [--backend-port N] [--set KEY=VALUE]... [--name NAME] [--json]

Reads what a deployment's servers print and maps every setting that matters onto the lab's scenario
keys: \`postconf -n\` / main.cf, \`postconf -M\` / master.cf (the -o overrides of the service the
front relays to), \`postconf mail_version\`, \`doveconf -n\` / dovecot.conf, \`nginx -T\` (its mail { }
block; \`nginx -v\`'s line gives the release), HAProxy's haproxy.cfg (the frontend or listen bound
to the client's port, its defaults, its backend's server) and Mailu's mailu.env, any subset, as
files or a directory of them. Writes the scenario file and prints three lists with file and line: mapped
(setting -> key = value), relevant but unsupported (what the answer does not cover), ignored as
irrelevant to this path; and the keys the input does not state, with what was assumed.
A line the importer cannot read is an error naming its file and line (exit 2), never a default.

  --out FILE          where the scenario goes (default ./NAME.json)
  --port N            the client's port: which front listener is the path (default: 587, then 465,
                      then the only one)
  --backend-port N    the port of the Postfix service the front relays to, when the input does not say
  --set KEY=VALUE     a key the files do not state (repeatable), e.g. postfix.mail_version=3.8.9
  --name NAME         the scenario's name (default: the first path's name)
  --json              the lists as JSON

Then: smtp-lab audit FILE`;

export const importCommand: Command = {
  name: 'import',
  usage,
  async run(args) {
    const { values, positionals } = parseOptions(args, {
      out: { type: 'string' }, port: { type: 'string' }, 'backend-port': { type: 'string' }, set: { type: 'string', multiple: true }, name: { type: 'string' }, json: { type: 'boolean' },
    }, true);
    if (positionals.length === 0) throw new UsageError('give the configuration files or a directory of them (smtp-lab import FILE|DIR...)');
    const result = importDeployment({
      paths: positionals,
      ...(values.port !== undefined ? { port: integerOption('port', values.port, 0, 1, 65535) } : {}),
      ...(values['backend-port'] !== undefined ? { backendPort: integerOption('backend-port', values['backend-port'], 0, 1, 65535) } : {}),
      sets: values.set ?? [],
      ...(values.name !== undefined ? { name: values.name } : {}),
    });
    const out = values.out ?? `${result.definition.name}.json`;
    try {
      writeFileSync(out, scenarioFileText(result.definition));
    } catch (error) {
      throw new UsageError(`--out ${out}: cannot write (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    console.log(values.json ? JSON.stringify(importJson(result, out), null, 2) : importMarkdown(result, out));
    return EXIT_OK;
  },
};
