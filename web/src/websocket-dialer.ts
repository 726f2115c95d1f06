// The browser's way to the server: a WebSocket to /irc with the text.ircv3.net subprotocol,
// one IRC line per text message, handed to the shared client core (src/clients/irc-session.ts).
import type { CloseCause, Connector } from '../../src/clients/dialer.ts';

export function dialWebSocket(url: string): Connector {
  return (handler) => {
    let closed = false;
    const finish = (reason: string, cause?: CloseCause): void => {
      if (closed) return;
      closed = true;
      handler.onClose(reason, cause);
    };
    let ws: WebSocket;
    try {
      ws = new WebSocket(url, 'text.ircv3.net');
    } catch (error) {
      // A malformed URL: told as a failed connection, after the dial has returned.
      queueMicrotask(() => finish(String(error)));
      return { secure: false, send() {}, close() {} };
    }
    ws.onopen = () => {
      if (!closed) handler.onOpen();
    };
    ws.onmessage = (event) => {
      if (!closed && typeof event.data === 'string') handler.onLine(event.data.replace(/\r?\n$/, ''));
    };
    // The server's own reason as it gave it; else the client's, which the session translates.
    ws.onclose = (event) => {
      if (event.reason) finish(event.reason);
      else if (event.wasClean) finish('Connection closed', { kind: 'closed' });
      else finish('Connection lost', { kind: 'lost' });
    };
    return {
      secure: url.startsWith('wss:'),
      send(line) {
        if (!closed && ws.readyState === WebSocket.OPEN) ws.send(line);
      },
      close() {
        ws.close();
      },
    };
  };
}
