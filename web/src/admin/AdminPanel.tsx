// The admin panel at /#admin: a token form, then the server's state polled every 2 s — users
// with Kick/Ban/Mute, bans and mutes, a broadcast box, the connection limits, the audit log
// and a live chart. Everything goes through the admin API (api.ts).
import { useEffect, useState } from 'preact/hooks';
import { act, AdminError, fetchState, loadToken, loginAsOper, saveToken, type AdminAction, type AdminRequestBody, type AdminState } from './api.ts';
import { Chart, type Sample } from './Chart.tsx';
import { ThemeToggle } from '../ThemeToggle.tsx';

const POLL_MS = 2000;
const CHART_SPAN_MS = 5 * 60_000;
const AUDIT_SHOWN = 50;

type UserAction = { kind: 'kick' | 'ban' | 'mute'; nick: string };

export function AdminPanel() {
  const [token, setToken] = useState(loadToken);
  const [error, setError] = useState('');
  if (!token) {
    return (
      <TokenForm
        error={error}
        onToken={(t) => {
          saveToken(t);
          setError('');
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

function TokenForm({ error, onToken }: { error: string; onToken: (token: string) => void }) {
  const [value, setValue] = useState('');
  const [oper, setOper] = useState('');
  const [operPassword, setOperPassword] = useState('');
  const [operError, setOperError] = useState('');
  return (
    <main class="connect">
      <form
        class="connect-form"
        aria-label="Operator login"
        onSubmit={(e) => {
          e.preventDefault();
          loginAsOper(oper.trim(), operPassword).then(onToken, (err: unknown) => setOperError(err instanceof Error ? err.message : String(err)));
        }}
      >
        <h1>Parlor admin</h1>
        {operError && (
          <p class="connect-message" role="alert">
            {operError}
          </p>
        )}
        <label for="oper-name">IRC operator name</label>
        <input id="oper-name" autocomplete="username" required value={oper} onInput={(e) => setOper(e.currentTarget.value)} />
        <label for="oper-password">Operator password</label>
        <input id="oper-password" type="password" autocomplete="current-password" required value={operPassword} onInput={(e) => setOperPassword(e.currentTarget.value)} />
        <button type="submit">Log in as operator</button>
      </form>
      <form
        class="connect-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (value.trim()) onToken(value.trim());
        }}
      >
        <h2>…or with the admin token</h2>
        {error && (
          <p class="connect-message" role="alert">
            {error}
          </p>
        )}
        <label for="admin-token">Admin token</label>
        <input id="admin-token" type="password" autocomplete="off" required autofocus value={value} onInput={(e) => setValue(e.currentTarget.value)} />
        <button type="submit">Sign in</button>
        <a href="#" class="admin-link">
          Back to chat
        </a>
      </form>
    </main>
  );
}

function Dashboard({ token, onRefused }: { token: string; onRefused: (why: string) => void }) {
  const [state, setState] = useState<AdminState | undefined>(undefined);
  const [samples, setSamples] = useState<Sample[]>([]);
  const [problem, setProblem] = useState('');
  const [notice, setNotice] = useState('');
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async (): Promise<void> => {
      try {
        const s = await fetchState(token);
        if (!live) return;
        setState(s);
        setProblem('');
        const now = Date.now();
        setSamples((old) => [...old.filter((x) => x.time >= now - CHART_SPAN_MS), { time: now, connections: s.server.connections, mps: s.server.messagesPerSecond }]);
      } catch (e) {
        if (!live) return;
        if (e instanceof AdminError && (e.status === 401 || e.status === 404)) return onRefused(e.message);
        setProblem(`Cannot reach the server: ${e instanceof Error ? e.message : String(e)}`);
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
      setNotice(await act(token, action, body));
      setTick((n) => n + 1);
      return true;
    } catch (e) {
      if (e instanceof AdminError && e.status === 401) onRefused(e.message);
      setNotice(`Failed: ${e instanceof Error ? e.message : String(e)}`);
      return false;
    }
  };

  return (
    <main class="admin">
      <header class="admin-header">
        <h1>Parlor admin{state ? ` — ${state.server.name}` : ''}</h1>
        <a href="#" class="admin-link">
          Chat
        </a>
        <ThemeToggle />
        <button type="button" onClick={() => onRefused('')}>
          Sign out
        </button>
      </header>
      {problem && (
        <p class="admin-problem" role="alert">
          {problem}
        </p>
      )}
      <p class="admin-notice" role="status">
        {notice}
      </p>
      {!state ? (
        <p>Loading…</p>
      ) : (
        <>
          <Overview state={state} samples={samples} run={run} />
          <Users state={state} run={run} />
          <Bans state={state} run={run} />
          <Broadcast run={run} />
          <Audit state={state} />
        </>
      )}
    </main>
  );
}

type Run = <A extends AdminAction>(action: A, body: AdminRequestBody<A>) => Promise<boolean>;

function Overview({ state, samples, run }: { state: AdminState; samples: Sample[]; run: Run }) {
  const s = state.server;
  const [max, setMax] = useState('');
  const [perIp, setPerIp] = useState('');
  return (
    <section class="admin-section admin-overview" aria-label="Server">
      <dl class="admin-stats">
        <dt>Uptime</dt>
        <dd>{duration(s.uptimeSeconds)}</dd>
        <dt>Connections</dt>
        <dd>
          {s.connections} (peak {s.peakConnections})
        </dd>
        <dt>Messages/s</dt>
        <dd>{s.messagesPerSecond.toFixed(1)}</dd>
        <dt>Limit</dt>
        <dd>
          {s.limit} total, {s.perIpLimit} per address
        </dd>
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
          Max connections <input type="number" min="1" value={max} placeholder={String(s.limit)} onInput={(e) => setMax(e.currentTarget.value)} />
        </label>
        <label>
          Per address <input type="number" min="1" value={perIp} placeholder={String(s.perIpLimit)} onInput={(e) => setPerIp(e.currentTarget.value)} />
        </label>
        <button type="submit">Set limit</button>
      </form>
    </section>
  );
}

function Users({ state, run }: { state: AdminState; run: Run }) {
  const [pending, setPending] = useState<UserAction | undefined>(undefined);
  const [reason, setReason] = useState('');
  const [length, setLength] = useState('');
  const open = (kind: UserAction['kind'], nick: string) => {
    setPending({ kind, nick });
    setReason('');
    setLength('');
  };
  const now = Date.now();
  return (
    <section class="admin-section" aria-label="Users">
      <h2>Users ({state.users.length})</h2>
      {pending && (
        <form
          class="admin-inline admin-confirm"
          aria-label={`${pending.kind} ${pending.nick}`}
          onSubmit={async (e) => {
            e.preventDefault();
            const why = reason.trim() ? { reason: reason.trim() } : {};
            const done =
              pending.kind === 'kick'
                ? await run('kick', { nick: pending.nick, ...why })
                : await run(pending.kind, { target: pending.nick, ...why, ...(length.trim() ? { duration: length.trim() } : {}) });
            if (done) setPending(undefined);
          }}
        >
          <strong>
            {cap(pending.kind)} {pending.nick}
          </strong>
          <label>
            Reason <input name="reason" value={reason} autofocus onInput={(e) => setReason(e.currentTarget.value)} />
          </label>
          {pending.kind !== 'kick' && (
            <label>
              Duration <input name="duration" value={length} placeholder="e.g. 10m, 2h; empty: permanent" onInput={(e) => setLength(e.currentTarget.value)} />
            </label>
          )}
          <button type="submit">Confirm {pending.kind}</button>
          <button type="button" onClick={() => setPending(undefined)}>
            Cancel
          </button>
        </form>
      )}
      <div class="admin-scroll">
        <table class="admin-table">
          <thead>
            <tr>
              <th>Nick</th>
              <th>Address</th>
              <th>Since</th>
              <th>Idle</th>
              <th>Rooms</th>
              <th>Transport</th>
              <th>
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {state.users.map((u) => (
              <tr key={u.nick}>
                <td>
                  {u.nick}
                  {u.oper && <span class="badge">oper</span>}
                </td>
                <td title={`${u.user}@${u.address}`}>{u.address}</td>
                <td title={new Date(u.since).toLocaleString()}>{duration((now - u.since) / 1000)}</td>
                <td>{duration(u.idleSeconds)}</td>
                <td>{u.rooms.join(' ')}</td>
                <td>{u.transport}</td>
                <td class="admin-actions">
                  <button type="button" aria-label={`Kick ${u.nick}`} onClick={() => open('kick', u.nick)}>
                    Kick
                  </button>
                  <button type="button" aria-label={`Ban ${u.nick}`} onClick={() => open('ban', u.nick)}>
                    Ban
                  </button>
                  <button type="button" aria-label={`Mute ${u.nick}`} onClick={() => open('mute', u.nick)}>
                    Mute
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Bans({ state, run }: { state: AdminState; run: Run }) {
  const now = Date.now();
  return (
    <section class="admin-section" aria-label="Bans and mutes">
      <h2>Bans and mutes ({state.bans.length})</h2>
      {state.bans.length === 0 ? (
        <p class="admin-empty">None.</p>
      ) : (
        <ul class="admin-bans">
          {state.bans.map((b) => (
            <li key={`${b.list} ${b.mask}`}>
              <span class={`badge ban-${b.list}`}>{b.list}</span> <code>{b.mask}</code> — {b.reason || 'no reason'} (by {b.setBy},{' '}
              {b.expiresAt === null ? 'permanent' : `${duration(Math.max(0, (b.expiresAt - now) / 1000))} left`})
              <button type="button" onClick={() => void run(b.list === 'ban' ? 'unban' : 'unmute', { target: b.mask })}>
                {b.list === 'ban' ? 'Unban' : 'Unmute'}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Broadcast({ run }: { run: Run }) {
  const [text, setText] = useState('');
  return (
    <section class="admin-section" aria-label="Broadcast">
      <h2>Broadcast</h2>
      <form
        class="admin-inline"
        onSubmit={async (e) => {
          e.preventDefault();
          if (text.trim() && (await run('broadcast', { text: text.trim() }))) setText('');
        }}
      >
        <label class="grow">
          <span class="visually-hidden">Broadcast text</span>
          <input name="broadcast" value={text} maxLength={400} placeholder="A notice to everyone connected" onInput={(e) => setText(e.currentTarget.value)} />
        </label>
        <button type="submit">Send to all</button>
      </form>
    </section>
  );
}

function Audit({ state }: { state: AdminState }) {
  const entries = state.audit.slice(-AUDIT_SHOWN).reverse();
  return (
    <section class="admin-section" aria-label="Audit log">
      <h2>Audit log</h2>
      {entries.length === 0 ? (
        <p class="admin-empty">Nothing yet.</p>
      ) : (
        <ol class="admin-audit">
          {entries.map((a, i) => (
            <li key={`${a.time} ${i}`}>
              <time dateTime={new Date(a.time).toISOString()}>{new Date(a.time).toLocaleTimeString()}</time> <strong>{a.actor}</strong> {a.action}
              {a.target ? ` ${a.target}` : ''}
              {a.detail ? ` — ${a.detail}` : ''}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** 42s, 5m 3s, 2h 10m, 3d 4h. */
function duration(seconds: number): string {
  const s = Math.floor(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}
