// IRCv3 bot-mode: what a user in bot mode (+B) sends carries the `bot` tag, for recipients
// with message-tags. The reducer decides it, from the state at the entry's position (the user
// may have set or dropped +B just before), so every node tags the same lines.
import { BOT_MODE } from '../protocol/isupport.ts';
import type { Delivery } from './effects.ts';
import type { NetworkEvent } from './events.ts';
import type { NetworkState } from './network-state.ts';

/**
 * The mask of the bot acting in `event`, taken before the event is applied (a QUIT removes
 * the user, a NICK changes the mask; both are sent from the mask as it was); undefined when
 * the one acting is not in bot mode.
 */
export function actingBotMask(event: NetworkEvent, state: NetworkState): string | undefined {
  // A kill's uid is its victim, not who acts; other events' uid is the user acting.
  if (event.type === 'user.kill' || !('uid' in event) || event.uid === undefined) return undefined;
  const user = state.users.get(event.uid);
  return user?.hasMode(BOT_MODE) ? user.mask : undefined;
}

/** Marks what the bot itself sent among `deliveries` (not what the server says to it or about others). */
export function tagBotDeliveries(botMask: string, deliveries: readonly Delivery[]): void {
  for (const d of deliveries) {
    if (d.to === 'multiline') {
      // The batch's opening carries the message's tags; without multiline each line is a message.
      const [opening] = d.lines.batched;
      if (opening?.isFrom(botMask)) opening.markFromBot();
      for (const line of d.lines.fallback) if (line.isFrom(botMask)) line.markFromBot();
      continue;
    }
    if (!('out' in d)) continue;
    if (d.out.isFrom(botMask)) d.out.markFromBot();
    if (d.to === 'channel' && d.extended?.isFrom(botMask)) d.extended.markFromBot();
  }
}
