/* xclient-table-main - the slow XCLIENT table as a process of its own, so that it can run inside the stack's network namespace
 *
 * usage: node --import <tsx> xclient-table-main.ts PORT DELAY_MS   (PORT 0: any free port)
 * Prints `listening 127.0.0.1:<port>` once it accepts connections; exits 0 on SIGTERM or SIGINT,
 * 2 on bad arguments.
 */
import { serveXclientTable } from './xclient-table.ts';

const [portText, delayText] = process.argv.slice(2);
const port = Number(portText);
const delayMs = Number(delayText);
if (!Number.isInteger(port) || port < 0 || port > 65535 || !Number.isInteger(delayMs) || delayMs < 0 || delayMs > 60_000) {
  console.error(`usage: xclient-table-main PORT DELAY_MS (PORT 0-65535, DELAY_MS 0-60000), got '${portText}' '${delayText}'`);
  process.exit(2);
}
const table = await serveXclientTable({ port, delayMs });
console.log(`listening 127.0.0.1:${table.port}`);
const stop = () => void table.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
