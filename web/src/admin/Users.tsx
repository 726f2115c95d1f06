// The admin panel's users: who is connected, with Kick, Ban and Mute, each asked for a reason
// (and, for a ban or mute, a duration, checked as it is typed) before it is done. On a narrow
// screen each user is a card with its actions first (admin.css).
import { useState } from 'preact/hooks';
import type { MessageKey } from '../../../src/i18n/i18n.ts';
import { readDuration } from '../../../src/protocol/duration.ts';
import type { AdminState } from './api.ts';
import type { Run } from './AdminPanel.tsx';
import { formatDuration } from './durations.ts';
import { useLanguage } from '../language.ts';

type UserAction = { kind: 'kick' | 'ban' | 'mute'; nick: string };

export function Users({ state, run }: { state: AdminState; run: Run }) {
  const [pending, setPending] = useState<UserAction | undefined>(undefined);
  const [reason, setReason] = useState('');
  const [length, setLength] = useState('');
  // The parser's own words (English) on a duration that does not read, shown by its field.
  const [lengthProblem, setLengthProblem] = useState<string | undefined>(undefined);
  const { t, dateLocale } = useLanguage();
  const open = (kind: UserAction['kind'], nick: string) => {
    setPending({ kind, nick });
    setReason('');
    setLength('');
    setLengthProblem(undefined);
  };
  const now = Date.now();
  return (
    <section class="admin-section" aria-label={t('web.admin.users.label')}>
      <h2>{t('web.admin.users.heading', { total: state.users.length })}</h2>
      {pending && (
        <form
          class="admin-inline admin-confirm"
          aria-label={t(ACTION_ON_NICK[pending.kind], { nick: pending.nick })}
          onSubmit={async (e) => {
            e.preventDefault();
            const reading = pending.kind === 'kick' || length.trim() === '' ? undefined : readDuration(length);
            if (reading && 'problem' in reading) {
              setLengthProblem(reading.problem);
              e.currentTarget.querySelector<HTMLInputElement>('input[name=duration]')?.focus();
              return;
            }
            const why = reason.trim() ? { reason: reason.trim() } : {};
            const done =
              pending.kind === 'kick'
                ? await run('kick', { nick: pending.nick, ...why })
                : await run(pending.kind, { target: pending.nick, ...why, ...(length.trim() ? { duration: length.trim() } : {}) });
            if (done) setPending(undefined);
          }}
        >
          <strong>{t(ACTION_ON_NICK[pending.kind], { nick: pending.nick })}</strong>
          <label>
            {t('web.admin.users.reason')} <input name="reason" value={reason} autofocus onInput={(e) => setReason(e.currentTarget.value)} />
          </label>
          {pending.kind !== 'kick' && (
            <label>
              {t('web.admin.users.duration')}{' '}
              <input
                name="duration"
                value={length}
                placeholder={t('web.admin.users.durationPlaceholder')}
                aria-invalid={lengthProblem !== undefined}
                aria-describedby={lengthProblem === undefined ? undefined : 'duration-problem'}
                onInput={(e) => {
                  setLength(e.currentTarget.value);
                  setLengthProblem(undefined);
                }}
              />
            </label>
          )}
          {lengthProblem !== undefined && (
            <p id="duration-problem" class="admin-field-problem" role="alert">
              {t('web.admin.users.badDuration', { detail: lengthProblem })}
            </p>
          )}
          <button type="submit">{t(CONFIRM[pending.kind])}</button>
          <button type="button" onClick={() => setPending(undefined)}>
            {t('web.admin.users.cancel')}
          </button>
        </form>
      )}
      <div class="admin-scroll">
        <table class="admin-table">
          <thead>
            <tr>
              <th>{t('web.admin.users.nick')}</th>
              <th>{t('web.admin.users.address')}</th>
              <th>{t('web.admin.users.since')}</th>
              <th>{t('web.admin.users.idle')}</th>
              <th>{t('web.admin.users.rooms')}</th>
              <th>{t('web.admin.users.transport')}</th>
              <th>
                <span class="visually-hidden">{t('web.admin.users.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {state.users.map((u) => (
              <tr key={u.nick}>
                <td class="admin-user-nick">
                  {u.nick}
                  {u.oper && <span class="badge">{t('web.admin.users.oper')}</span>}
                </td>
                {/* data-label: each value's heading on a narrow screen, where a user is a card. */}
                <td data-label={t('web.admin.users.address')} title={`${u.user}@${u.address}`}>
                  {u.address}
                </td>
                <td data-label={t('web.admin.users.since')} title={new Date(u.since).toLocaleString(dateLocale)}>
                  {formatDuration((now - u.since) / 1000, t)}
                </td>
                <td data-label={t('web.admin.users.idle')}>{formatDuration(u.idleSeconds, t)}</td>
                <td data-label={t('web.admin.users.rooms')}>{u.rooms.join(' ')}</td>
                <td data-label={t('web.admin.users.transport')}>{u.transport}</td>
                <td class="admin-actions">
                  {(['kick', 'ban', 'mute'] as const).map((kind) => (
                    <button key={kind} type="button" aria-label={t(ACTION_ON_NICK[kind], { nick: u.nick })} onClick={() => open(kind, u.nick)}>
                      {t(`web.admin.users.${kind}`)}
                    </button>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

const ACTION_ON_NICK = { kick: 'web.admin.users.kickNick', ban: 'web.admin.users.banNick', mute: 'web.admin.users.muteNick' } as const satisfies Record<UserAction['kind'], MessageKey>;
const CONFIRM = { kick: 'web.admin.users.confirmKick', ban: 'web.admin.users.confirmBan', mute: 'web.admin.users.confirmMute' } as const satisfies Record<UserAction['kind'], MessageKey>;
