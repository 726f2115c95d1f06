// A self-signed certificate and key on disk for TLS tests, valid for 127.0.0.1 and localhost.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { generateSelfSigned } from '../../src/cli/gen-cert.ts';

export interface TestCert {
  dir: string;
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
  fingerprint256: string;
  /** Writes a new pair over the same files (a renewal); returns its fingerprint. */
  renew(): Promise<string>;
  remove(): void;
}

export async function makeTestCert(): Promise<TestCert> {
  const dir = mkdtempSync(join(tmpdir(), 'parlor-tls-'));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  const write = async (): Promise<{ cert: string; key: string; fingerprint256: string }> => {
    const pair = await generateSelfSigned(['localhost', '127.0.0.1', '::1'], 30);
    writeFileSync(certFile, pair.cert);
    writeFileSync(keyFile, pair.key, { mode: 0o600 });
    return pair;
  };
  const first = await write();
  const t: TestCert = {
    dir,
    certFile,
    keyFile,
    ...first,
    async renew() {
      const next = await write();
      Object.assign(t, { cert: next.cert, key: next.key, fingerprint256: next.fingerprint256 });
      return next.fingerprint256;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
  return t;
}

/** A certificate issued by a (test) authority rather than self-signed; `ca` is what clients trust. */
export async function makeIssuedCert(): Promise<{ ca: string; certFile: string; keyFile: string; remove(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'parlor-tls-ca-'));
  const ca = await generate([{ name: 'commonName', value: 'Parlor Test CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, digitalSignature: true, critical: true },
    ],
  });
  const leaf = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    ca: { key: ca.private, cert: ca.cert },
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] }],
  });
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  writeFileSync(certFile, leaf.cert);
  writeFileSync(keyFile, leaf.private, { mode: 0o600 });
  return { ca: ca.cert, certFile, keyFile, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
