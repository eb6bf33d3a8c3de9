// The signed-in user's own page: who they are, and changing their own password (the current one
// is required: a session left open must not be enough to take the account over). The server
// ends every login of the account on a password change, this one included.

import { confirmAction, el, errorBox, guarded, onSubmit, show, tableScroll, when } from './dom.js';
import { api, forget, me } from './session.js';

export async function profileView() {
  const user = await api('GET', '/users/me');
  const consents = await api('GET', `/users/${encodeURIComponent(user.id)}/consents?limit=500`);
  const box = errorBox();
  const local = user.authMethod === 'local';
  const form = el(
    'form',
    { class: 'card', 'aria-labelledby': 'password-title' },
    el('h2', { id: 'password-title' }, 'Change your password'),
    el('p', { class: 'help' }, 'All your sign-ins end, here and in every app: sign in again with the new password.'),
    el('label', {}, 'Current password', el('input', { name: 'currentPassword', type: 'password', autocomplete: 'current-password', required: true })),
    el('label', {}, 'New password', el('input', { name: 'password', type: 'password', autocomplete: 'new-password', required: true, minlength: 8 }), el('span', { class: 'help' }, 'At least 8 characters.')),
    el('label', {}, 'New password again', el('input', { name: 'confirm', type: 'password', autocomplete: 'new-password', required: true })),
    box,
    el('button', { type: 'submit' }, 'Change password'),
  );
  onSubmit(form, box, async () => {
    const data = new FormData(form);
    if (data.get('password') !== data.get('confirm')) throw new Error('The two new passwords differ.');
    await api('PUT', `/users/${encodeURIComponent(me.id)}/password`, { currentPassword: data.get('currentPassword'), password: data.get('password') });
    forget();
    document.getElementById('nav').hidden = true;
    document.getElementById('sign-out').hidden = true;
    document.getElementById('who').textContent = '';
    show(el('section', { class: 'card narrow', role: 'status', id: 'password-changed' }, el('h1', {}, 'Password changed'), el('p', {}, 'Your sign-ins have ended. Sign in again with your new password.'), el('p', {}, el('a', { href: '#/' }, 'Sign in'))));
  });
  show(
    el('h1', {}, 'Your profile'),
    el(
      'dl',
      { class: 'facts', id: 'profile' },
      el('dt', {}, 'Name'),
      el('dd', {}, user.name ?? '—'),
      el('dt', {}, 'Email'),
      el('dd', {}, user.email ?? '—'),
      user.username ? [el('dt', {}, 'Username'), el('dd', {}, user.username)] : null,
      el('dt', {}, 'Roles'),
      el('dd', {}, [user.admin ? 'admin' : null, user.approverOf.length ? `approver of ${user.approverOf.join(', ')}` : null].filter(Boolean).join('; ') || 'developer'),
      el('dt', {}, 'Password last changed'),
      el('dd', {}, user.passwordChangedAt ? when(user.passwordChangedAt) : '—'),
    ),
    local ? form : el('p', { class: 'help' }, `Your password is kept by ${user.authMethod}: change it there.`),
    consentsSection(user.id, consents.items),
  );
}

/**
 * The applications the user allowed, on the sign-in page's consent step, to act for them. Revoking
 * one ends the logins it allowed at once, and the application's next sign-in asks again.
 */
function consentsSection(userId, consents) {
  const box = errorBox();
  const revoke = (consent, appName) =>
    guarded(box, async () => {
      const sure = await confirmAction({
        title: `Stop allowing ${appName}?`,
        message: `${appName} can no longer act for you on ${consent.apiName ?? consent.apiId}: your logins through it end at once, and it must ask you again before you can sign in to it.`,
        confirm: 'Revoke',
      });
      if (!sure) return;
      await api('DELETE', `/users/${encodeURIComponent(userId)}/consents/${encodeURIComponent(consent.subscriptionId)}`);
      await profileView();
    });
  const rows = consents.map((consent) => {
    const appName = consent.applicationName ?? consent.applicationId;
    return el(
      'tr',
      { 'data-subscription': consent.subscriptionId },
      el('td', { class: 'application-name' }, appName),
      el('td', { class: 'api-name' }, consent.apiName ?? consent.apiId),
      el('td', {}, el('code', {}, consent.scope || '—')),
      el('td', {}, when(consent.grantedAt)),
      el('td', {}, el('button', { type: 'button', class: 'danger', 'aria-label': `Revoke ${appName}`, onclick: revoke(consent, appName) }, 'Revoke')),
    );
  });
  return el(
    'section',
    { 'aria-labelledby': 'consents-title', id: 'consents' },
    el('h2', { id: 'consents-title' }, 'Apps you allowed'),
    el('p', { class: 'help' }, 'Applications you let act for you when you signed in to them. Revoking one signs you out of it everywhere.'),
    consents.length
      ? tableScroll(
          el('table', { id: 'consent-list' }, el('thead', {}, el('tr', {}, ['Application', 'API', 'Scope', 'Allowed', 'Actions'].map((h) => el('th', { scope: 'col' }, h)))), el('tbody', {}, rows)),
          'Apps you allowed',
        )
      : el('p', { id: 'no-consents' }, 'You have not allowed any application to act for you.'),
    box,
  );
}
