// The admin panel at /#admin: a token form, then the server's state polled every 2 s — users
// with Kick/Ban/Mute, bans and mutes, a broadcast box, the connection limits, the audit log
// and a live chart. Everything goes through the admin API (api.ts). Its words are the page's
// language (web.admin.* in the catalogues); what the server itself says (its refusals, nicks,
// reasons) is shown as it comes.
import { useEffect, useState } from 'preact/hooks';
import type { MessageKey, Translate } from '../../../src/i18n/i18n.ts';
import { act, AdminError, adminApiOn, fetchState, loadToken, loginAsOper, saveToken, type AdminAction, type AdminRequestBody, type AdminState } from './api.ts';
import { Chart, type Sample } from './Chart.tsx';
import { formatDuration } from './durations.ts';
import { LanguageSelect } from '../LanguageSelect.tsx';
import { useLanguage } from '../language.ts';
import { ThemeToggle } from '../ThemeToggle.tsx';
import { Broadcast } from './Broadcast.tsx';
import { Users } from './Users.tsx';

const POLL_MS = 2000;
const CHART_SPAN_MS = 5 * 60_000;
const AUDIT_SHOWN = 50;

/** A refusal or failure in words: the server's own when it gave some, else what its status means. */
export function explain(err: unknown, t: Translate): string {
  if (!(err instanceof AdminError)) return err instanceof Error ? err.message : String(err);
  if (err.message) return err.message;
  return err.status === 404 ? t('web.admin.apiDisabled') : t('web.admin.httpError', { status: err.status });
}

export function AdminPanel() {
  const [token, setToken] = useState(loadToken);
  // Errors are kept as they came and put in words when shown: a language switch rewords them.
  const [error, setError] = useState<unknown>(undefined);
  if (!token) {
    return (
      <TokenForm
        error={error}
        onToken={(t) => {
          saveToken(t);
          setError(undefined);
          setToken(t);
        }}
      />
    );
  }
  return (
    <Dashboard
      token={token}
      onRefused={(why) => {
        saveToken('');
        setError(why);
        setToken('');
      }}
    />
  );
}

function TokenForm({ error, onToken }: { error: unknown; onToken: (token: string) => void }) {
  const [value, setValue] = useState('');
  const [oper, setOper] = useState('');
  const [operPassword, setOperPassword] = useState('');
  const [operError, setOperError] = useState<unknown>(undefined);
  const [apiOn, setApiOn] = useState<boolean | undefined>(undefined);
  const { t } = useLanguage();
  // Said before anyone tries to log in: with neither a token nor operators configured, no login can work.
  useEffect(() => {
    let live = true;
    void adminApiOn().then((on) => live && setApiOn(on));
    return () => {
      live = false;
    };
  }, []);
  return (
    <main class="connect">
      <form
        class="connect-form"
        aria-label={t('web.admin.login.operForm')}
        onSubmit={(e) => {
          e.preventDefault();
          loginAsOper(oper.trim(), operPassword).then(onToken, (err: unknown) => setOperError(err));
        }}
      >
        <h1>{t('web.admin.title')}</h1>
        {apiOn === false && (
          <p class="connect-message admin-off" role="alert">
            {t('web.admin.apiDisabled')}
          </p>
        )}
        {operError !== undefined && (
          <p class="connect-message" role="alert">
            {explain(operError, t)}
          </p>
        )}
        <label for="oper-name">{t('web.admin.login.operName')}</label>
        <input id="oper-name" autocomplete="username" required value={oper} onInput={(e) => setOper(e.currentTarget.value)} />
        <label for="oper-password">{t('web.admin.login.operPassword')}</label>
        <input id="oper-password" type="password" autocomplete="current-password" required value={operPassword} onInput={(e) => setOperPassword(e.currentTarget.value)} />
        <button type="submit">{t('web.admin.login.operSubmit')}</button>
      </form>
      <form
        class="connect-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (value.trim()) onToken(value.trim());
        }}
      >
        <h2>{t('web.admin.login.orToken')}</h2>
        {error !== undefined && (
          <p class="connect-message" role="alert">
            {explain(error, t)}
          </p>
        )}
        <label for="admin-token">{t('web.admin.login.token')}</label>
        <input id="admin-token" type="password" autocomplete="off" required autofocus value={value} onInput={(e) => setValue(e.currentTarget.value)} />
        <button type="submit">{t('web.admin.login.tokenSubmit')}</button>
        <a href="#" class="admin-link">
          {t('web.admin.login.backToChat')}
        </a>
        <ThemeToggle />
        <LanguageSelect />
      </form>
    </main>
  );
}

