// The login page at /login (authentication on): user id and password, then back to the page
// the user came from.
import { loadSession, logIn, safeNext } from '../session.js';
import { h, replace } from '../ui.js';

export async function loginPage(container) {
  const next = safeNext(new URLSearchParams(location.search).get('next'));
  const who = await loadSession();
  if (who && (!who.authenticationEnabled || who.userId)) {
    location.replace(`/${who.authenticationEnabled ? next : '#/processes'}`);
    return;
  }
  const username = h('input', { name: 'username', autocomplete: 'username', required: true, autofocus: true });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const error = h('p', { class: 'error-text', role: 'alert', 'data-testid': 'login-error' });
  const submit = h('button', { class: 'primary', type: 'submit' }, 'Log in');
  const form = h('form', { class: 'form', 'data-testid': 'login-form' },
    h('label', {}, 'User id', username),
    h('label', {}, 'Password', password),
    submit,
    error);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    error.textContent = '';
    try {
      await logIn(username.value.trim(), password.value);
      location.replace(`/${next}`);
    } catch (failure) {
      error.textContent = failure.message || String(failure);
      password.value = '';
      password.focus();
    } finally {
      submit.disabled = false;
    }
  });
  replace(container,
    h('div', { class: 'panel login' },
      h('h1', {}, 'Log in to Cadenza'),
      h('p', { class: 'subtitle' }, 'Cockpit and Tasklist'),
      form));
  username.focus();
}
