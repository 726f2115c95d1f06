// A small "bot" badge after a bot's nick (IRCv3 bot-mode), in the message log and the member
// list. Its word is read out with the nick; the title says it in full.
import './bots.css';
import { useLanguage } from './language.ts';

export function BotBadge({ nick }: { nick: string }) {
  const { t } = useLanguage();
  return (
    <span class="bot-badge" title={t('web.members.bot', { nick })}>
      {t('client.line.bot')}
    </span>
  );
}
