// Admins: accounts that signed themselves up while portal.signUp is `approval`. They cannot
// sign in until approved; declining deletes the request (the address may sign up again).

import { confirmAction, el, errorBox, guarded, personLabel, show, when } from './dom.js';
import { api } from './session.js';

export async function signUpsView() {
  const { items } = await api('GET', '/users?pending=true&limit=500');
  const box = errorBox();
  const decide = (user, decision) =>
    guarded(box, async () => {
      const who = personLabel(user);
      const question =
        decision === 'approve'
          ? { title: `Approve ${who}?`, message: 'The account can sign in at once.', confirm: 'Approve', danger: false }
          : { title: `Decline ${who}?`, message: 'The request is deleted; the address may sign up again.', confirm: 'Decline' };
      if (!(await confirmAction(question))) return;
      await api('POST', `/users/${encodeURIComponent(user.id)}/sign-up/${decision}`);
      await signUpsView();
    });
  show(
    el('h1', {}, 'Sign-ups'),
    el('p', { class: 'lead' }, 'New accounts waiting for your approval, oldest first. Approve only people you expect: an account sees the API catalogue and can register applications.'),
    box,
    items.length
      ? el(
          'ul',
          { class: 'cards', id: 'sign-ups' },
          items.map((u) =>
            el(
              'li',
              { class: 'card', 'data-user': u.id, 'data-email': u.email },
              el('h2', {}, u.name ?? u.email),
              el('dl', { class: 'facts' }, el('dt', {}, 'Email'), el('dd', {}, u.email ?? '—'), el('dt', {}, 'Requested'), el('dd', {}, when(u.createdAt))),
              el('div', { class: 'row' }, el('button', { type: 'button', onclick: decide(u, 'approve') }, 'Approve'), el('button', { type: 'button', class: 'danger', onclick: decide(u, 'decline') }, 'Decline')),
            ),
          ),
        )
      : el('p', { id: 'sign-ups-empty' }, 'No sign-up is waiting.'),
  );
}
