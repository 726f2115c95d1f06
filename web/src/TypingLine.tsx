// "alice is typing…" under the conversation, from IRCv3 typing notifications.
import type { ChatBuffer } from '../../src/clients/model.ts';
import type { WebClient } from './connection.ts';
import { useLanguage } from './language.ts';

export function TypingLine({ client, buffer }: { client: WebClient; buffer: ChatBuffer }) {
  const nicks = client.typingIn(buffer);
  const { t } = useLanguage();
  const text =
    nicks.length === 0
      ? ''
      : nicks.length === 1
        ? t('web.typing.one', { nick: nicks[0]! })
        : nicks.length <= 3
          ? t('web.typing.some', { nicks: nicks.slice(0, -1).join(t('web.typing.separator')), last: nicks.at(-1)! })
          : t('web.typing.many');
  return (
    <p class="typing" aria-live="polite">
      {text}
    </p>
  );
}
