// Who the Tasklist acts as. With authentication on, the logged-in user and its groups; without
// it, the user and groups chosen in the top bar and remembered in this browser.
const KEY = 'cadenza.identity';

let fromSession = null;

export function useSessionIdentity(user, groups) {
  fromSession = { user, groups: [...groups] };
}

export function identity() {
  if (fromSession) return { user: fromSession.user, groups: [...fromSession.groups] };
  try {
    const stored = JSON.parse(localStorage.getItem(KEY) || 'null');
    if (stored && typeof stored.user === 'string') return { user: stored.user, groups: stored.groups || [] };
  } catch { /* fall through to the default */ }
  return { user: 'demo', groups: ['accounting'] };
}

export function saveIdentity(user, groups) {
  localStorage.setItem(KEY, JSON.stringify({ user, groups }));
}
