// The Gatehouse developer portal: plain ES modules, no framework and no build step, so that what
// the server ships is exactly what is reviewed here. It is only a client of the management API
// (/api/v1) and of the built-in client's token endpoint: it has no data path of its own.
// Modules: dom.js (text-only rendering), session.js (tokens and API calls), one per group of views.

import { approvalsView, userView, usersView } from './admin.js';
import { apiView, apisView } from './apis.js';
import { applicationView, applicationsView } from './applications.js';
import { auditView } from './audit.js';
import { lockoutsView } from './lockouts.js';
import { profileView } from './profile.js';
import { signUpView } from './sign-up.js';
import { signUpsView } from './sign-ups.js';
import { el, errorBox, onSubmit, show, showError, view } from './dom.js';
import { ApiError, api, go, me, onRedraw, refresh, setMe, signOut, signedIn, takeEndedNotice, tokenRequest } from './session.js';

// ---- sign in ----------------------------------------------------------------------------------

async function signInView() {
  const ended = takeEndedNotice();
  const info = await (await fetch('/api/v1/sign-in')).json();
  const box = errorBox();
  const methods = info.tokenEndpoints;
  const form = el(
    'form',
    { class: 'card narrow', 'aria-labelledby': 'sign-in-title' },
    el('h1', { id: 'sign-in-title' }, 'Sign in'),
    ended ? el('p', { class: 'notice', role: 'status', id: 'session-ended' }, 'Your session has ended: you were signed out, perhaps by an administrator or a password change. Please sign in again.') : null,
    methods.length > 1
      ? el('label', {}, 'Sign in with', el('select', { name: 'method' }, methods.map((m, i) => el('option', { value: i }, m.name))))
      : null,
    el('label', {}, 'Email or username', el('input', { name: 'username', autocomplete: 'username', required: true })),
    el('label', {}, 'Password', el('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true })),
    box,
    el('button', { type: 'submit' }, 'Sign in'),
    info.signUp !== 'closed' ? el('p', {}, 'New here? ', el('a', { href: '#/sign-up', id: 'sign-up-link' }, 'Create an account')) : null,
  );
  onSubmit(form, box, async () => {
    const data = new FormData(form);
    const method = methods[Number(data.get('method') ?? 0)];
    // The pathname only: same origin whatever host name the server saw.
    const url = new URL(method.url).pathname;
    await tokenRequest(url, { grant_type: 'password', username: data.get('username'), password: data.get('password') });
    await go(!location.hash || location.hash === '#/' ? '#/apis' : location.hash);
  });
  show(form);
  form.querySelector('input[name=username]').focus();
}

// ---- routing ----------------------------------------------------------------------------------

function chrome() {
  const known = me !== null;
  document.getElementById('nav').hidden = !known;
  document.getElementById('sign-out').hidden = !known;
  document.getElementById('nav-approvals').hidden = !(known && (me.admin || me.approverOf.length > 0));
  for (const id of ['nav-users', 'nav-sign-ups', 'nav-lockouts', 'nav-audit']) document.getElementById(id).hidden = !(known && me.admin);
  document.getElementById('who').textContent = known ? (me.name ?? me.email ?? me.username ?? '') : '';
  for (const link of document.querySelectorAll('#nav a')) {
    if (location.hash.startsWith(link.getAttribute('href'))) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

/** A page the signed-in user may not see: said plainly, not as a failure. */
function noAccessView(error) {
  show(
    el('h1', {}, 'No access'),
    el('p', { class: 'lead', id: 'no-access' }, 'You don’t have access to this page. ', error.message ? `(${error.message})` : ''),
    el('p', {}, el('a', { href: '#/apis' }, 'Back to the APIs')),
  );
}

async function route() {
  try {
    if (!signedIn() && !(await refresh())) {
      setMe(null);
      chrome();
      return await (location.hash === '#/sign-up' ? signUpView() : signInView());
    }
    if (!me) setMe(await api('GET', '/users/me'));
    chrome();
    const [, section, id] = location.hash.split('/').map(decodeURIComponent);
    if (section === 'apis' && id) await apiView(id);
    else if (section === 'applications' && id) await applicationView(id);
    else if (section === 'applications') await applicationsView();
    else if (section === 'approvals') await approvalsView();
    else if (section === 'users' && id) await userView(id);
    else if (section === 'users') await usersView();
    else if (section === 'audit') await auditView();
    else if (section === 'lockouts') await lockoutsView();
    else if (section === 'sign-ups') await signUpsView();
    else if (section === 'profile') await profileView();
    else await apisView();
    view.focus({ preventScroll: true });
  } catch (error) {
    if (error instanceof ApiError && !signedIn()) return; // already back at the sign-in form
    if (error instanceof ApiError && error.status === 403) return noAccessView(error);
    const box = errorBox();
    showError(box, error);
    // A link to something deleted meanwhile is not a failure of the portal.
    show(el('h1', {}, error instanceof ApiError && error.status === 404 ? 'Not found' : 'Something went wrong'), box, el('p', {}, el('a', { href: '#/apis' }, 'Back to the APIs')));
  } finally {
    // A new view starts at its top, as a new page would.
    window.scrollTo(0, 0);
  }
}

document.getElementById('sign-out').addEventListener('click', () => signOut());
// The skip link moves focus to the view; following its href would change the hash, which routes.
document.querySelector('a.skip').addEventListener('click', (event) => {
  event.preventDefault();
  view.focus();
});
window.addEventListener('hashchange', () => route());
onRedraw(route);
route();