/** `why` undefined: signed out on purpose, nothing to say. */
function Dashboard({ token, onRefused }: { token: string; onRefused: (why?: unknown) => void }) {
  const [state, setState] = useState<AdminState | undefined>(undefined);
  const [samples, setSamples] = useState<Sample[]>([]);
  const [problem, setProblem] = useState<unknown>(undefined);
  const [notice, setNotice] = useState<Notice | undefined>(undefined);
  const [tick, setTick] = useState(0);
  const { t } = useLanguage();

  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async (): Promise<void> => {
      try {
        const s = await fetchState(token);
        if (!live) return;
        setState(s);
        setProblem(undefined);
        const now = Date.now();
        setSamples((old) => [...old.filter((x) => x.time >= now - CHART_SPAN_MS), { time: now, connections: s.server.connections, mps: s.server.messagesPerSecond }]);
      } catch (e) {
        if (!live) return;
        if (e instanceof AdminError && (e.status === 401 || e.status === 404)) return onRefused(e);
        setProblem(e);
      }
      timer = setTimeout(() => void poll(), POLL_MS);
    };
    void poll();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [token, tick]);

  /** Runs an action, shows its answer and polls again at once. */
  const run: Run = async (action, body) => {
    try {
      await act(token, action, body);
      setNotice({ done: action, target: targetOf(body) });
      setTick((n) => n + 1);
      return true;
    } catch (e) {
      if (e instanceof AdminError && e.status === 401) onRefused(e);
      setNotice({ failed: e });
      return false;
    }
  };

  return (
    <main class="admin">
      <header class="admin-header">
        <h1>{state ? t('web.admin.titleWithServer', { server: state.server.name }) : t('web.admin.title')}</h1>
        <a href="#" class="admin-link">
          {t('web.admin.chat')}
        </a>
        <ThemeToggle />
        <LanguageSelect />
        <button type="button" onClick={() => onRefused()}>
          {t('web.admin.signOut')}
        </button>
      </header>
      {problem !== undefined && (
        <p class="admin-problem" role="alert">
          {t('web.admin.unreachable', { error: explain(problem, t) })}
        </p>
      )}
      <p class="admin-notice" role="status">
        {notice === undefined ? '' : 'done' in notice ? t(`web.admin.done.${notice.done}`, { target: notice.target }) : t('web.admin.failed', { error: explain(notice.failed, t) })}
      </p>
      {!state ? (
        <p>{t('web.admin.loading')}</p>
      ) : (
        <>
          <Overview state={state} samples={samples} run={run} />
          <Users state={state} run={run} />
          <Bans state={state} run={run} />
          <Broadcast run={run} maxBytes={state.server.broadcastBytes} />
          <Audit state={state} />
        </>
      )}
    </main>
  );
}

export type Run = <A extends AdminAction>(action: A, body: AdminRequestBody<A>) => Promise<boolean>;

/** The answer to the last action, put in words when shown. */
type Notice = { done: AdminAction; target: string } | { failed: unknown };

/** Who an action was about, for the notice that says it is done. */
function targetOf(body: object): string {
  if ('nick' in body && typeof body.nick === 'string') return body.nick;
  if ('target' in body && typeof body.target === 'string') return body.target;
  return '';
}

