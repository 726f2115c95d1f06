// "alice is typing…" under the conversation, from IRCv3 typing notifications.
import type { ChatBuffer } from '../../src/clients/model.ts';
import type { WebClient } from './connection.ts';

export function TypingLine({ client, buffer }: { client: WebClient; buffer: ChatBuffer }) {
  const nicks = client.typingIn(buffer);
  const text =
    nicks.length === 0 ? '' : nicks.length === 1 ? `${nicks[0]} is typing…` : nicks.length <= 3 ? `${nicks.slice(0, -1).join(', ')} and ${nicks.at(-1)} are typing…` : 'Several people are typing…';
  return (
    <p class="typing" aria-live="polite">
      {text}
    </p>
  );
}
