// Admins: accounts locked and addresses throttled by brute-force protection right now, and
// releasing them early (GET/DELETE /api/v1/lockouts). A release is audited: it hands whoever is
// guessing a fresh allowance, so it asks first.

import { confirmAction, el, errorBox, guarded, show, tableScroll, when } from './dom.js';
import { api } from './session.js';

export async function lockoutsView() {
  const { accounts, addresses } = await api('GET', '/lockouts');
  const box = errorBox();
  const release = (title, path) =>
    guarded(box, async () => {
      if (!(await confirmAction({ title, message: 'Whoever is trying gets a fresh allowance of guesses at once.', confirm: 'Release', danger: false }))) return;
      await api('DELETE', path);
      await lockoutsView();
    });
  const table = (id, label, headings, rows) =>
    tableScroll(el('table', { id }, el('thead', {}, el('tr', {}, headings.map((h) => el('th', { scope: 'col' }, h)))), el('tbody', {}, rows)), label);
  show(
    el('h1', {}, 'Lockouts'),
    el('p', { class: 'lead' }, 'Sign-ins refused right now after too many failures. Locks end by themselves; release one early only when you know who is asking.'),
    box,
    el('h2', {}, 'Locked accounts'),
    accounts.length
      ? table(
          'locked-accounts',
          'Locked accounts',
          ['Account', 'Auth method', 'Failures', 'Locked until', 'Actions'],
          accounts.map((a) =>
            el(
              'tr',
              { 'data-username': a.username },
              el('td', {}, a.userId ? el('a', { href: `#/users/${encodeURIComponent(a.userId)}` }, a.username) : [a.username, ' ', el('span', { class: 'help' }, '(no such account)')]),
              el('td', {}, a.authMethodId),
              el('td', {}, String(a.failures)),
              el('td', {}, when(a.lockedUntil)),
              el('td', {}, el('button', { type: 'button', class: 'secondary', onclick: release(`Release ${a.username}?`, `/lockouts/accounts/${encodeURIComponent(a.authMethodId)}/${encodeURIComponent(a.userId ?? a.username)}`) }, 'Release')),
            ),
          ),
        )
      : el('p', { id: 'no-locked-accounts' }, 'No account is locked.'),
    el('h2', {}, 'Throttled addresses'),
    addresses.length
      ? table(
          'throttled-addresses',
          'Throttled addresses',
          ['Address', 'Failures', 'Throttled until', 'Actions'],
          addresses.map((a) =>
            el(
              'tr',
              { 'data-address': a.address },
              el('td', {}, el('code', {}, a.address)),
              el('td', {}, String(a.failures)),
              el('td', {}, when(a.lockedUntil)),
              el('td', {}, el('button', { type: 'button', class: 'secondary', onclick: release(`Release ${a.address}?`, `/lockouts/addresses/${encodeURIComponent(a.address)}`) }, 'Release')),
            ),
          ),
        )
      : el('p', { id: 'no-throttled-addresses' }, 'No address is throttled.'),
  );
}
