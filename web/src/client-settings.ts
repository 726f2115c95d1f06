// What the server tells its web client beyond IRC (GET client-settings.json, next to the page):
// the room a newcomer lands in (config plainText.defaultRoom, where nc users land too) and
// whether nicks may be letters of any script (server.casemapping: precis). IRC clients never
// ask, so nothing changes for them. A server without the endpoint (another IRC server behind
// the page, `vite` in development) or an odd answer: no landing room, nick rules unknown.

export interface ClientSettings {
  /** The room joined on arriving when the user has none; undefined: stay in the server view. */
  defaultRoom?: string;
  /** true: 张三 is a nick; false: ASCII letters only; undefined: the server has not said. */
  unicodeNicks?: boolean;
}

/** A room name that can go on a JOIN line as it is: a channel prefix, no space, comma or control character. */
// eslint-disable-next-line no-control-regex
const SENDABLE_ROOM = /^[#&][^\s,\0-\x1f\x7f]{1,199}$/;

export async function fetchClientSettings(): Promise<ClientSettings> {
  try {
    const response = await fetch('client-settings.json', { cache: 'no-store' });
    if (!response.ok) return {};
    const data = (await response.json()) as { defaultRoom?: unknown; unicodeNicks?: unknown } | null;
    const room = data?.defaultRoom;
    const unicodeNicks = data?.unicodeNicks;
    return {
      ...(typeof room === 'string' && SENDABLE_ROOM.test(room) && { defaultRoom: room }),
      ...(typeof unicodeNicks === 'boolean' && { unicodeNicks }),
    };
  } catch {
    return {};
  }
}
