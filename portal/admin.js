// For approvers and admins: the approval queue, users and their logins (the audit log: audit.js). The
// management API enforces who may do what; these pages are only shown to whom it concerns.

import { confirmAction, el, errorBox, guarded, onSubmit, personLabel, show, tableScroll, when } from './dom.js';
import { api, me } from './session.js';

// ---- approvals --------------------------------------------------------------------------------

export async function approvalsView() {
  const { items } = await api('GET', '/approvals?limit=500');
  const box = errorBox();
  // The decision names what this card showed: if the owner changed the subscription meanwhile,
  // the server refuses it (409) and the box says what it is now.
  const decide = (s, verb) =>
    guarded(box, async () => {
      const what = `${s.applicationName ?? 'a deleted application'} → ${s.apiName ?? s.apiId}, plan ${s.planName ?? s.plan}`;
      const sure = await confirmAction(
        verb === 'approve'
          ? { title: s.trusted ? 'Approve this trusted subscription?' : 'Approve this subscription?', message: `${what}.${s.trusted ? ' The application may then collect its users’ passwords (the password grant).' : ''}`, confirm: 'Approve', danger: false }
          : { title: 'Decline this subscription?', message: `${what}. Its logins end at once.`, confirm: 'Decline' },
      );
      if (!sure) return;
      const basis = { trusted: s.trusted, plan: s.plan, ...(s.clientType ? { clientType: s.clientType } : {}) };
      await api('POST', `/subscriptions/${encodeURIComponent(s.id)}/${verb}`, basis);
      await approvalsView();
    });
  show(
    el('h1', {}, 'Approvals'),
    el('p', { class: 'lead' }, 'Subscriptions waiting for a decision, oldest first. A trusted one lets the application collect its users’ passwords: approve it only for first-party apps you know.'),
    box,
    items.length
      ? el(
          'ul',
          { class: 'cards', id: 'approvals' },
          items.map((s) =>
            el(
              'li',
              { class: `card approval${s.trusted ? ' is-trusted' : ''}`, 'data-subscription': s.id },
              s.trusted ? el('p', { class: 'badge trusted big' }, 'TRUSTED — allows the password grant') : el('p', { class: 'badge' }, 'Not trusted'),
              el(
                'dl',
                { class: 'facts' },
                el('dt', {}, 'Application'),
                el('dd', { class: 'application-name' }, s.applicationName ?? '(deleted)', ' ', el('code', {}, s.applicationId)),
                el('dt', {}, 'API'),
                el('dd', { class: 'api-name' }, s.apiName ?? s.apiId),
                el('dt', {}, 'Plan'),
                el('dd', { class: 'plan-name' }, s.planName ?? s.plan),
                el('dt', {}, 'Client type'),
                el('dd', { class: 'client-type' }, s.clientType === 'public' ? 'public (no secret: anyone with its client_id)' : (s.clientType ?? '-')),
                el('dt', {}, 'Requested by'),
                el('dd', { class: 'requested-by' }, s.requestedBy ? personLabel(s.requestedBy) : 'not recorded'),
                el('dt', {}, 'Requested'),
                el('dd', { class: 'requested-at' }, when(s.requestedAt)),
              ),
              el('div', { class: 'row' }, el('button', { type: 'button', onclick: decide(s, 'approve') }, 'Approve'), el('button', { type: 'button', class: 'danger', onclick: decide(s, 'decline') }, 'Decline')),
            ),
          ),
        )
      : el('p', { id: 'approvals-empty' }, 'Nothing is waiting for you.'),
  );
}

// ---- admin ------------------------------------------------------------------------------------

const userLabel = (u) => u.name ?? u.email ?? u.username ?? u.id;

export async function usersView() {
  const { items } = await api('GET', '/users?limit=500');
  const box = errorBox();
  const tableBox = errorBox();
  const form = el(
    'form',
    { class: 'card', 'aria-labelledby': 'new-user-title' },
    el('h2', { id: 'new-user-title' }, 'Create a user'),
    el('label', {}, 'Email', el('input', { name: 'email', type: 'email', required: true, autocomplete: 'off' })),
    el('label', {}, 'Full name', el('input', { name: 'name', autocomplete: 'off' })),
    el('label', {}, 'Initial password', el('input', { name: 'password', type: 'password', required: true, autocomplete: 'new-password' })),
    el('label', { class: 'choice' }, el('input', { type: 'checkbox', name: 'admin' }), el('span', {}, el('strong', {}, 'Administrator'), el('span', { class: 'help' }, 'Can manage every user, application and subscription.'))),
    box,
    el('button', { type: 'submit' }, 'Create user'),
  );
  onSubmit(form, box, async () => {
    const data = new FormData(form);
    const name = String(data.get('name')).trim();
    await api('POST', '/users', { email: String(data.get('email')).trim(), password: data.get('password'), admin: data.get('admin') === 'on', ...(name ? { name } : {}) });
    await usersView();
  });
  const toggle = (u) =>
    guarded(tableBox, async () => {
      if (!u.disabled && !(await confirmAction({ title: `Disable ${userLabel(u)}?`, message: 'They cannot sign in, and all their logins end at once.', confirm: 'Disable' }))) return;
      await api('PATCH', `/users/${encodeURIComponent(u.id)}`, { disabled: !u.disabled });
      await usersView();
    });
  show(
    el('h1', {}, 'Users'),
    tableBox,
    tableScroll(el(
      'table',
      { id: 'users' },
      el('thead', {}, el('tr', {}, ['User', 'Email', 'Roles', 'State', 'Actions'].map((h) => el('th', {}, h)))),
      el(
        'tbody',
        {},
        items.map((u) =>
          el(
            'tr',
            { 'data-user': u.id },
            el('td', {}, el('a', { href: `#/users/${encodeURIComponent(u.id)}` }, userLabel(u))),
            el('td', {}, u.email ?? '—'),
            el('td', {}, [u.admin ? 'admin' : null, u.approverOf.length ? `approver of ${u.approverOf.join(', ')}` : null].filter(Boolean).join('; ') || 'developer'),
            el('td', { class: 'state' }, userState(u)),
            // A pending sign-up is approved or declined on the sign-ups page, never merely enabled.
            el('td', {}, u.id === me.id ? null : u.pending ? el('a', { href: '#/sign-ups' }, 'Review sign-up') : el('button', { type: 'button', class: u.disabled ? 'secondary' : 'danger', onclick: toggle(u) }, u.disabled ? 'Enable' : 'Disable')),
          ),
        ),
      ),
    ), 'Users'),
    form,
  );
}

