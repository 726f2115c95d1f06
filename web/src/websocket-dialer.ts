// The browser's way to the server: a WebSocket to /irc with the text.ircv3.net subprotocol,
// one IRC line per text message, handed to the shared client core (src/clients/irc-session.ts).
import type { Connector } from '../../src/clients/dialer.ts';

export function dialWebSocket(url: string): Connector {
  return (handler) => {
    let closed = false;
    const finish = (reason: string): void => {
      if (closed) return;
      closed = true;
      handler.onClose(reason);
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
    ws.onclose = (event) => finish(event.reason || (event.wasClean ? 'connection closed' : 'connection lost'));
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
