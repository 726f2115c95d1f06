// A banner across the conversation while a lost connection is being re-established: the
// input still takes text, but nothing goes out until it is back.
import { useRef } from 'preact/hooks';
import type { WebClient } from './connection.ts';
import { useLanguage } from './language.ts';

export function ConnectionBanner({ client }: { client: WebClient }) {
  const wasConnected = useRef(false);
  const status = client.model.status;
  const { t } = useLanguage();
  if (status === 'registered') wasConnected.current = true;
  const lost = wasConnected.current && status !== 'registered' && status !== 'quitting' && status !== 'closed';
  return (
    <div class="connection-banner" role="status">
      {lost && <p>{t('web.connectionLost')}</p>}
    </div>
  );
}
