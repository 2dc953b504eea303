// Who the Tasklist acts as. There is no login yet (authentication is a separate issue): the
// user and groups are chosen in the top bar and remembered in this browser.
const KEY = 'cadenza.identity';

export function identity() {
  try {
    const stored = JSON.parse(localStorage.getItem(KEY) || 'null');
    if (stored && typeof stored.user === 'string') return { user: stored.user, groups: stored.groups || [] };
  } catch { /* fall through to the default */ }
  return { user: 'demo', groups: ['accounting'] };
}

export function saveIdentity(user, groups) {
  localStorage.setItem(KEY, JSON.stringify({ user, groups }));
}
