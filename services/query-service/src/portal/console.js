// The console: CQRS + event sourcing at work, in one page (preact + htm, vendored; no build).
// Everything it shows comes from the query service's routes; commands go to POST /command.
import { html, render, useEffect, useState } from '/console/preact-htm.js';

const tokenKey = 'users-console-token';

const api = async (path, init = {}) => {
  const token = sessionStorage.getItem(tokenKey);
  const headers = {
    'content-type': 'application/json',
    ...(token && { authorization: `Bearer ${token}` }),
  };
  const response = await fetch(path, { ...init, headers });
  const text = await response.text();
  let body = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: response.status, body };
};

const usePolling = (load, intervalMs, deps = []) => {
  const [value, setValue] = useState(undefined);
  useEffect(() => {
    let live = true;
    const tick = async () => {
      const next = await load().catch(() => undefined);
      if (live && next !== undefined) setValue(next);
    };
    tick();
    const timer = setInterval(tick, intervalMs);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, deps);
  return value;
};

const time = (iso) => new Date(iso).toLocaleTimeString();

/** While the user's erasure waits for a cancellation (/list's and /detail's erasure_pending_until). */
const ErasurePending = ({ until }) =>
  until
    ? html`<span class="pending" data-testid="erasure-pending">erasure pending until ${new Date(until).toLocaleString()}</span>`
    : null;

const Feed = ({ onSelect }) => {
  const feed = usePolling(async () => (await api('/console/feed')).body.events, 1000);
  return html`<section data-testid="feed">
    <h2>Newest events, live</h2>
    <ul>
      ${(feed ?? []).map(
        (event) => html`<li key=${`${event.user_id}#${event.sequence}`}>
          <span class="type ${event.event_type}">${event.event_type}</span>
          <button class="user" onClick=${() => onSelect(event.user_id)}>${event.user_id}</button>
          <span class="muted">v${event.sequence}${event.delta === undefined ? '' : `, ${event.delta > 0 ? '+' : ''}${event.delta}`} · ${time(event.occurred_at)}</span>
        </li>`,
      )}
    </ul>
  </section>`;
};

const Users = ({ onSelect }) => {
  const users = usePolling(async () => (await api('/list?limit=100')).body.users, 2000);
  return html`<div data-testid="users">
    <h2>Users (/list)</h2>
    <ul>
      ${(users ?? []).map(
        (user) => html`<li key=${user.UserID}>
          <button class="user" onClick=${() => onSelect(user.UserID)}>${user.UserID}</button>
          <span class="muted">${user.Name ?? ''}</span>
          <${ErasurePending} until=${user.erasure_pending_until} />
        </li>`,
      )}
    </ul>
  </div>`;
};

const Detail = ({ detail }) =>
  detail?.status === 200
    ? html`<dl data-testid="detail">
        ${Object.entries(detail.body).map(([name, value]) => html`<dt>${name}</dt><dd data-field=${name}>${String(value)}</dd>`)}
      </dl>`
    : html`<p class="muted" data-testid="detail">${detail ? `${detail.status}: ${detail.body.message}` : '…'}</p>`;

const historyPath = (userId, nextToken) =>
  `/history?user_id=${encodeURIComponent(userId)}&limit=100${nextToken ? `&next_token=${encodeURIComponent(nextToken)}` : ''}`;

/**
 * A user: the slider spans every version the read models have reached (the current detail's),
 * however long the history; the history itself comes a page of 100 at a time.
 */
const UserPanel = ({ userId, refresh }) => {
  const [history, setHistory] = useState({ events: [], next: undefined });
  const [current, setCurrent] = useState(undefined);
  const [version, setVersion] = useState(0);
  const [detail, setDetail] = useState(undefined);
  // Answers that come back after the user or the version changed are dropped.
  useEffect(() => {
    if (!userId) return;
    let live = true;
    api(historyPath(userId)).then(({ body }) => {
      if (live) setHistory({ events: body.events ?? [], next: body.next_token });
    });
    api(`/detail?user_id=${encodeURIComponent(userId)}`).then((answer) => {
      if (!live) return;
      setCurrent(answer);
      setDetail(answer);
      setVersion(answer.status === 200 ? answer.body.Version : 0);
    });
    return () => {
      live = false;
    };
  }, [userId, refresh]);
  useEffect(() => {
    if (!userId || !version || version === current?.body?.Version) return;
    let live = true;
    api(`/detail?user_id=${encodeURIComponent(userId)}&version=${version}`).then((answer) => {
      if (live) setDetail(answer);
    });
    return () => {
      live = false;
    };
  }, [userId, version]);
  const [loading, setLoading] = useState(false);
  const loadMore = async () => {
    if (loading || !history.next) return;
    setLoading(true);
    const { body } = await api(historyPath(userId, history.next));
    setHistory((shown) =>
      shown.next === history.next
        ? { events: [...shown.events, ...(body.events ?? [])], next: body.next_token }
        : shown,
    );
    setLoading(false);
  };
  if (!userId) return html`<p class="muted">Pick a user in the feed or the list.</p>`;
  const latest = current?.status === 200 ? current.body.Version : 0;
  // The user now, whichever version the slider shows.
  const pendingUntil = latest ? current.body.erasure_pending_until : undefined;
  return html`<div data-testid="user-panel">
    <h2>${userId}: ${latest ? `as of version ${version} of ${latest}` : 'not shown (unknown, deleted or erased)'}</h2>
    ${pendingUntil && html`<p><${ErasurePending} until=${pendingUntil} /></p>`}
    ${
      latest > 1 &&
      html`<input type="range" data-testid="version" min="1" max=${latest} value=${version}
      onInput=${(event) => setVersion(Number(event.target.value))} />`
    }
    <${Detail} detail=${detail} />
    <h2>History (/history)</h2>
    <ul data-testid="history">
      ${history.events.map(
        (event) => html`<li key=${event.sequence}>
          <span class="muted">v${event.sequence}</span>
          <span class="type ${event.event_type}">${event.event_type}</span>
          <span class="muted">${event.personal_data_erased ? 'personal data erased' : JSON.stringify(event.payload)}</span>
        </li>`,
      )}
    </ul>
    ${history.next && html`<button data-testid="more-history" onClick=${loadMore}>Load 100 more</button>`}
  </div>`;
};

/** Whether the read side shows the command's effect yet (the current detail, not the history). */
const projected = async (userId, eventType, sequence) => {
  const answer = await api(`/detail?user_id=${encodeURIComponent(userId)}`);
  if (eventType === 'USER_DELETED' || eventType === 'USER_ERASED') return answer.status === 404;
  return answer.status === 200 && answer.body.Version >= sequence;
};

/** One form per command, built from the command schemas in the OpenAPI document. */
const CommandForm = ({ onDone }) => {
  const [commands, setCommands] = useState([]);
  const [type, setType] = useState('USER_CREATED');
  const [answer, setAnswer] = useState(undefined);
  const [lag, setLag] = useState(undefined);
  useEffect(() => {
    api('/openapi.json').then(({ body }) => {
      // The document names its schemas: `#/components/schemas/X` is followed to X.
      const resolve = (schema) =>
        schema.$ref ? body.components.schemas[schema.$ref.split('/').pop()] : schema;
      const request = body.paths['/command'].post.requestBody.content['application/json'].schema;
      const branches = resolve(request).oneOf.map(resolve);
      setCommands(
        branches.map((branch) => ({
          type: branch.properties.event_type.const,
          fields: Object.entries(branch.properties.payload.properties ?? {}),
        })),
      );
    });
  }, []);
  const command = commands.find((candidate) => candidate.type === type);
  const submit = async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const payload = {};
    for (const [name, schema] of command.fields) {
      const value = form.get(name);
      if (value !== '') payload[name] = schema.type === 'integer' ? Number(value) : value;
    }
    const userId = form.get('user_id');
    const body = { user_id: userId, event_type: type, payload };
    if (form.get('expected_version') !== '')
      body.expected_version = Number(form.get('expected_version'));
    setLag(undefined);
    const sentAt = performance.now();
    const result = await api('/command', { method: 'POST', body: JSON.stringify(body) });
    setAnswer(result);
    if (result.status !== 200 || result.body.message !== 'Event stored') return;
    // The read side catches up on its own: watch the user until the event shows.
    for (let polls = 0; polls < 200; polls++) {
      if (await projected(userId, type, result.body.sequence)) {
        setLag(Math.round(performance.now() - sentAt));
        onDone(userId);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  return html`<form onSubmit=${submit} data-testid="command-form">
    <h2>Send a command (POST /command)</h2>
    <label>event_type</label>
    <select name="event_type" value=${type} onChange=${(event) => setType(event.target.value)}>
      ${commands.map((candidate) => html`<option value=${candidate.type}>${candidate.type}</option>`)}
    </select>
    <label>user_id</label>
    <input name="user_id" required />
    ${(command?.fields ?? []).map(
      ([name, schema]) => html`<label>payload.${name}</label>
        <input name=${name} type=${schema.type === 'integer' ? 'number' : 'text'} />`,
    )}
    <label>expected_version (optional)</label>
    <input name="expected_version" type="number" min="0" />
    <button type="submit">Send</button>
    ${
      answer &&
      html`<pre data-testid="answer" class=${answer.status === 200 ? 'ok' : 'refused'}>${answer.status} ${JSON.stringify(answer.body, null, 2)}</pre>`
    }
    ${lag !== undefined && html`<p data-testid="lag">Read side caught up in <span class="lag">${lag} ms</span></p>`}
  </form>`;
};

const DAY_MS = 86_400_000;
const isoDay = (at) => new Date(at).toISOString().slice(0, 10);

/** Bars of one figure per day, scaled to the largest (negative volumes drawn below the line). */
const Bars = ({ days, field, label }) => {
  const largest = Math.max(1, ...days.map((day) => Math.abs(day[field])));
  const width = 14;
  return html`<figure>
    <figcaption>${label}</figcaption>
    <svg data-testid=${`chart-${field}`} width=${days.length * width} height="84" role="img">
      ${days.map((day, i) => {
        const height = Math.round((Math.abs(day[field]) / largest) * 38);
        const y = day[field] >= 0 ? 40 - height : 42;
        return html`<rect x=${i * width + 2} y=${y} width=${width - 4} height=${height}
          data-day=${day.day} data-value=${day[field]} class="bar"><title>${day.day}: ${day[field]}</title></rect>`;
      })}
      <line x1="0" y1="41" x2=${days.length * width} y2="41" stroke="#999" />
    </svg>
  </figure>`;
};

/** The stats service's figures for the last two weeks (GET /stats, administrators). */
const Stats = () => {
  const stats = usePolling(async () => {
    const to = isoDay(Date.now());
    const from = isoDay(Date.now() - 13 * DAY_MS);
    return api(`/stats?from=${from}&to=${to}`);
  }, 2000);
  if (!stats) return html`<p class="muted">…</p>`;
  if (stats.status !== 200) {
    return html`<p class="muted" data-testid="stats">${stats.status}: ${stats.body.message}</p>`;
  }
  const today = stats.body.days.at(-1);
  return html`<div data-testid="stats">
    <h2>Per day (GET /stats, from the integration events)</h2>
    <p class="muted" data-testid="stats-today">today: ${today.registered} registered, ${today.balance_changes} balance changes, volume ${today.balance_volume}</p>
    <${Bars} days=${stats.body.days} field="registered" label="registrations" />
    <${Bars} days=${stats.body.days} field="balance_volume" label="balance volume" />
  </div>`;
};

/** One bar per bucket, scaled to the largest value (a gap where there is no value). */
const Series = ({ buckets, value, label, testId, unit }) => {
  const values = buckets.map(value);
  const largest = Math.max(1, ...values.filter((v) => v !== undefined));
  const width = 8;
  return html`<figure>
    <figcaption>${label}</figcaption>
    <svg data-testid=${testId} width=${buckets.length * width} height="64" role="img">
      ${buckets.map((bucket, i) => {
        const v = values[i];
        if (v === undefined) return null;
        const height = Math.max(1, Math.round((v / largest) * 60));
        return html`<rect x=${i * width + 1} y=${62 - height} width=${width - 2} height=${height}
          class="bar" data-value=${v}><title>${time(bucket.at)}: ${v} ${unit}</title></rect>`;
      })}
      <line x1="0" y1="63" x2=${buckets.length * width} y2="63" stroke="#999" />
    </svg>
  </figure>`;
};

/**
 * The functions' own metrics (their embedded-metric-format lines), as npm start sums them per
 * 10 s over the last 5 minutes; a deployed stage has them in its CloudWatch dashboard instead.
 */
const Metrics = () => {
  const metrics = usePolling(async () => api('/local/metrics'), 2000);
  if (!metrics) return html`<p class="muted">…</p>`;
  if (metrics.status !== 200) {
    return html`<p class="muted" data-testid="metrics">Metrics: the stage's CloudWatch dashboard (docs/operations.md).</p>`;
  }
  const { buckets, bucketSeconds, refusalsByCode } = metrics.body;
  const rate = (bucket) => Math.round((bucket.commands / bucketSeconds) * 10) / 10;
  const latest = buckets.at(-1);
  return html`<div data-testid="metrics">
    <h2>Metrics (the functions' own, last 5 minutes)</h2>
    <p class="muted">now: ${rate(latest)} commands/s, projection lag p99 ${latest.lagP99 ?? '-'} ms</p>
    <${Series} buckets=${buckets} value=${rate} label="commands per second" unit="/s" testId="metrics-commands" />
    <${Series} buckets=${buckets} value=${(bucket) => bucket.lagP99} label="projection lag p99 (ms)" unit="ms" testId="metrics-lag" />
    <p>refusals by code</p>
    <ul data-testid="metrics-refusals">
      ${Object.entries(refusalsByCode).map(([code, count]) => html`<li key=${code} data-code=${code}><span class="type">${code}</span> ${count}</li>`)}
    </ul>
  </div>`;
};

const App = () => {
  const [userId, setUserId] = useState(undefined);
  const [refresh, setRefresh] = useState(0);
  const [token, setToken] = useState(sessionStorage.getItem(tokenKey) ?? '');
  return html`<header>
      <h1>Users console</h1><span class="muted">commands → events → read models</span>
      <input placeholder="Bearer token (if the stack requires one)" value=${token}
        onChange=${(event) => {
          sessionStorage.setItem(tokenKey, event.target.value);
          setToken(event.target.value);
        }} />
    </header>
    <main>
      <${Feed} onSelect=${setUserId} />
      <section>
        <${CommandForm} onDone=${(id) => {
          setUserId(id);
          setRefresh((n) => n + 1);
        }} />
        <hr />
        <${Users} onSelect=${setUserId} />
        <hr />
        <${Stats} />
        <hr />
        <${Metrics} />
      </section>
      <section><${UserPanel} userId=${userId} refresh=${refresh} /></section>
    </main>`;
};

render(html`<${App} />`, document.getElementById('app'));