function Overview({ state, samples, run }: { state: AdminState; samples: Sample[]; run: Run }) {
  const s = state.server;
  const [max, setMax] = useState('');
  const [perIp, setPerIp] = useState('');
  const { t } = useLanguage();
  return (
    <section class="admin-section admin-overview" aria-label={t('web.admin.overview.label')}>
      <dl class="admin-stats">
        <dt>{t('web.admin.overview.uptime')}</dt>
        <dd>{formatDuration(s.uptimeSeconds, t)}</dd>
        <dt>{t('web.admin.overview.connections')}</dt>
        <dd>{t('web.admin.overview.connectionsValue', { now: s.connections, peak: s.peakConnections })}</dd>
        <dt>{t('web.admin.overview.messagesPerSecond')}</dt>
        <dd>{s.messagesPerSecond.toFixed(1)}</dd>
        <dt>{t('web.admin.overview.limit')}</dt>
        <dd>{t('web.admin.overview.limitValue', { total: s.limit, perIp: s.perIpLimit })}</dd>
      </dl>
      <Chart samples={samples} spanMs={CHART_SPAN_MS} />
      <form
        class="admin-inline"
        onSubmit={async (e) => {
          e.preventDefault();
          const body: AdminRequestBody<'limit'> = {};
          if (max.trim()) body.max = Number(max);
          if (perIp.trim()) body.perIp = Number(perIp);
          if (Object.keys(body).length === 0 || !(await run('limit', body))) return;
          setMax('');
          setPerIp('');
        }}
      >
        <label>
          {t('web.admin.overview.maxConnections')} <input type="number" min="1" value={max} placeholder={String(s.limit)} onInput={(e) => setMax(e.currentTarget.value)} />
        </label>
        <label>
          {t('web.admin.overview.perAddress')} <input type="number" min="1" value={perIp} placeholder={String(s.perIpLimit)} onInput={(e) => setPerIp(e.currentTarget.value)} />
        </label>
        <button type="submit">{t('web.admin.overview.setLimit')}</button>
      </form>
    </section>
  );
}

function Bans({ state, run }: { state: AdminState; run: Run }) {
  const now = Date.now();
  const { t } = useLanguage();
  return (
    <section class="admin-section" aria-label={t('web.admin.bans.label')}>
      <h2>{t('web.admin.bans.heading', { total: state.bans.length })}</h2>
      {state.bans.length === 0 ? (
        <p class="admin-empty">{t('web.admin.bans.none')}</p>
      ) : (
        <ul class="admin-bans">
          {state.bans.map((b) => (
            <li key={`${b.list} ${b.mask}`}>
              <span class={`badge ban-${b.list}`}>{t(`web.admin.bans.${b.list}`)}</span> <code>{b.mask}</code> —{' '}
              {t('web.admin.bans.detail', {
                reason: b.reason || t('web.admin.bans.noReason'),
                setBy: b.setBy,
                expiry: b.expiresAt === null ? t('web.admin.bans.permanent') : t('web.admin.bans.left', { duration: formatDuration(Math.max(0, (b.expiresAt - now) / 1000), t) }),
              })}
              <button type="button" onClick={() => void run(b.list === 'ban' ? 'unban' : 'unmute', { target: b.mask })}>
                {t(b.list === 'ban' ? 'web.admin.bans.unban' : 'web.admin.bans.unmute')}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Audit({ state }: { state: AdminState }) {
  const entries = state.audit.slice(-AUDIT_SHOWN).reverse();
  const { t, dateLocale } = useLanguage();
  return (
    <section class="admin-section" aria-label={t('web.admin.audit.label')}>
      <h2>{t('web.admin.audit.label')}</h2>
      {entries.length === 0 ? (
        <p class="admin-empty">{t('web.admin.audit.none')}</p>
      ) : (
        <ol class="admin-audit">
          {entries.map((a, i) => (
            <li key={`${a.time} ${i}`}>
              <time dateTime={new Date(a.time).toISOString()}>{new Date(a.time).toLocaleTimeString(dateLocale)}</time> <strong>{a.actor}</strong> {auditAction(a.action, t)}
              {a.target ? ` ${a.target}` : ''}
              {a.detail ? ` — ${a.detail}` : ''}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

/** The audit log's action words (src/server/admin.ts) in the page's language; an unknown one as it is. */
const AUDIT_ACTIONS: ReadonlyMap<string, MessageKey> = new Map([
  ['broadcast', 'web.admin.audit.action.broadcast'],
  ['say', 'web.admin.audit.action.say'],
  ['kill', 'web.admin.audit.action.kill'],
  ['kick', 'web.admin.audit.action.kick'],
  ['ban', 'web.admin.audit.action.ban'],
  ['mute', 'web.admin.audit.action.mute'],
  ['unban', 'web.admin.audit.action.unban'],
  ['unmute', 'web.admin.audit.action.unmute'],
  ['limit', 'web.admin.audit.action.limit'],
  ['limit-ip', 'web.admin.audit.action.limitIp'],
  ['purge', 'web.admin.audit.action.purge'],
  ['wallops', 'web.admin.audit.action.wallops'],
  ['reload', 'web.admin.audit.action.reload'],
  ['shutdown', 'web.admin.audit.action.shutdown'],
]);

function auditAction(action: string, t: Translate): string {
  const key = AUDIT_ACTIONS.get(action);
  return key === undefined ? action : t(key);
}
