// The web UI of heron-controller (docs/ui.md). One page that draws itself from the controller's
// HTTP API: the overview at "/", a topology's page at "/topologies/CLUSTER/ROLE/ENV/NAME". It
// stays live through the API's watch (a long-poll on resourceVersion), never by reloading.
// An action asks for the API's token once per tab (sessionStorage) and sends it as the bearer
// token, on reads too (a controller may need one to read). Data is put into the page as text nodes, never as markup.
'use strict';

// ---- small helpers ------------------------------------------------------------------------

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

const svgNs = 'http://www.w3.org/2000/svg';
function svg(tag, attrs, ...children) {
  const e = document.createElementNS(svgNs, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'text') e.textContent = v;
    else e.setAttribute(k, String(v));
  }
  for (const c of children) e.append(c);
  return e;
}

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

function ago(ms) {
  if (!ms) return '—';
  let s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  if (s < 90) return s + 's';
  if ((s = Math.round(s / 60)) < 90) return s + 'm';
  if ((s = Math.round(s / 60)) < 48) return s + 'h';
  return Math.round(s / 24) + 'd';
}

function when(ms) {
  return ms ? new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '—';
}

function seconds(from, to) {
  return from && to && to >= from ? ((to - from) / 1000).toFixed(1) + ' s' : '—';
}

const short = (h) => (h ? String(h).slice(0, 8) : '');

// Each phase's colour class; the phase is always written out as well.
const kPhaseClass = {
  Running: 'p-ok', Updating: 'p-busy', Deploying: 'p-busy', Pending: 'p-busy', Deleting: 'p-busy',
  RollingBack: 'p-warn', OutOfSync: 'p-warn', Unknown: 'p-warn',
  Failed: 'p-bad', Degraded: 'p-bad',
  Suspended: 'p-idle', Paused: 'p-idle', Deleted: 'p-idle',
};
function phaseBadge(phase, id) {
  return el('span', { class: 'phase ' + (kPhaseClass[phase] || 'p-warn'), id }, phase || 'Unknown');
}

function topologyPath(key) {
  return '/topologies/' + key.split('/').map(encodeURIComponent).join('/');
}
function apiPath(key) {
  return '/api/v1/topologies/' + key.split('/').map(encodeURIComponent).join('/');
}

// Every call carries the tab's token when there is one: a controller run with
// --reads-need-token answers reads only with it. A read refused for the lack of one asks for it
// (once, however many reads were refused) and loads the page again.
let askingForToken = false;
async function api(path, options = {}) {
  const token = sessionStorage.getItem('heron-controller-token');
  const headers = Object.assign({}, options.headers);
  if (token && !headers.Authorization) headers.Authorization = 'Bearer ' + token;
  const reply = await fetch(path, Object.assign({}, options, { headers }));
  const text = await reply.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch (e) {
    body = { error: text.trim() };
  }
  if (!reply.ok) {
    const error = new Error(body.error || reply.statusText);
    error.status = reply.status;
    if (reply.status === 401 && (options.method || 'GET') === 'GET' && !askingForToken) {
      askingForToken = true;
      sessionStorage.removeItem('heron-controller-token');
      confirmAction('This controller needs a token to read.').then((ok) => {
        askingForToken = false;
        if (ok) location.reload();
      });
    }
    throw error;
  }
  return body;
}

function setLive(up, why) {
  const live = document.getElementById('live');
  live.textContent = up ? 'live' : 'reconnecting… (' + why + ')';
  live.classList.toggle('down', !up);
}

// ---- the page's lifetime: each route starts a generation; older watches stop ---------------

let generation = 0;
let aborter = new AbortController();

// Long-polls url from version on; onAnswer gets each answer. Ends when the route changes.
async function watch(gen, url, version, onAnswer) {
  while (gen === generation) {
    try {
      const sep = url.includes('?') ? '&' : '?';
      const answer = await api(url + sep + 'watch=true&timeoutSeconds=30&resourceVersion=' + version,
                               { signal: aborter.signal });
      if (gen !== generation) return;
      setLive(true);
      version = answer.resourceVersion;
      await onAnswer(answer);
    } catch (e) {
      if (gen !== generation) return;
      setLive(false, e.message);
      // A restarted controller's versions start again below the one held: the watch then
      // answers "reset", and the page is drawn anew.
      await sleep(2000);
    }
  }
}

function route() {
  ++generation;
  aborter.abort();
  aborter = new AbortController();
  const path = location.pathname;
  const main = document.getElementById('app');
  main.replaceChildren();
  if (path.startsWith('/topologies/')) {
    const key = path.slice('/topologies/'.length).split('/').map(decodeURIComponent).join('/');
    showTopology(generation, key);
  } else {
    showOverview(generation);
  }
  main.focus();
}

