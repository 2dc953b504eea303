// Small DOM helpers: an element builder, toasts, pagination, progress, dates.

export function h(tag, attrs, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === 'class') {
      element.className = value;
    } else if (name === 'value' || name === 'checked' || name === 'disabled' || name === 'selected') {
      element[name] = value;
    } else if (name === 'dataset') {
      Object.assign(element.dataset, value);
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replace(target, ...children) {
  target.replaceChildren();
  append(target, children);
  return target;
}

export function toast(message, kind = 'info') {
  const box = document.getElementById('toasts');
  const item = h('div', { class: `toast ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, message);
  box.append(item);
  setTimeout(() => item.remove(), kind === 'error' ? 8000 : 3500);
}

/** Run an action from a button: disable it meanwhile, toast errors, return the result. */
export async function act(button, action, success) {
  if (button) button.disabled = true;
  try {
    const result = await action();
    if (success) toast(success);
    return result;
  } catch (error) {
    toast(error.message || String(error), 'error');
    return undefined;
  } finally {
    if (button && button.isConnected) button.disabled = false;
  }
}

export function errorBox(error) {
  return h('div', { class: 'panel error-text', role: 'alert' }, `Could not load: ${error.message || error}`);
}

/** "Showing 21–40 of 134" with previous/next buttons; onPage(firstResult). */
export function pager(first, size, total, onPage) {
  const last = Math.min(first + size, total);
  return h('div', { class: 'pager', 'data-testid': 'pager' },
    h('span', { class: 'total' }, total === 0 ? 'No results' : `Showing ${first + 1}–${last} of ${total}`),
    h('button', { class: 'small', disabled: first === 0, onclick: () => onPage(Math.max(0, first - size)) }, '‹ Previous'),
    h('button', { class: 'small', disabled: last >= total, onclick: () => onPage(first + size) }, 'Next ›'));
}

export function progressBar() {
  const fill = h('div', { style: 'width:0%' });
  const label = h('span', { class: 'muted' });
  const element = h('div', { class: 'actions', 'data-testid': 'progress' }, h('div', { class: 'progress' }, fill), label);
  return {
    element,
    update(done, total, failed) {
      fill.style.width = `${total ? Math.round((done / total) * 100) : 100}%`;
      label.textContent = `${done} / ${total} done${failed ? `, ${failed} failed` : ''}`;
    },
  };
}

export function formatDate(value) {
  if (!value) return '';
  const date = new Date(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(date.getTime()) ? value : date.toLocaleString();
}

export function shortId(id) {
  return id && id.length > 13 ? `${id.slice(0, 8)}…` : id;
}

export function queryOf(hash) {
  const index = hash.indexOf('?');
  return new URLSearchParams(index >= 0 ? hash.slice(index + 1) : '');
}

export function setQuery(path, params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '' && value !== false) search.set(name, String(value));
  }
  const text = search.toString();
  location.hash = `${path}${text ? `?${text}` : ''}`;
}

/** Run up to `limit` promises at a time over items, calling onDone after each. */
export async function inParallel(items, limit, work, onDone) {
  let next = 0;
  async function worker() {
    while (next < items.length) {
      const item = items[next++];
      let ok = true;
      try { await work(item); } catch (error) { ok = false; onDone(item, error); continue; }
      if (ok) onDone(item, null);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
