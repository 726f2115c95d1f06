// The server's welcome on connecting (server details, user counts, the MOTD), folded away in
// the server view: people want the friendly line, not `iow biklmnst bklov`; it is one click away.
import { useLanguage } from './language.ts';
import type { ChatLine } from '../../src/clients/model.ts';
import { MessageLine } from './MessageLine.tsx';

export function ServerDetails({ lines, onNick }: { lines: ChatLine[]; onNick: (nick: string) => void }) {
  const { t } = useLanguage();
  if (lines.length === 0) return null;
  return (
    <details class="server-details">
      <summary>{t('web.serverDetails', { count: lines.length })}</summary>
      <ol class="lines">
        {lines.map((line) => (
          <MessageLine key={line.id} line={line} onNick={onNick} />
        ))}
      </ol>
    </details>
  );
}