document.addEventListener('click', (e) => {
  const a = e.target.closest('a[data-nav]');
  if (!a || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey) return;
  e.preventDefault();
  history.pushState(null, '', a.getAttribute('href'));
  route();
});
window.addEventListener('popstate', route);
setInterval(() => {
  for (const e of document.querySelectorAll('[data-since]')) e.textContent = ago(Number(e.dataset.since));
}, 5000);

// ---- actions: confirm, token, POST, show the answer ----------------------------------------

function confirmAction(question) {
  const dialog = document.getElementById('confirm');
  const token = sessionStorage.getItem('heron-controller-token');
  document.getElementById('confirm-text').textContent = question;
  document.getElementById('token-row').hidden = !!token;
  const input = document.getElementById('token');
  input.value = '';
  return new Promise((resolve) => {
    const form = document.getElementById('confirm-form');
    const cancel = document.getElementById('confirm-cancel');
    const finish = (ok) => {
      form.removeEventListener('submit', onSubmit);
      cancel.removeEventListener('click', onCancel);
      dialog.removeEventListener('cancel', onCancel);
      dialog.close();
      resolve(ok);
    };
    const onSubmit = (e) => {
      e.preventDefault();
      if (!token) {
        if (!input.value) return input.focus();
        sessionStorage.setItem('heron-controller-token', input.value);
      }
      finish(true);
    };
    const onCancel = (e) => {
      e.preventDefault();
      finish(false);
    };
    form.addEventListener('submit', onSubmit);
    cancel.addEventListener('click', onCancel);
    dialog.addEventListener('cancel', onCancel);
    dialog.showModal();
    (token ? document.getElementById('confirm-ok') : input).focus();
  });
}

async function act(key, verb, body, question) {
  if (!(await confirmAction(question))) return;
  const answer = document.getElementById('answer');
  answer.hidden = false;
  answer.className = 'answer';
  answer.textContent = verb + ': sending…';
  try {
    const token = sessionStorage.getItem('heron-controller-token');
    const reply = await api(apiPath(key) + ':' + verb, {
      method: 'POST',
      headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' },
      body: body ? JSON.stringify(body) : '',
    });
    answer.classList.add('ok');
    answer.textContent = verb + ': ' + (reply.accepted ? 'accepted' : JSON.stringify(reply));
  } catch (e) {
    if (e.status === 401 || e.status === 403) sessionStorage.removeItem('heron-controller-token');
    answer.classList.add('bad');
    answer.textContent = verb + ' refused (' + e.status + '): ' + e.message;
  }
}

// ---- the overview -----------------------------------------------------------------------

const kFilters = ['q', 'cluster', 'role', 'environment', 'phase', 'label'];
const kPageSize = 100;

