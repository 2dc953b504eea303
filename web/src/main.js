// Cadenza Cockpit + Tasklist: a hash-routed single page over the Camunda REST API.
import { definitionPage } from './pages/definition.js';
import { incidentsPage } from './pages/incidents.js';
import { instancePage } from './pages/instance.js';
import { instancesPage } from './pages/instances.js';
import { processesPage } from './pages/processes.js';
import { tasksPage } from './pages/tasks.js';
import { loginPage } from './pages/login.js';
import { identity, saveIdentity, useSessionIdentity } from './identity.js';
import { goToLogin, loadSession, logOut } from './session.js';
import { errorBox, queryOf, replace } from './ui.js';

const ROUTES = [
  [/^\/?$/, 'processes', () => processesPage],
  [/^\/processes$/, 'processes', () => processesPage],
  [/^\/processes\/([^/?]+)$/, 'processes', () => definitionPage],
  [/^\/instances$/, 'instances', () => instancesPage],
  [/^\/instances\/([^/?]+)$/, 'instances', () => instancePage],
  [/^\/incidents$/, 'incidents', () => incidentsPage],
  [/^\/tasks$/, 'tasks', () => tasksPage],
  [/^\/tasks\/([^/?]+)$/, 'tasks', () => tasksPage],
];

let cleanup = null;
let generation = 0;

async function render() {
  const hash = location.hash.replace(/^#/, '') || '/';
  const path = hash.split('?')[0];
  const query = queryOf(hash);
  const page = document.getElementById('page');
  if (cleanup) { cleanup(); cleanup = null; }
  const current = ++generation;
  const match = ROUTES.map(([pattern, section, load]) => [path.match(pattern), section, load]).find(([m]) => m);
  for (const link of document.querySelectorAll('.topbar nav a')) {
    link.classList.toggle('active', Boolean(match) && link.dataset.section === match[1]);
  }
  if (!match) {
    replace(page, errorBox(new Error(`No page at ${path}`)));
    return;
  }
  const [found, , load] = match;
  const view = load();
  const container = document.createElement('div');
  replace(page, container);
  try {
    const result = await view(container, { params: found.slice(1).map(decodeURIComponent), query, path, isCurrent: () => current === generation });
    if (current === generation && typeof result === 'function') cleanup = result;
    else if (typeof result === 'function') result();
  } catch (error) {
    if (current === generation) replace(container, errorBox(error));
  }
}

function setUpIdentity() {
  const user = document.getElementById('identity-user');
  const groups = document.getElementById('identity-groups');
  const current = identity();
  user.value = current.user;
  groups.value = current.groups.join(',');
  const changed = () => {
    saveIdentity(user.value.trim(), groups.value.split(',').map((g) => g.trim()).filter(Boolean));
    if ((location.hash || '').startsWith('#/tasks')) render();
  };
  user.addEventListener('change', changed);
  groups.addEventListener('change', changed);
  document.getElementById('identity').addEventListener('submit', (event) => { event.preventDefault(); changed(); });
}

/** Logged in: the Tasklist acts as the session's user and groups, shown read-only. */
function showSession(who) {
  useSessionIdentity(who.userId, who.groups || []);
  const form = document.getElementById('identity');
  form.title = 'The logged-in user and groups the Tasklist acts as';
  for (const [id, value] of [['identity-user', who.userId], ['identity-groups', (who.groups || []).join(',')]]) {
    const input = document.getElementById(id);
    input.value = value;
    input.readOnly = true;
  }
  form.addEventListener('submit', (event) => event.preventDefault());
  const box = document.getElementById('session');
  box.querySelector('[data-testid=current-user]').textContent = who.userId;
  box.hidden = false;
  const button = document.getElementById('logout');
  button.addEventListener('click', () => { button.disabled = true; logOut(); });
}

async function start() {
  const page = document.getElementById('page');
  if (location.pathname === '/login') {
    document.body.classList.add('logged-out');
    try { await loginPage(page); } catch (error) { replace(page, errorBox(error)); }
    return;
  }
  let who;
  try { who = await loadSession(); } catch (error) { replace(page, errorBox(error)); return; }
  if (!who) { goToLogin(); return; }
  if (who.authenticationEnabled) showSession(who);
  else setUpIdentity();
  window.addEventListener('hashchange', render);
  render();
}

window.addEventListener('DOMContentLoaded', start);
