// The only way the UI talks to the server: the Camunda 7 REST API under /engine-rest.

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

export async function rest(method, path, { query, body } = {}) {
  const init = { method, headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(url(path, query), init);
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
