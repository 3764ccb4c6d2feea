// Sluice dashboard: reads the admin API with the bearer token and renders it, every few seconds.
// Every value from the API reaches the page through text nodes (textContent), never as HTML:
// tenant names, reasons and alert texts come from configuration and clients.
'use strict';

(function () {
  const REFRESH_MS = 5000;
  const TOKEN_KEY = 'sluice.adminToken';
  const SVG = 'http://www.w3.org/2000/svg';
  const COLORS = ['#1d2430', '#2f6fd6', '#e08a00', '#1f7a3a', '#b3121f', '#7b3fb5', '#0f8b8d', '#a15c00'];

  const $ = (id) => document.getElementById(id);

  // el('td', {class: 'num'}, 'text', childNode): an element with attributes and text or node children.
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== null && v !== undefined) e.setAttribute(k, String(v));
    }
    for (const c of children) {
      if (c === null || c === undefined) continue;
      e.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  function svg(tag, attrs) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    return e;
  }

  function replaceRows(tbody, rows) {
    tbody.replaceChildren(...rows);
  }

  // ---- formatting -------------------------------------------------------------------------

  const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

  function bytes(n) {
    if (n === null || n === undefined) return '–';
    let v = Number(n);
    let u = 0;
    while (Math.abs(v) >= 1024 && u < UNITS.length - 1) { v /= 1024; u++; }
    return (u === 0 ? String(v) : v.toFixed(v < 10 ? 2 : 1)) + ' ' + UNITS[u];
  }

  function exact(n) {
    return Number(n).toLocaleString('en-US');
  }

  function days(d) {
    if (d === null || d === undefined) return 'never';
    if (d === 0) return 'not slowed by this cap';
    if (d < 1 / 24) return (d * 1440).toFixed(1) + ' minutes';
    if (d < 1) return (d * 24).toFixed(1) + ' hours';
    if (d < 730) return d.toFixed(1) + ' days';
    return (d / 365.2425).toFixed(1) + ' years';
  }

  function age(seconds) {
    if (seconds < 120) return seconds + ' s ago';
    if (seconds < 7200) return Math.round(seconds / 60) + ' min ago';
    return (seconds / 3600).toFixed(1) + ' h ago';
  }

  function kindOf(id) {
    const i = id.indexOf(':');
    return i < 0 ? id : id.substring(0, i);
  }

  // ---- token ------------------------------------------------------------------------------

  // A token given as #token=... (a fragment never reaches the server or its logs) moves into
  // sessionStorage and out of the address bar.
  function takeTokenFromFragment() {
    const m = /^#token=([^&]+)/.exec(location.hash);
    if (m) {
      sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]));
      history.replaceState(null, '', location.pathname);
    }
  }

  function askForToken(message) {
    sessionStorage.removeItem(TOKEN_KEY);
    $('main').hidden = true;
    $('login').hidden = false;
    $('login-error').textContent = message || '';
    $('status').textContent = 'waiting for the admin token';
  }

  class Unauthorized extends Error {}

  async function api(path, optional) {
    const token = sessionStorage.getItem(TOKEN_KEY);
    const r = await fetch(path, { headers: { Authorization: 'Bearer ' + token }, cache: 'no-store' });
    if (r.status === 401 || r.status === 403) throw new Unauthorized(path + ': ' + r.status);
    if (optional && r.status === 404) return null;
    if (!r.ok) throw new Error(path + ': HTTP ' + r.status);
    return r.json();
  }

  // ---- sections ---------------------------------------------------------------------------

  function renderBanners(b) {
    const halted = $('banner-halted');
    halted.hidden = !b.halted;
    halted.textContent = b.halted
      ? 'HALTED — egress stopped: ' +
        b.halts.map((h) => h.scope + ' since ' + h.since + (h.reason ? ' (' + h.reason + ')' : '')).join('; ')
      : '';
    const report = $('banner-report');
    report.hidden = b.mode !== 'report';
    report.textContent = b.mode === 'report'
      ? 'REPORT MODE — budgets are NOT enforced: over-budget bytes leave and are only recorded'
      : '';
  }

  function renderSummary(b) {
    $('site').textContent = b.site;
    const store = b.store.type + (b.store.node_id ? ' · node ' + b.store.node_id : '');
    $('summary').replaceChildren(
      el('span', { id: 'mode', class: 'mode-' + b.mode }, 'mode ' + b.mode),
      ' · store ' + store + ' · admin ' + location.host + (b.admin.tls ? ' (TLS)' : '') +
      (b.admin.exposed ? ' · EXPOSED: plain HTTP off loopback' : ''));
  }

  function renderBudgets(b, ex) {
    const atCap = {};
    for (const l of (ex && ex.limits) || []) atCap[l.node + '/' + l.window] = l.days_at_cap;
    const rows = [];
    for (const n of b.nodes) {
      n.limits.forEach((l, i) => {
        const pct = l.cap > 0 ? Math.min(100, (100 * l.spent) / l.cap) : 100;
        const sentPct = l.cap > 0 ? Math.min(100, (100 * l.sent) / l.cap) : 0;
        const fill = el('div', { class: 'fill' + (pct >= 100 ? ' full' : pct >= 80 ? ' warn' : '') });
        fill.style.width = pct.toFixed(2) + '%';
        const sentMark = el('div', { class: 'sent', title: 'sent' });
        sentMark.style.width = sentPct.toFixed(2) + '%';
        const num = (cls, v) =>
          el('td', { class: 'num ' + cls, 'data-bytes': v }, bytes(v), el('span', { class: 'exact' }, exact(v)));
        rows.push(el('tr', { class: kindOf(n.id), 'data-node': n.id, 'data-window': l.window },
          el('td', {}, i === 0 ? n.id : ''),
          el('td', {}, l.window),
          el('td', {}, el('div', { class: 'bar' }, fill, sentMark),
            el('span', { class: 'pct' }, pct.toFixed(1) + '% spent')),
          num('spent', l.spent),
          num('sent', l.sent),
          num('remaining', l.remaining),
          num('cap', l.cap),
          el('td', { class: 'resets' }, l.resets_at === null ? 'never (lifetime)' : l.resets_at.replace('T', ' ')),
          el('td', { class: 'days-at-cap' }, days(atCap[n.id + '/' + l.window]))));
      });
    }
    replaceRows(document.querySelector('#budgets tbody'), rows);
  }

  function renderExfiltration(ex) {
    $('exfiltration').replaceChildren(
      el('dt', {}, 'Weights'), el('dd', { id: 'weights' }, bytes(ex.weights_bytes)),
      el('dt', {}, 'Egress rate (site, last minute)'),
      el('dd', { id: 'egress-rate' }, bytes(Math.round(ex.egress_rate_bytes_per_second)) + '/s'),
      el('dt', {}, 'At the current rate'), el('dd', { id: 'days-at-rate' }, days(ex.days_at_current_rate)),
      el('dt', {}, 'At each cap'), el('dd', {}, 'in the budget table, last column'));
  }

  function renderRates(r) {
    const box = $('rates');
    if (r.times.length < 2) {
      box.replaceChildren(el('p', { class: 'muted' },
        'collecting: one point every ' + r.step_seconds + ' s (kept in memory, last hour)'));
      return;
    }
    // The busiest few, so the chart stays readable with many tenants.
    const shown = r.series
      .map((s) => ({ s, peak: Math.max(...s.bytes_per_second) }))
      .sort((a, b) => b.peak - a.peak)
      .slice(0, COLORS.length)
      .map((x) => x.s);
    const W = 900, H = 220, L = 70, B = 20, T = 10;
    // The last hour, or less while the history is younger (it is kept in memory only).
    const t1 = Date.parse(r.times[r.times.length - 1]);
    const t0 = Math.max(t1 - 3600 * 1000, Date.parse(r.times[0]));
    const span = Math.max(1, t1 - t0);
    const max = Math.max(1, ...shown.map((s) => Math.max(...s.bytes_per_second)));
    const x = (t) => L + ((Date.parse(t) - t0) / span) * (W - L - 10);
    const y = (v) => T + (1 - v / max) * (H - T - B);
    const chart = svg('svg', { class: 'chart', viewBox: '0 0 ' + W + ' ' + H, role: 'img' });
    for (const f of [0, 0.5, 1]) {
      chart.appendChild(svg('line', { x1: L, x2: W - 10, y1: y(max * f), y2: y(max * f), stroke: '#eceef2' }));
      const label = svg('text', { x: L - 6, y: y(max * f) + 4, 'text-anchor': 'end' });
      label.textContent = bytes(Math.round(max * f)) + '/s';
      chart.appendChild(label);
    }
    const ago = (ms) => (ms >= 120000 ? '-' + Math.round(ms / 60000) + ' min' : '-' + Math.round(ms / 1000) + ' s');
    for (const [i, lbl] of [[0, ago(span)], [0.5, ago(span / 2)], [1, r.times[r.times.length - 1].substring(11, 19) + 'Z']]) {
      const t = svg('text', { x: L + i * (W - L - 10), y: H - 4, 'text-anchor': i === 0 ? 'start' : i === 1 ? 'end' : 'middle' });
      t.textContent = lbl;
      chart.appendChild(t);
    }
    const legend = el('div', { class: 'legend' });
    shown.forEach((s, i) => {
      const points = s.bytes_per_second.map((v, k) => x(r.times[k]).toFixed(1) + ',' + y(v).toFixed(1));
      chart.appendChild(svg('polyline', { points: points.join(' '), fill: 'none', stroke: COLORS[i], 'stroke-width': 1.5 }));
      const sw = el('span', { class: 'swatch' });
      sw.style.background = COLORS[i];
      const now = s.bytes_per_second[s.bytes_per_second.length - 1];
      legend.appendChild(el('span', { 'data-series': s.id }, sw, s.id + ' ' + bytes(now) + '/s'));
    });
    box.replaceChildren(chart, legend);
  }

  function renderAlerts(a) {
    const box = $('alerts');
    if (a === null) {
      box.replaceChildren(el('p', { class: 'muted', id: 'no-alerts' }, 'no alerts configured'));
      return;
    }
    const line = (x) => el('li', { class: 'alert ' + x.status },
      '[' + x.status + (x.severity ? ', ' + x.severity : '') + '] ' + x.name + ' — ' +
      ((x.annotations && x.annotations.summary) || '') + ' (since ' + x.startsAt +
      (x.endsAt ? ', until ' + x.endsAt : '') + ')');
    const firing = (a.alerts || []).filter((x) => x.status === 'firing');
    const recent = (a.recent || []).slice(0, 10);
    box.replaceChildren(
      firing.length ? el('ul', {}, ...firing.map(line)) : el('p', { class: 'muted' }, 'nothing firing'),
      recent.length ? el('h3', {}, 'Recent') : null,
      recent.length ? el('ul', {}, ...recent.map(line)) : null);
  }

  function renderEvents(ev) {
    const rows = ev.events.map((e) =>
      el('tr', { 'data-index': e.index },
        el('td', {}, e.index),
        el('td', {}, e.time),
        el('td', { class: 'type-' + e.type }, e.type),
        el('td', { class: 'fields' },
          Object.entries(e.fields).map(([k, v]) => k + '=' + (Array.isArray(v) ? '[' + v.join(',') + ']' : v)).join('  '))));
    if (!rows.length) rows.push(el('tr', {}, el('td', { colspan: 4, class: 'muted' }, 'none')));
    replaceRows(document.querySelector('#events tbody'), rows);
  }

  function renderCheckpoint(c) {
    const cp = c.checkpoint;
    $('checkpoint').replaceChildren(
      el('dt', {}, 'Ledger entries'), el('dd', {}, exact(c.ledger_size)),
      el('dt', {}, 'Last signed checkpoint'),
      el('dd', { id: 'checkpoint-age' }, cp ? cp.time + ' (' + age(cp.age_seconds) + ')' : 'none yet'),
      el('dt', {}, 'Covers entries'), el('dd', {}, cp ? exact(cp.size) : '–'),
      el('dt', {}, 'Root'), el('dd', { class: 'fields' }, cp ? cp.root : '–'));
  }

  function renderNodes(b) {
    let rows;
    if (b.store.type === 'etcd') {
      rows = (b.gateway_nodes || []).map((g) =>
        el('tr', { 'data-node': g.node_id },
          el('td', {}, g.node_id + (g.node_id === b.store.node_id ? ' (this node)' : '')),
          el('td', { class: 'live' + (g.live ? '' : ' error') }, g.live ? 'live' : 'DOWN'),
          el('td', { class: 'num open-sets' }, g.open_sets),
          el('td', { class: 'num held', 'data-bytes': g.held }, bytes(g.held), el('span', { class: 'exact' }, exact(g.held))),
          el('td', { class: 'num expired' + (g.expired > 0 ? ' error' : ''), 'data-bytes': g.expired },
            bytes(g.expired) + ' in ' + g.expired_sets + ' sets', el('span', { class: 'exact' }, exact(g.expired)))));
    } else {
      rows = [el('tr', {}, el('td', { colspan: 5 }, (b.store.node_id || 'this node') + ' — local store: this node only'))];
    }
    replaceRows(document.querySelector('#nodes tbody'), rows);
  }

  // ---- refresh loop -----------------------------------------------------------------------

  let timer = null;

  // Each section renders from its own answer, so one endpoint failing leaves the others current.
  const SECTIONS = [
    ['/api/budgets', (b) => { renderBanners(b); renderSummary(b); renderNodes(b); }],
    ['/api/exfiltration', renderExfiltration],
    ['/api/rates', renderRates],
    ['/api/events?limit=50', renderEvents],
    ['/api/checkpoint', renderCheckpoint],
  ];

  async function refresh() {
    clearTimeout(timer);
    if (!sessionStorage.getItem(TOKEN_KEY)) {
      askForToken();
      return;
    }
    const paths = SECTIONS.map(([path]) => path);
    const answers = await Promise.allSettled([...paths.map((p) => api(p)), api('/api/alerts', true)]);
    const refused = answers.find((a) => a.status === 'rejected' && a.reason instanceof Unauthorized);
    if (refused) {
      askForToken('The admin API refused the token (' + refused.reason.message + '); a new one is written at every start.');
      return;
    }
    const failed = [];
    const value = (i) => (answers[i].status === 'fulfilled' ? answers[i].value : null);
    SECTIONS.forEach(([path, render], i) => {
      if (answers[i].status === 'fulfilled') render(answers[i].value);
      else failed.push(answers[i].reason.message);
    });
    const b = value(0);
    if (b) renderBudgets(b, value(1));
    const alerts = answers[SECTIONS.length];
    if (alerts.status === 'fulfilled') renderAlerts(alerts.value);
    else failed.push(alerts.reason.message);
    $('login').hidden = true;
    $('main').hidden = false;
    if (failed.length) {
      $('status').className = 'error';
      $('status').textContent = 'not current: ' + failed.join('; ') + ' (retrying every ' + REFRESH_MS / 1000 + ' s)';
    } else {
      $('status').className = 'muted';
      $('status').textContent = 'updated ' + new Date().toISOString() + ', every ' + REFRESH_MS / 1000 + ' s';
      document.body.setAttribute('data-rendered', String(Date.now()));
    }
    timer = setTimeout(refresh, REFRESH_MS);
  }

  document.addEventListener('DOMContentLoaded', () => {
    takeTokenFromFragment();
    $('login').addEventListener('submit', (ev) => {
      ev.preventDefault();
      sessionStorage.setItem(TOKEN_KEY, $('token').value.trim());
      $('token').value = '';
      refresh();
    });
    refresh();
  });
})();
