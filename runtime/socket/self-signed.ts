/* self-signed - a throwaway TLS identity for a 465-style front listener
 *
 * Node's crypto can make keys but not X.509 certificates, so the certificate comes from the
 * system's openssl (Debian's `openssl req -x509`), generated once per process into a private
 * temporary directory that is removed again. The lab never needs a trusted certificate: clients
 * in tests pin this one (`ca: identity.cert`), swaks is run with --tls-on-connect, which does
 * not verify.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TlsIdentity } from './runtime.ts';

const cache = new Map<string, TlsIdentity>();

/** A key and a self-signed certificate for `commonName` (also its DNS/IP subjectAltName), valid 2 days. */
export function selfSignedIdentity(commonName = 'localhost'): TlsIdentity {
  const cached = cache.get(commonName);
  if (cached) return cached;
  if (!/^[A-Za-z0-9.-]{1,253}$/.test(commonName)) throw new Error(`certificate name '${commonName}' is not a host name`);
  const dir = mkdtempSync(join(tmpdir(), 'smtp-lab-tls-'));
  try {
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', `/CN=${commonName}`,
      '-addext', `subjectAltName=DNS:${commonName},IP:127.0.0.1`,
    ], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 20_000 });
    const identity = { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') };
    cache.set(commonName, identity);
    return identity;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
