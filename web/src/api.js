// The only way the UI talks to the server: the Camunda 7 REST API under /engine-rest (plus
// /api/session for the login, see session.js).
import { csrfToken, goToLogin, loadSession } from './session.js';

export const ROOT = '/engine-rest';

export class RestError extends Error {
  constructor(status, body) {
    const message = body && typeof body === 'object' && body.message
      ? body.message
      : `HTTP ${status}${typeof body === 'string' && body ? `: ${body}` : ''}`;
    super(message);
    this.status = status;
    this.type = body && typeof body === 'object' ? body.type : undefined;
  }
}

function url(path, query) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query || {})) {
    if (value === undefined || value === null || value === '' || value === false) continue;
    params.set(name, Array.isArray(value) ? value.join(',') : String(value));
  }
  const search = params.toString();
  return ROOT + path + (search ? `?${search}` : '');
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

async function send(method, target, body) {
  // X-Requested-With: a 401 then comes without the Basic challenge (no browser login dialog)
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json', 'X-Requested-With': 'XMLHttpRequest' } };
  if (!SAFE.has(method)) init.headers['X-XSRF-TOKEN'] = csrfToken();
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  return fetch(target, init);
}

export async function rest(method, path, { query, body } = {}) {
  const target = url(path, query);
  let response = await send(method, target, body);
  if (response.status === 403 && response.headers.get('X-XSRF-TOKEN') === 'Required') {
    // the XSRF-TOKEN cookie went missing: asking who is logged in sets it again
    if (await loadSession()) response = await send(method, target, body);
  }
  if (response.status === 401) goToLogin();
  const text = response.status === 204 ? '' : await response.text();
  const isJson = (response.headers.get('content-type') || '').startsWith('application/json');
  let data = text;
  if (isJson && text) {
    try { data = JSON.parse(text); } catch { data = text; }
  }
  if (!response.ok) throw new RestError(response.status, data);
  return response.status === 204 ? null : data;
}

export const get = (path, query) => rest('GET', path, { query });
export const post = (path, body, query) => rest('POST', path, { body: body ?? {}, query });
export const put = (path, body) => rest('PUT', path, { body: body ?? {} });
export const del = (path, query) => rest('DELETE', path, { query });