function userState(user) {
  if (user.pending) return el('span', { class: 'badge status-pending' }, 'pending approval');
  return user.disabled ? el('span', { class: 'badge status-declined' }, 'disabled') : 'active';
}

// Group lists are typed as comma-separated ids: the API names no groups list, only each API's group.
const groupList = (text) => [...new Set(String(text).split(',').map((id) => id.trim()).filter(Boolean))];

/** The admin flag and group roles, saved with PATCH; only changed fields are sent, so that a refusal names the real change. */
function rolesForm(user, groupIds, path, redraw) {
  const box = errorBox();
  const form = el(
    'form',
    { class: 'card', 'aria-labelledby': 'roles-title' },
    el('h2', { id: 'roles-title' }, 'Roles'),
    el('label', { class: 'choice' }, el('input', { type: 'checkbox', name: 'admin', checked: user.admin }), el('span', {}, el('strong', {}, 'Administrator'), el('span', { class: 'help' }, 'Can manage every user, application and subscription.'))),
    el('label', {}, 'Approver of groups (comma-separated)', el('input', { name: 'approverOf', value: user.approverOf.join(', '), autocomplete: 'off' })),
    el('label', {}, 'Member of groups (comma-separated)', el('input', { name: 'groups', value: user.groups.join(', '), autocomplete: 'off' })),
    groupIds.length ? el('p', { class: 'help' }, `Groups of the APIs: ${groupIds.join(', ')}.`) : null,
    box,
    el('button', { type: 'submit' }, 'Save roles'),
  );
  onSubmit(form, box, async () => {
    const data = new FormData(form);
    const wanted = { admin: data.get('admin') === 'on', approverOf: groupList(data.get('approverOf')), groups: groupList(data.get('groups')) };
    const patch = Object.fromEntries(Object.entries(wanted).filter(([field, value]) => JSON.stringify(value) !== JSON.stringify(user[field])));
    if (Object.keys(patch).length > 0) await api('PATCH', path, patch);
    await redraw();
  });
  return form;
}

export async function userView(userId) {
  const path = `/users/${encodeURIComponent(userId)}`;
  const [user, logins, apis] = await Promise.all([api('GET', path), api('GET', `${path}/logins?limit=500`), api('GET', '/apis')]);
  const groupIds = [...new Set(apis.items.map((a) => a.group).filter(Boolean))].sort();
  const box = errorBox();
  const passwordBox = errorBox();
  const end = (url, question) =>
    guarded(box, async () => {
      if (!(await confirmAction(question))) return;
      await api('DELETE', url);
      await userView(userId);
    });
  const form = el(
    'form',
    { class: 'card', 'aria-labelledby': 'reset-title' },
    el('h2', { id: 'reset-title' }, 'Reset password'),
    el('p', { class: 'help' }, 'All of this user’s logins end at once.'),
    el('label', {}, 'New password', el('input', { name: 'password', type: 'password', required: true, autocomplete: 'new-password' })),
    passwordBox,
    el('button', { type: 'submit' }, 'Set password'),
  );
  onSubmit(form, passwordBox, async () => {
    await api('PUT', `${path}/password`, { password: new FormData(form).get('password') });
    await userView(userId);
  });
  show(
    el('p', {}, el('a', { href: '#/users' }, '← All users')),
    el('h1', {}, userLabel(user)),
    el('h2', {}, 'Active logins'),
    box,
    logins.items.length
      ? tableScroll(
          el(
            'table',
            { id: 'logins' },
            el('thead', {}, el('tr', {}, ['API', 'Application', 'Signed in', 'Expires', 'Actions'].map((h) => el('th', {}, h)))),
            el(
              'tbody',
              {},
              logins.items.map((login) =>
                el(
                  'tr',
                  { 'data-login': login.id },
                  el('td', {}, login.apiName ?? login.apiId),
                  el('td', {}, login.applicationName ?? el('code', {}, login.applicationId)),
                  el('td', {}, when(login.createdAt)),
                  el('td', {}, when(login.expiresAt)),
                  el('td', {}, el('button', { type: 'button', class: 'danger', onclick: end(`/logins/${encodeURIComponent(login.id)}`, { title: 'End this login?', message: `${userLabel(user)} is signed out of ${login.applicationName ?? 'this application'} at once.`, confirm: 'End login' }) }, 'End login')),
                ),
              ),
            ),
          ),
          'Active logins',
        )
      : el('p', {}, 'No active logins.'),
    logins.items.length ? el('button', { type: 'button', class: 'danger', onclick: end(`${path}/logins`, { title: `End all of ${userLabel(user)}’s logins?`, message: `They are signed out everywhere at once (${logins.items.length} ${logins.items.length === 1 ? 'login' : 'logins'}).`, confirm: 'End all logins' }) }, 'End all logins') : null,
    rolesForm(user, groupIds, path, () => userView(userId)),
    form,
  );
}
