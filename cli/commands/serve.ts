/* serve - the model side of a scenario on loopback ports, for real clients (swaks, nodemailer) */
import { integerOption, parseOptions } from '../args.ts';
import { EXIT_OK, UsageError, type Command } from '../command.ts';
import { BUILTIN_NAMES, DEFAULT_SCENARIO, loadScenario } from '../../scenarios/index.ts';
import { serveScenario, type ServeBackend } from '../../runtime/serve-scenario.ts';
import { startRealBackend } from '../../conformance/real-backend.ts';
import type { RuntimeEvent } from '../../runtime/socket/index.ts';
import { TraceFile } from '../../runtime/trace-file.ts';
import { startViewer } from '../../viewer/server.ts';

/** model and smtp-server run in-process; real is the real Postfix 3.7.11 (conformance/real-backend.ts). */
const BACKENDS = ['model', 'real', 'smtp-server'];

const usage = `usage: smtp-lab serve [--scenario NAME|FILE] [--set key=value]... [--port N] [--tls-port N]
                      [--backend model|real|smtp-server] [--backend-port N] [--auth-port N]
                      [--trace FILE [--trace-max-mb N] [--trace-secrets]] [--host ADDR] [--view PORT]

Starts the scenario's front proxy, Mailu auth service and Postfix as models on real sockets,
prints the ports, and logs every session's log lines as the simulator would, until Ctrl-C.
Built-in scenarios: ${BUILTIN_NAMES.join(', ')} (default ${DEFAULT_SCENARIO}).

  --port N         front port (default: the scenario's front.port; 0 = any free port)
  --tls-port N     also a TLS front listener (465-style, self-signed certificate; 0 = any free port)
  --backend B      model (default): the Postfix model on 127.0.0.1;
                   real: the real Postfix 3.7.11 there (root; .ci/install-real-stack.sh), with the
                         scenario's smtpd_forbid_unauth_pipelining and, for postfix.xclient_lookup_ms > 0,
                         the real slow XCLIENT lookup (conformance/real-stack/xclient-table.ts);
                   smtp-server: nodemailer's smtp-server with useXClient (a lenient backend)
  --backend-port N the backend's port (default 0 = any free port; Mailu's is 10025). The auth
                   service sends the front to the port actually bound.
  --auth-port N    the Mailu auth service's port (default 0 = any free port)
  --trace FILE     write every runtime event (accept, write, recv, fin, rst, log, fact) as JSON Lines;
                   created 0600, AUTH credentials and Auth-Pass headers replaced by <redacted>
  --trace-max-mb N rotate the trace at N MiB (FILE -> FILE.1; default 256, so at most twice that on disk)
  --trace-secrets  keep credentials in the trace in clear
  --host ADDR      front listen address (default 127.0.0.1; the backend always stays on loopback)
  --view PORT      also serve the live trace viewer on http://127.0.0.1:PORT/ (0 = any free port)

Example: smtp-lab serve --scenario lockstep --port 2525, then
         swaks --server 127.0.0.1:2525 --auth PLAIN --auth-user alice@example.test --auth-password secret`;

export const serve: Command = {
  name: 'serve',
  usage,
  async run(args) {
    const { values } = parseOptions(args, {
      scenario: { type: 'string' }, set: { type: 'string', multiple: true }, port: { type: 'string' },
      'tls-port': { type: 'string' }, backend: { type: 'string' }, trace: { type: 'string' }, host: { type: 'string' },
      view: { type: 'string' }, 'backend-port': { type: 'string' }, 'auth-port': { type: 'string' },
      'trace-max-mb': { type: 'string' }, 'trace-secrets': { type: 'boolean' },
    });
    const backendName = values.backend ?? 'model';
    if (!BACKENDS.includes(backendName)) throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')}, got '${values.backend}'`);
    // A bad scenario name, key or value is a ScenarioError, i.e. a UsageError: exit 2.
    const scenario = loadScenario({ ...(values.scenario ? { scenario: values.scenario } : {}), sets: values.set ?? [] });
    if (!values.trace && (values['trace-max-mb'] !== undefined || values['trace-secrets'])) throw new UsageError('--trace-max-mb and --trace-secrets need --trace FILE');
    const traceMaxMb = integerOption('trace-max-mb', values['trace-max-mb'], 256, 1, 1_000_000);
    const trace = values.trace ? new TraceFile(values.trace, { maxBytes: traceMaxMb * 1024 * 1024, secrets: values['trace-secrets'] ?? false }) : null;
    const viewer = values.view === undefined ? null : await startViewer({ port: integerOption('view', values.view, 0, 0, 65535), title: `serve ${scenario.name}` });
    const onEvent = (event: RuntimeEvent) => {
      trace?.write(event);
      viewer?.publish(event);
      if (event.kind === 'log') console.log(`${(event.t / 1e6).toFixed(6)} ${event.node} ${event.program}: ${event.line}`);
    };
    const backendPort = integerOption('backend-port', values['backend-port'], 0, 0, 65535);
    const backend: ServeBackend = backendName === 'real' ? await startRealBackend(scenario, backendPort) : (backendName as 'model' | 'smtp-server');
    const running = await serveScenario(scenario, {
      backend,
      ...(values.port !== undefined ? { port: integerOption('port', values.port, 0, 0, 65535) } : {}),
      ...(values['tls-port'] !== undefined ? { tlsPort: integerOption('tls-port', values['tls-port'], 0, 0, 65535) } : {}),
      backendPort,
      authPort: integerOption('auth-port', values['auth-port'], 0, 0, 65535),
      ...(values.host ? { host: values.host } : {}),
      onEvent,
      onLenientMessage: (line) => console.log(line),
    }).catch(async (error: NodeJS.ErrnoException) => {
      await viewer?.close();
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') throw new UsageError(`cannot listen: ${error.message}`);
      throw error;
    });
    console.log(`serving scenario ${scenario.name} (Ctrl-C to stop)`);
    for (const line of running.listeners) console.log(`  ${line}`);
    if (viewer) console.log(`  viewer ${viewer.url}`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await running.close();
    await viewer?.close();
    trace?.close();
    return EXIT_OK;
  },
};