function showOverview(gen) {
  const main = document.getElementById('app');
  const params = new URLSearchParams(location.search);
  const state = { offset: Number(params.get('offset')) || 0 };
  for (const f of kFilters) state[f] = params.get(f) || '';

  const counts = el('ul', { class: 'counts', 'aria-label': 'Topologies per phase' });
  const select = (name, label) =>
    el('label', {}, label, el('select', { name, id: 'filter-' + name }, el('option', { value: '' }, 'all')));
  const form = el('form', { class: 'filters', role: 'search', id: 'filters' },
    el('label', {}, 'Search', el('input', { type: 'search', name: 'q', id: 'filter-q', placeholder: 'name, key or message' })),
    select('cluster', 'Cluster'), select('role', 'Role'), select('environment', 'Environment'),
    select('phase', 'Phase'),
    el('label', {}, 'Label', el('input', { type: 'text', name: 'label', id: 'filter-label', placeholder: 'team=payments', size: 14 })));
  const summary = el('p', { class: 'muted', id: 'overview-summary', 'aria-live': 'polite' });
  const body = el('tbody');
  const table = el('table', { id: 'overview-table' },
    el('caption', { class: 'visually-hidden' }, 'Topologies, problems first'),
    el('thead', {}, el('tr', {}, ['Topology', 'Cluster', 'Role', 'Environment', 'Phase', 'Ready', 'Revision',
      'Source revision', 'In phase', 'Message'].map((h) => el('th', { scope: 'col', class: ['Ready', 'Revision'].includes(h) ? 'num' : null }, h)))),
    body);
  const prev = el('button', { type: 'button', id: 'page-prev' }, '← Previous');
  const next = el('button', { type: 'button', id: 'page-next' }, 'Next →');
  const pageInfo = el('span', { class: 'muted' });
  main.append(el('h1', {}, 'Topologies'), counts, form, summary, table, el('nav', { class: 'pager', 'aria-label': 'Pages' }, prev, pageInfo, next));

  for (const f of kFilters) form.elements[f].value = state[f];

  let version = 0;
  let pending = null;
  const load = async () => {
    const query = new URLSearchParams();
    for (const f of kFilters) if (state[f]) query.set(f, state[f]);
    if (state.offset) query.set('offset', state.offset);
    const shown = query.toString();
    history.replaceState(null, '', '/' + (shown ? '?' + shown : ''));
    query.set('limit', kPageSize);
    const o = await api('/api/v1/overview?' + query.toString(), { signal: aborter.signal });
    if (gen !== generation) return o;
    version = o.resourceVersion;
    drawCounts(o);
    drawChoices(o);
    body.replaceChildren(...o.rows.map(row));
    const to = Math.min(o.matched, o.offset + o.rows.length);
    summary.textContent = o.matched === o.total
      ? o.total + ' topologies'
      : o.matched + ' of ' + o.total + ' topologies match';
    pageInfo.textContent = o.matched ? 'rows ' + (o.offset + 1) + '–' + to + ' of ' + o.matched : 'nothing matches';
    prev.disabled = o.offset === 0;
    next.disabled = to >= o.matched;
    return o;
  };
  // Several changes in a burst load the page once, and a page is loaded at most every two
  // seconds: at 10,000 topologies the controller takes ~100 ms to build one, and many open tabs
  // during a mass change would otherwise keep it busy.
  let lastLoad = 0;
  const reload = () => {
    if (pending) return pending;
    const wait = Math.max(200, lastLoad + 2000 - Date.now());
    pending = sleep(wait).then(() => { lastLoad = Date.now(); return load(); }).finally(() => { pending = null; });
    return pending;
  };

  const drawCounts = (o) => {
    const phases = Object.keys(o.counts).sort((a, b) => rank(a) - rank(b));
    counts.replaceChildren(...phases.map((p) => el('li', {}, el('button', {
      type: 'button', 'aria-pressed': state.phase === p ? 'true' : 'false', 'data-phase': p,
      onclick: () => { state.phase = state.phase === p ? '' : p; form.elements.phase.value = state.phase; state.offset = 0; load(); },
    }, phaseBadge(p), ' ', String(o.counts[p])))));
  };
  const drawChoices = (o) => {
    const lists = { cluster: o.clusters, role: o.roles, environment: o.environments, phase: Object.keys(o.counts) };
    for (const [name, values] of Object.entries(lists)) {
      const s = form.elements[name];
      const have = [...s.options].map((x) => x.value).slice(1).join('\n');
      if (have === values.join('\n')) continue;
      s.replaceChildren(el('option', { value: '' }, 'all'), ...values.map((v) => el('option', { value: v }, v)));
      s.value = state[name];
    }
  };

  let typing = null;
  form.addEventListener('input', (e) => {
    const name = e.target.name;
    state[name] = e.target.value;
    state.offset = 0;
    clearTimeout(typing);
    typing = setTimeout(load, e.target.tagName === 'SELECT' ? 0 : 250);
  });
  form.addEventListener('submit', (e) => e.preventDefault());
  prev.addEventListener('click', () => { state.offset = Math.max(0, state.offset - kPageSize); load(); });
  next.addEventListener('click', () => { state.offset += kPageSize; load(); });

  load().then(() => {
    setLive(true);
    watch(gen, '/api/v1/topologies?keys=true', version, async (a) => {
      if (follower || a.reset || (a.changed && a.changed.length) || (a.removed && a.removed.length)) await reload();
    });
  }).catch((e) => {
    setLive(false, e.message);
    summary.textContent = 'Cannot read the topologies: ' + e.message;
  });
}

const kRank = ['Failed', 'Degraded', 'RollingBack', 'OutOfSync', 'Unknown', 'Updating', 'Deploying',
  'Pending', 'Deleting', 'Paused', 'Suspended', 'Running', 'Deleted'];
const rank = (p) => (kRank.includes(p) ? kRank.indexOf(p) : 4);

