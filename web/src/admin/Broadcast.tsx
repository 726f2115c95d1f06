// The admin panel's broadcast box: a notice to everyone, held to the server's limit in UTF-8
// bytes (not characters: a Chinese character is three), counted as it is typed.
import { useState } from 'preact/hooks';
import { utf8ByteLength } from '../../../src/protocol/wire-text.ts';
import type { Run } from './AdminPanel.tsx';
import { useLanguage } from '../language.ts';

export function Broadcast({ run, maxBytes }: { run: Run; maxBytes: number }) {
  const [text, setText] = useState('');
  const { t } = useLanguage();
  const left = maxBytes - utf8ByteLength(text.trim());
  return (
    <section class="admin-section" aria-label={t('web.admin.broadcast.label')}>
      <h2>{t('web.admin.broadcast.label')}</h2>
      <form
        class="admin-inline"
        onSubmit={async (e) => {
          e.preventDefault();
          if (text.trim() && left >= 0 && (await run('broadcast', { text: text.trim() }))) setText('');
        }}
      >
        <label class="grow">
          <span class="visually-hidden">{t('web.admin.broadcast.text')}</span>
          <input
            name="broadcast"
            value={text}
            placeholder={t('web.admin.broadcast.placeholder')}
            aria-invalid={left < 0}
            aria-describedby="broadcast-bytes"
            onInput={(e) => setText(e.currentTarget.value)}
          />
        </label>
        <button type="submit" disabled={left < 0}>
          {t('web.admin.broadcast.send')}
        </button>
        <p id="broadcast-bytes" class={left < 0 ? 'admin-bytes over' : 'admin-bytes'}>
          {left < 0 ? t('web.admin.broadcast.bytesOver', { count: -left }) : t('web.admin.broadcast.bytesLeft', { count: left })}
        </p>
      </form>
    </section>
  );
}
