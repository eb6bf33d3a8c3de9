// The signed-in user's own page: who they are, and changing their own password (the current one
// is required: a session left open must not be enough to take the account over). The server
// ends every login of the account on a password change, this one included.

import { el, errorBox, onSubmit, show, when } from './dom.js';
import { api, forget, me } from './session.js';

export async function profileView() {
  const user = await api('GET', '/users/me');
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
  );
}