function row(t) {
  return el('tr', { 'data-key': t.key, 'data-phase': t.phase },
    el('td', {}, el('a', { href: topologyPath(t.key), 'data-nav': true }, t.name),
      el('div', { class: 'muted mono' }, t.key)),
    el('td', {}, t.cluster), el('td', {}, t.role), el('td', {}, t.environment),
    el('td', { class: 'phase-cell' }, phaseBadge(t.phase), t.suspended && t.phase !== 'Suspended' ? ' (suspended)' : ''),
    el('td', { class: 'num' }, t.instances ? t.ready + '/' + t.instances : '—'),
    el('td', { class: 'num' }, t.revision ?? '—'),
    el('td', { class: 'mono' }, short(t.sourceRevision) || '—'),
    el('td', { 'data-since': t.phaseSinceMs || 0 }, ago(t.phaseSinceMs)),
    el('td', {}, t.sourceError ? 'source error: ' + t.sourceError : t.message));
}

// ---- a topology's page ------------------------------------------------------------------

// What the page keeps across its redraws (each watch answer redraws it).
const pageState = { diffA: null, diffB: null, diff: null };

function showTopology(gen, key) {
  const main = document.getElementById('app');
  pageState.diffA = pageState.diffB = pageState.diff = null;
  let version = 0;
  api(apiPath(key), { signal: aborter.signal }).then((s) => {
    if (gen !== generation) return;
    version = s.resourceVersion;
    setLive(true);
    drawTopology(main, key, s);
    watch(gen, apiPath(key), version, async (a) => {
      if (a.changed || follower) drawTopology(main, key, a);
    });
  }).catch((e) => {
    if (gen !== generation) return;
    main.replaceChildren(el('h1', {}, key), el('p', { class: 'answer bad' }, 'Cannot read this topology: ' + e.message),
      el('p', {}, el('a', { href: '/', 'data-nav': true }, 'All topologies')));
  });
}

function appliedSpec(s) {
  const history = (s.record && s.record.history) || [];
  const v = history.find((h) => h.number === s.revision);
  return v && v.spec && v.spec.spec ? v.spec.spec : null;
}

function drawTopology(main, key, s) {
  const answer = document.getElementById('answer');
  const keptAnswer = answer ? answer.cloneNode(true) : el('div', { id: 'answer', class: 'answer', role: 'status', 'aria-live': 'polite', hidden: true });
  const spec = appliedSpec(s);
  const record = s.record || {};
  main.replaceChildren(
    el('p', {}, el('a', { href: '/', 'data-nav': true }, '← All topologies')),
    el('h1', {}, s.name, ' ', phaseBadge(s.phase, 'phase')),
    el('p', { class: 'muted mono' }, s.key),
    el('p', { id: 'message' }, s.message),
    facts(s),
    actions(key, s),
    keptAnswer,
    rollout(s, spec),
    waves(key, s.rollout),
    section('Logical plan', 'graph-title', spec ? graph(spec.topology) : el('p', { class: 'muted' }, 'No applied revision yet.')),
    section('Containers', 'containers-title', containers(s)),
    section('Conditions', 'conditions-title', conditions(record, s)),
    section('Revisions', 'history-title', revisionTable(key, s)),
    section('Events', 'events-title', events(record)));
}

function section(title, id, ...content) {
  return el('section', { 'aria-labelledby': id }, el('h2', { id }, title), ...content);
}

function facts(s) {
  const dl = el('dl', { class: 'grid' });
  const add = (k, v) => dl.append(el('dt', {}, k), el('dd', {}, v));
  add('Cluster / role / environment', s.cluster + ' / ' + s.role + ' / ' + s.environment);
  add('Revision', s.revision ? String(s.revision) + (s.stableRevision ? ' (last stable ' + s.stableRevision + ')' : '') : '—');
  add('Source revision', el('span', { class: 'mono' }, s.sourceRevision || '—'));
  add('In sync with the source', s.desiredSpecHash && s.desiredSpecHash === s.appliedSpecHash ? 'yes' : 'no (' + (s.desiredSpecHash ? 'source has ' + short(s.desiredSpecHash) : 'not in any source') + ')');
  add('In this phase for', el('span', { 'data-since': s.phaseSinceMs || 0 }, ago(s.phaseSinceMs)));
  add('Suspended', s.suspended ? 'yes' : 'no');
  if (s.pinnedRevision) add('Pinned to revision', String(s.pinnedRevision));
  if (s.heron) add('Heron topology id', el('span', { class: 'mono' }, s.heron.topologyId || '—'));
  return dl;
}

