// The first moments of a socket on an IRC port: from a trusted proxy, its PROXY header is read
// (before any TLS handshake, as HAProxy sends it) and the client's bytes that came with it put
// back, so that the connection then starts as if the header had never been there.
import type net from 'node:net';
import { ProxyHeaderReader, type ProxiedSource } from './proxy-protocol.ts';
import type { ProxyPolicy } from './trusted-proxies.ts';

/** What the start of a socket said: whom it speaks for (undefined: itself), or why it is refused. */
export type ProxyOutcome = { source: ProxiedSource | undefined; refusal?: undefined } | { refusal: string };

/**
 * The last line a refused trusted peer is sent. Most often it is no proxy at all but a local
 * client connecting straight to the port (nc, `parlor chat`) on a machine where the proxy runs
 * too: it is told why and what to do, rather than closed without a word.
 */
export function proxyRefusalLine(peer: string): string {
  return `ERROR :Closing Link: ${peer} (expected a PROXY protocol header from a trusted proxy (proxy.protocol: required): connect through the proxy, or set proxy.protocol: optional)`;
}

/** A socket from `peer` may begin with a PROXY header, which is then read first. */
export function expectsProxyHeader(policy: ProxyPolicy | undefined, peer: string): policy is ProxyPolicy {
  return policy !== undefined && policy.protocol !== 'off' && policy.trusted.trusts(peer);
}

/**
 * Reads the socket's PROXY header when its peer is a trusted proxy and the policy reads headers;
 * otherwise answers at once (synchronously) with no source. On an answer with a source or none,
 * the socket is paused with the bytes after the header unshifted: whoever takes it resumes it.
 * On a refusal the caller destroys the socket. A socket that closes meanwhile gets no answer.
 */
export function readProxyHeader(socket: net.Socket, peer: string, policy: ProxyPolicy | undefined, answer: (outcome: ProxyOutcome) => void): void {
  if (!expectsProxyHeader(policy, peer)) return answer({ source: undefined });
  const reader = new ProxyHeaderReader(policy.maxHeaderBytes, policy.protocol === 'required');
  let done = false;
  const finish = (outcome: ProxyOutcome, rest?: Buffer): void => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    socket.off('data', onData);
    socket.off('close', onClose);
    socket.off('error', onError);
    // Paused before the data listener goes, so that nothing flows past while no one listens.
    socket.pause();
    if (rest !== undefined && rest.length > 0) socket.unshift(rest);
    answer(outcome);
  };
  const onData = (chunk: Buffer): void => {
    const result = reader.push(chunk);
    if (result.kind === 'need-more') return;
    if (result.kind === 'invalid') return finish({ refusal: result.reason });
    finish({ source: result.kind === 'header' ? result.source : undefined }, result.rest);
  };
  const onClose = (): void => {
    done = true;
    clearTimeout(timer);
  };
  // The socket's own close follows; an error listener keeps it from being thrown meanwhile.
  const onError = (): void => {};
  const timer = setTimeout(() => {
    const result = reader.end();
    if (result.kind === 'absent') finish({ source: undefined }, result.rest);
    else finish({ refusal: `${result.kind === 'invalid' ? result.reason : 'no whole PROXY header'} within ${policy.headerTimeoutMs} ms` });
  }, policy.headerTimeoutMs);
  socket.on('data', onData);
  socket.once('close', onClose);
  socket.on('error', onError);
}
