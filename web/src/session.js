// The login session (only when Cadenza runs with authentication on). The server keeps the
// session in an HttpOnly cookie the page cannot read; every unsafe REST call repeats the
// readable XSRF-TOKEN cookie in the X-XSRF-TOKEN header (CSRF protection).
const SESSION = '/api/session';
const HEADERS = { Accept: 'application/json', 'X-Requested-With': 'XMLHttpRequest' };
const OFF = { authenticationEnabled: false, userId: null, groups: [] };

let current = null;

/** The XSRF-TOKEN cookie's value ('' before login). */
export function csrfToken() {
  for (const part of document.cookie.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === 'XSRF-TOKEN') return decodeURIComponent(value.join('='));
  }
  return '';
}

/** The last answer of loadSession(): { authenticationEnabled, userId, groups }. */
export function session() {
  return current;
}

async function answer(response) {
  const isJson = (response.headers.get('content-type') || '').startsWith('application/json');
  return isJson ? response.json() : null;
}

/** Who is logged in: null when authentication is on and nobody is (log in first). */
export async function loadSession() {
  const response = await fetch(SESSION, { headers: HEADERS, credentials: 'same-origin' });
  if (response.status === 401) { current = null; return null; }
  const body = response.ok ? await answer(response) : null;
  // an older server without /api/session answers with the page itself: no login there
  current = body && typeof body === 'object' ? body : OFF;
  return current;
}

export async function logIn(username, password) {
  const response = await fetch(SESSION, {
    method: 'POST',
    headers: { ...HEADERS, 'Content-Type': 'application/json' },
    credentials: 'same-origin',
    body: JSON.stringify({ username, password }),
  });
  const body = await answer(response);
  if (!response.ok) throw new Error((body && body.message) || `Login failed (HTTP ${response.status})`);
  current = body;
  return body;
}

export async function logOut() {
  await fetch(SESSION, { method: 'DELETE', headers: { ...HEADERS, 'X-XSRF-TOKEN': csrfToken() }, credentials: 'same-origin' });
  current = null;
  location.assign('/login');
}

/** Where to go after login: only a hash route of this page (never another site). */
export function safeNext(value) {
  return typeof value === 'string' && /^#\/[^\s\\]*$/.test(value) ? value : '#/processes';
}

/** Leave for the login page, coming back to the current page afterwards. */
export function goToLogin() {
  if (location.pathname === '/login') return;
  const next = location.hash && location.hash !== '#' ? `?next=${encodeURIComponent(location.hash)}` : '';
  location.assign(`/login${next}`);
}