function actions(key, s) {
  const bar = el('div', { class: 'actions', role: 'group', 'aria-label': 'Actions' });
  if (s.suspended) {
    bar.append(el('button', { type: 'button', id: 'btn-resume', onclick: () => act(key, 'resume', null, 'Resume ' + key + '? The controller converges it again.') }, 'Resume'));
  } else {
    bar.append(el('button', { type: 'button', id: 'btn-suspend', onclick: () => act(key, 'suspend', null, 'Suspend ' + key + '? The controller stops acting on it (nothing is killed).') }, 'Suspend'));
  }
  bar.append(el('button', { type: 'button', id: 'btn-sync', onclick: () => act(key, 'sync', null, 'Look at ' + key + ' now?') }, 'Sync now'));
  const failed = (s.failedSpecHashes || []).includes(s.desiredSpecHash);
  bar.append(el('button', { type: 'button', id: 'btn-retry', disabled: !failed && s.phase !== 'Failed',
    onclick: () => act(key, 'retry', null, 'Retry the failed revision ' + short(s.desiredSpecHash) + ' of ' + key + '?') }, 'Retry failed revision'));
  const instances = (s.instances || []).map((i) => i.id);
  if (instances.length) {
    const which = el('select', { id: 'restart-which', 'aria-label': 'Container to restart' },
      ...instances.map((i) => el('option', { value: i }, 'container ' + i + (i === 0 ? ' (topology manager)' : ''))));
    bar.append(which, el('button', { type: 'button', id: 'btn-restart', class: 'danger',
      onclick: () => act(key, 'restart', { containers: [Number(which.value)] }, 'Restart container ' + which.value + ' of ' + key + ' in place?') }, 'Restart container'));
  }
  return bar;
}

function rollout(s, spec) {
  const all = s.instances || [];
  const updated = all.filter((i) => i.current && i.state === 'RUNNING').length;
  const failed = all.filter((i) => !i.current && (i.state === 'FAILED' || i.failures > 0)).length;
  const moving = ['Updating', 'Deploying', 'RollingBack'].includes(s.phase);
  if (!moving && updated === all.length) return el('div', { id: 'rollout', hidden: true });
  const update = (spec && spec.update) || {};
  const record = s.record || {};
  const deadline = record.rolloutStartedMs && update.progressDeadlineSeconds
    ? record.rolloutStartedMs + update.progressDeadlineSeconds * 1000 : 0;
  const dl = el('dl', { class: 'grid' });
  const add = (k, v) => dl.append(el('dt', {}, k), el('dd', {}, v));
  add('Instances updated', el('span', { id: 'rollout-updated' }, updated + ' of ' + all.length));
  add('Pending', String(all.length - updated - failed));
  add('Failed', String(failed));
  if (update.batchSize) add('Batch size', String(update.batchSize));
  add('Time in phase', el('span', { 'data-since': s.phaseSinceMs || 0 }, ago(s.phaseSinceMs)));
  if (deadline) add('Deadline', when(deadline) + (Date.now() > deadline ? ' (passed)' : ''));
  return section('Rollout', 'rollout-title',
    el('div', { id: 'rollout' }, el('progress', { max: all.length || 1, value: updated, 'aria-label': 'Instances updated' }), dl));
}

// A placement's rollout across its clusters (docs/operations.md, "Progressive rollout"): one row
// per wave, each cluster with the revision it runs, and halt / promote for the whole rollout.
const kWaveStageClass = { Done: 'p-ok', Soaking: 'p-busy', Rolling: 'p-busy', Waiting: 'p-idle', Halted: 'p-bad' };

function clusterState(c) {
  if (c.reachable === false) return 'unreachable';
  if (!c.revision) return 'not in any source';
  if (c.failed) return 'failed ' + short(c.revision);
  if (c.stable === c.revision) return 'stable on ' + short(c.revision) + (c.soakWaived ? ' (soak skipped)' : '');
  if (c.applied === c.revision) return 'rolling ' + short(c.revision);
  return c.applied ? 'runs ' + short(c.applied) + ', not yet ' + short(c.revision) : 'waits for ' + short(c.revision);
}

