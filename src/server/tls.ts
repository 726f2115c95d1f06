// The server's TLS certificate: read and checked from the config's files, and the IRCv3 STS
// policy it allows.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { TlsCredentials } from '../transport/connection.ts';
import { ConfigError, type Config } from './config.ts';

export interface LoadedCertificate {
  credentials: TlsCredentials;
  /** Signed by its own key: clients cannot verify it unless told to trust it. */
  selfSigned: boolean;
}

/** Reads and checks the configured certificate and key; a bad pair is a ConfigError. */
export async function loadCertificate(tls: Config['tls']): Promise<LoadedCertificate | undefined> {
  const { cert, key } = tls;
  if (cert === undefined || key === undefined) return undefined;
  try {
    const credentials = { cert: await readFile(cert), key: await readFile(key) };
    // Parses both and checks that the key belongs to the certificate.
    const x509 = new X509Certificate(credentials.cert);
    if (!x509.checkPrivateKey(createPrivateKey(credentials.key))) throw new Error('the key does not belong to the certificate');
    // checkIssued would also want keyCertSign, which leaf certificates lack.
    return { credentials, selfSigned: x509.issuer === x509.subject && x509.verify(x509.publicKey) };
  } catch (err) {
    throw new ConfigError(`Cannot use the TLS certificate ${cert} with the key ${key}: ${(err as Error).message}`);
  }
}

/**
 * The value of the sts capability for a connection, if one is advertised: the TLS port on
 * plain connections, how long to keep to TLS on secure ones. `auto` leaves a self-signed
 * certificate out, since a client that cannot verify it could then not connect at all.
 */
export function stsPolicy(tls: Config['tls'], tlsPort: number | undefined, selfSigned: boolean, secure: boolean): string | undefined {
  if (tlsPort === undefined || tls.sts === false || (tls.sts === 'auto' && selfSigned)) return undefined;
  return secure ? `duration=${tls.stsDurationSeconds}` : `port=${tlsPort}`;
}
