// `parlor gen-cert`: a self-signed certificate and key for trying TLS out. Clients must be told
// to trust it (`parlor chat --tls-ca cert.pem`, irssi -tls_cafile); a public server wants a
// certificate from a real authority (Let's Encrypt).
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { isIP } from 'node:net';
import { generate } from 'selfsigned';
import { ConfigError } from '../server/config.ts';

export interface GenCertFlags {
  cert: string;
  key: string;
  /** Names and addresses the certificate is valid for. */
  host?: string[];
  days: string;
  force?: boolean;
}

export interface GeneratedPair {
  cert: string;
  key: string;
  fingerprint256: string;
  names: string[];
  validTo: string;
}

/** The pair itself, in PEM; EC P-256 (small, fast, understood by every current TLS client). */
export async function generateSelfSigned(names: string[], days: number): Promise<GeneratedPair> {
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(notBeforeDate.getTime() + days * 86_400_000);
  const pems = await generate([{ name: 'commonName', value: names[0]! }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: names.map((n) => (isIP(n) ? { type: 7, ip: n } : { type: 2, value: n })) },
    ],
  });
  const x509 = new X509Certificate(pems.cert);
  return { cert: pems.cert, key: pems.private, fingerprint256: x509.fingerprint256, names, validTo: x509.validTo };
}

export async function genCert(flags: GenCertFlags): Promise<void> {
  const days = Number(flags.days);
  if (!Number.isInteger(days) || days < 1 || days > 3650) throw new ConfigError(`--days must be a whole number from 1 to 3650, not "${flags.days}"`);
  if (!flags.force) {
    for (const file of [flags.cert, flags.key]) {
      if (existsSync(file)) throw new ConfigError(`${file} exists; use --force to replace it`);
    }
  }
  const names = flags.host && flags.host.length > 0 ? flags.host : ['localhost', '127.0.0.1', '::1', hostname()];
  const pair = await generateSelfSigned([...new Set(names)], days);
  for (const file of [flags.cert, flags.key]) await mkdir(dirname(file), { recursive: true });
  await writeFile(flags.cert, pair.cert);
  // The key is for the server's user alone.
  await writeFile(flags.key, pair.key, { mode: 0o600 });
  process.stdout.write(
    [
      `wrote ${flags.cert} (certificate) and ${flags.key} (private key)`,
      `valid for ${pair.names.join(', ')} until ${pair.validTo}`,
      `SHA-256 fingerprint ${pair.fingerprint256}`,
      `serve with: parlor serve --tls-cert ${flags.cert} --tls-key ${flags.key}`,
      `self-signed: clients must trust it, e.g. parlor chat --tls-ca ${flags.cert}`,
      '',
    ].join('\n'),
  );
}