function waves(key, r) {
  if (!r) return el('div', { id: 'waves', hidden: true });
  const summary = r.complete ? 'Complete: every wave is stable and has soaked.'
    : r.halted ? 'Halted at wave ' + r.haltedWave + ': ' + r.haltReason
    : 'Wave ' + r.currentWave + ' of ' + r.waves.length + '.';
  const body = el('tbody');
  for (const w of r.waves) {
    const list = el('ul', { class: 'plain' }, ...w.clusters.map((c) => el('li', { 'data-cluster': c.cluster, 'data-revision': c.revision || '' },
      el('a', { href: topologyPath(c.cluster + '/' + r.role + '/' + r.environment + '/' + r.name), 'data-nav': true }, c.cluster),
      ': ', clusterState(c))));
    const detail = w.soakedMs ? w.detail + ' (until ' + when(w.soakedMs) + ')' : w.detail;
    body.append(el('tr', { 'data-wave': w.wave, 'data-stage': w.stage },
      el('td', { class: 'num' }, String(w.wave)),
      el('td', {}, el('span', { class: 'phase ' + (kWaveStageClass[w.stage] || 'p-idle') }, w.stage)),
      el('td', {}, list), el('td', {}, detail || '')));
  }
  const bar = el('div', { class: 'actions', role: 'group', 'aria-label': 'Rollout actions' },
    el('button', { type: 'button', id: 'btn-halt', disabled: r.complete || r.halted,
      onclick: () => act(key, 'halt', null, 'Halt the rollout of ' + r.name + '? Waves not yet started hold until a promote or a new spec.') }, 'Halt rollout'),
    el('button', { type: 'button', id: 'btn-promote', disabled: r.complete || (r.halted && r.failed),
      onclick: () => act(key, 'promote', null, 'Promote the rollout of ' + r.name + '? The current wave skips the rest of its soak and an operator\'s halt ends.') }, 'Promote'));
  return section('Waves', 'waves-title', el('div', { id: 'waves' },
    el('p', { id: 'waves-summary' }, summary),
    el('p', { class: 'muted' }, 'Soak ' + r.soakSeconds + ' s per wave; on a failure: ' + r.onFailure + '.'),
    bar,
    el('table', { 'aria-labelledby': 'waves-title' },
      el('thead', {}, el('tr', {}, el('th', { class: 'num' }, 'Wave'), el('th', {}, 'Stage'), el('th', {}, 'Clusters'), el('th', {}, 'Waits for'))),
      body)));
}

// The logical plan: spouts and bolts in columns by their distance from a spout, streams as
// arrows labelled with their grouping.
function graph(topology) {
  const components = [...(topology.spouts || []).map((c) => ({ ...c, kind: 'spout' })),
    ...(topology.bolts || []).map((c) => ({ ...c, kind: 'bolt' }))];
  const streams = topology.streams || [];
  const depth = new Map(components.map((c) => [c.id, c.kind === 'spout' ? 0 : -1]));
  for (let round = 0; round < components.length; ++round) {  // longest path, cycles bounded
    for (const st of streams) {
      const d = depth.get(st.from);
      if (d >= 0 && depth.has(st.to) && depth.get(st.to) < d + 1 && st.from !== st.to) depth.set(st.to, d + 1);
    }
  }
  for (const [id, d] of depth) if (d < 0) depth.set(id, 0);
  const columns = [];
  for (const c of components) (columns[depth.get(c.id)] ||= []).push(c);
  const W = 170, H = 46, gapX = 90, gapY = 28, pad = 16;
  const pos = new Map();
  columns.forEach((col, x) => col.forEach((c, y) => pos.set(c.id, { x: pad + x * (W + gapX), y: pad + y * (H + gapY) })));
  const width = pad * 2 + columns.length * (W + gapX) - gapX;
  const height = pad * 2 + Math.max(1, ...columns.map((c) => c.length)) * (H + gapY) - gapY + 20;
  const root = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img',
    'aria-label': `Logical plan: ${components.length} components, ${streams.length} streams` });
  root.append(svg('defs', {}, svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
    svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#59636e' }))));
  const seen = new Map();
  for (const st of streams) {
    const a = pos.get(st.from), b = pos.get(st.to);
    if (!a || !b) continue;
    const n = seen.get(st.from + '>' + st.to) || 0;
    seen.set(st.from + '>' + st.to, n + 1);
    const grouping = st.grouping || {};
    const label = (grouping.type || '').toLowerCase() + (grouping.args && grouping.args.length ? ' (' + grouping.args.join(', ') + ')' : '') +
      (grouping.streamId && grouping.streamId !== 'default' ? ' · ' + grouping.streamId : '');
    let d, lx, ly;
    if (st.from === st.to) {
      d = `M ${a.x + W - 30} ${a.y} C ${a.x + W} ${a.y - 40}, ${a.x + W + 40} ${a.y}, ${a.x + W} ${a.y + 14}`;
      lx = a.x + W + 6; ly = a.y - 14;
    } else {
      const x1 = a.x + W, y1 = a.y + H / 2 + n * 8, x2 = b.x, y2 = b.y + H / 2 + n * 8;
      const mid = (x1 + x2) / 2;
      d = `M ${x1} ${y1} C ${mid} ${y1}, ${mid} ${y2}, ${x2} ${y2}`;
      lx = mid; ly = (y1 + y2) / 2 - 4 + n * 12;
    }
    root.append(svg('g', { class: 'edge', 'data-from': st.from, 'data-to': st.to, 'data-grouping': grouping.type || '' },
      svg('title', { text: `${st.from} → ${st.to}: ${label}` }),
      svg('path', { d, 'marker-end': 'url(#arrow)' }),
      svg('text', { x: lx, y: ly, 'text-anchor': 'middle', text: label })));
  }
  for (const c of components) {
    const p = pos.get(c.id);
    root.append(svg('g', { class: 'node ' + c.kind, 'data-component': c.id, 'data-parallelism': c.parallelism },
      svg('title', { text: `${c.kind} ${c.id} (${c.className || ''}), parallelism ${c.parallelism}` }),
      svg('rect', { x: p.x, y: p.y, width: W, height: H, rx: 6 }),
      svg('text', { x: p.x + 10, y: p.y + 19, text: c.id.length > 22 ? c.id.slice(0, 21) + '…' : c.id }),
      svg('text', { x: p.x + 10, y: p.y + 36, text: `${c.kind} × ${c.parallelism}` })));
  }
  return el('div', { class: 'graph', id: 'graph' }, root);
}

function containers(s) {
  const packing = new Map((s.containers || []).map((c) => [c.id, c.instances]));
  const body = el('tbody');
  for (const i of s.instances || []) {
    const heron = packing.get(i.id) || [];
    body.append(el('tr', { 'data-instance': i.id, 'data-task-id': i.taskId },
      el('td', { class: 'num' }, String(i.id)),
      el('td', {}, i.id === 0 ? 'topology manager' : heron.map((h) => h.component + '#' + h.taskId).join(', ') || '—'),
      el('td', { class: 'mono' }, i.taskId),
      el('td', {}, i.host || '—'),
      el('td', {}, i.state),
      el('td', { 'data-since': i.runningSinceMs || 0 }, ago(i.runningSinceMs)),
      el('td', { class: 'num' }, String(i.failures)),
      el('td', {}, i.current ? 'yes' : 'no')));
  }
  if (!body.children.length) return el('p', { class: 'muted' }, 'Aurora runs no instance of this job.');
  return el('table', { id: 'containers' },
    el('thead', {}, el('tr', {}, ['Container', 'Heron instances', 'Aurora task', 'Host', 'State', 'Running for', 'Failures', 'Runs the applied revision']
      .map((h) => el('th', { scope: 'col' }, h)))), body);
}

function conditions(record, s) {
  const parts = [];
  const list = record.conditions || [];
  if (list.length) {
    parts.push(el('table', { id: 'conditions' },
      el('thead', {}, el('tr', {}, ['Type', 'Status', 'Reason', 'Message', 'Since'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, ...list.map((c) => el('tr', {}, el('td', {}, c.type), el('td', {}, c.status), el('td', {}, c.reason),
        el('td', {}, c.message), el('td', {}, when(c.lastTransitionMs)))))));
  }
  const history = record.history || [];
  const failed = (s.failedSpecHashes || []).map((h) => {
    const v = history.filter((x) => x.specHash === h).pop();
    return (v ? 'revision ' + v.number + ' ' : '') + short(h);
  });
  parts.push(el('p', { id: 'failed' }, 'Failed revisions (not applied again until the spec changes or a retry): ', failed.length ? failed.join(', ') : 'none'));
  if (s.pinnedRevision) parts.push(el('p', {}, 'Pinned to revision ' + s.pinnedRevision + ' (rollout undo); a new spec clears the pin.'));
  return parts;
}

function revisionTable(key, s) {
  const list = ((s.record && s.record.history) || []).slice().reverse();
  if (!list.length) return el('p', { class: 'muted' }, 'No revision applied yet.');
  const body = el('tbody');
  for (const v of list) {
    const radio = (side) => el('input', { type: 'radio', name: 'diff-' + side, value: v.number, 'aria-label': 'Compare revision ' + v.number + ' as ' + side,
      checked: pageState['diff' + side] === v.number, onchange: () => { pageState['diff' + side] = v.number; } });
    const cause = v.source ? v.source : 'the controller (a rollback)';
    body.append(el('tr', { 'data-revision': v.number },
      el('td', { class: 'num' }, String(v.number)),
      el('td', {}, v.outcome + (v.number === s.revision ? ' (applied)' : '')),
      el('td', { class: 'mono' }, short(v.sourceRevision) || '—'),
      el('td', {}, cause, v.message ? el('div', { class: 'muted' }, v.message) : null),
      el('td', {}, when(v.appliedAtMs)),
      el('td', { class: 'num' }, seconds(v.seenMs, v.appliedAtMs)),
      el('td', { class: 'num' }, seconds(v.seenMs || v.appliedAtMs, v.runningMs)),
      el('td', { class: 'num' }, seconds(v.seenMs || v.appliedAtMs, v.stableMs)),
      el('td', {}, radio('A'), radio('B')),
      el('td', {}, v.number === s.revision ? '' : el('button', { type: 'button', 'data-rollback': v.number,
        onclick: () => act(key, 'rollback', { revision: v.number }, 'Roll ' + key + ' back to revision ' + v.number + ' and pin it there (until the spec changes)?') }, 'Roll back'))));
  }
  const table = el('table', { id: 'history' },
    el('thead', {}, el('tr', {}, ['#', 'Outcome', 'Source revision', 'Caused by', 'Applied', 'Seen → accepted', 'Seen → running', 'Seen → stable', 'Compare (A, B)', '']
      .map((h) => el('th', { scope: 'col' }, h)))), body);
  const out = el('div', { id: 'diff-out' });
  if (pageState.diff) out.append(pageState.diff);
  const button = el('button', { type: 'button', id: 'btn-diff', onclick: () => showDiff(key, out) }, 'Compare A with B');
  return [table, el('div', { class: 'actions' }, button), out];
}

async function showDiff(key, out) {
  const { diffA: a, diffB: b } = pageState;
  if (!a || !b) {
    out.replaceChildren(el('p', { class: 'answer bad' }, 'Pick a revision in column A and one in column B.'));
    return;
  }
  try {
    const [ra, rb] = await Promise.all([a, b].map((n) => api(apiPath(key) + '/revisions/' + n)));
    const lines = diffLines((ra.spec || '').split('\n'), (rb.spec || '').split('\n'));
    const changed = lines.filter((l) => l.kind !== 'same').length;
    pageState.diff = el('div', {},
      el('p', {}, `Revision ${a} → revision ${b}: ${changed} line(s) differ.`),
      el('div', { class: 'diff', id: 'diff', role: 'region', 'aria-label': 'Spec diff', tabindex: 0 },
        ...folded(lines).map((l) => el('div', { class: l.kind }, (l.kind === 'add' ? '+ ' : l.kind === 'del' ? '- ' : l.kind === 'fold' ? '' : '  ') + l.text))));
    out.replaceChildren(pageState.diff);
  } catch (e) {
    out.replaceChildren(el('p', { class: 'answer bad' }, 'Cannot compare: ' + e.message));
  }
}

// Runs of unchanged lines shown as three lines of context around each change.
function folded(lines) {
  const out = [];
  for (let i = 0; i < lines.length;) {
    if (lines[i].kind !== 'same') { out.push(lines[i++]); continue; }
    let j = i;
    while (j < lines.length && lines[j].kind === 'same') ++j;
    const head = i === 0 ? 0 : 3, tail = j === lines.length ? 0 : 3;
    if (j - i > head + tail + 1) {
      out.push(...lines.slice(i, i + head), { kind: 'fold', text: '… ' + (j - i - head - tail) + ' unchanged lines …' },
        ...lines.slice(j - tail, j));
    } else {
      out.push(...lines.slice(i, j));
    }
    i = j;
  }
  return out;
}

// A line diff by the longest common subsequence (specs are a few hundred lines).
function diffLines(a, b) {
  const n = a.length, m = b.length;
  const L = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; --i) {
    for (let j = m - 1; j >= 0; --j) L[i][j] = a[i] === b[j] ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
  }
  const out = [];
  let i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) { out.push({ kind: 'same', text: a[i] }); ++i; ++j; }
    else if (j < m && (i === n || L[i][j + 1] >= L[i + 1][j])) { out.push({ kind: 'add', text: b[j++] }); }
    else { out.push({ kind: 'del', text: a[i++] }); }
  }
  return out;
}

function events(record) {
  const list = (record.events || []).slice().reverse();
  if (!list.length) return el('p', { class: 'muted' }, 'No events.');
  return el('table', { id: 'events' },
    el('thead', {}, el('tr', {}, ['Last seen', 'Type', 'Reason', 'Message', 'Count'].map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, ...list.map((e) => el('tr', {}, el('td', {}, when(e.lastMs)), el('td', {}, e.type), el('td', {}, e.reason),
      el('td', {}, e.message), el('td', { class: 'num' }, String(e.count))))));
}

// A follower's statuses come from the stored records and its watch never wakes: the page is
// drawn anew at each watch timeout instead.
let follower = false;
api('/api/v1/leader').then((l) => {
  follower = !l.isLeader;
  document.getElementById('leader').textContent = l.isLeader ? '' : 'this controller follows ' + (l.leader || 'no leader') + ': read-only, refreshed every 30 s';
}).catch(() => {});
route();
