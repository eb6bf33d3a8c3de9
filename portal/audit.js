// Admins: the audit log, newest first, filtered by event type, actor and date range on the
// server (GET /api/v1/audit-events), a page at a time (keyset cursors), each event's details on
// demand. Users, applications and APIs are shown by the names the server puts in each event
// (null for one deleted since: then the id the event kept); the ids stay in the details.

import { el, errorBox, onSubmit, personLabel, show, when } from './dom.js';
import { api } from './session.js';

const PAGE_SIZE = 25;

// The filter and the cursors of the pages seen, so that "Newer" can go back (cursors only go forward).
let filter = { type: '', actorUserId: '', since: '', until: '' };
let cursors = [null];

const KNOWN_TYPES = [
  'login.granted', 'login.refused', 'refresh_token.reused', 'token.revoked',
  'user.created', 'user.updated', 'user.deleted', 'user.password_changed',
  'user.signed_up', 'user.sign_up_requested', 'user.sign_up_approved', 'user.sign_up_declined',
  'application.created', 'application.updated', 'application.deleted',
  'subscription.created', 'subscription.approved', 'subscription.declined', 'subscription.revoked', 'subscription.secret_regenerated',
  'tokens.revoked', 'lockout.account_released', 'lockout.address_released',
];

function query(cursor) {
  const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (filter.type) params.set('type', filter.type);
  if (filter.actorUserId) params.set('actorUserId', filter.actorUserId);
  // Dates are the admin's local days: from the start of `since` to the end of `until`.
  if (filter.since) params.set('since', new Date(`${filter.since}T00:00:00`).toISOString());
  if (filter.until) params.set('until', new Date(new Date(`${filter.until}T00:00:00`).getTime() + 86_400_000).toISOString());
  if (cursor) params.set('cursor', cursor);
  return `/audit-events?${params}`;
}

const person = (ref, id) => (ref ? personLabel(ref) : (id ?? '—'));
const named = (name, id) => (id === null || id === undefined ? null : name ? `${name} (${id})` : id);

function detailRow(event) {
  const fields = [
    ['Event id', event.id], ['When', when(event.at)], ['Type', event.type],
    ['Actor', named(event.actor && personLabel(event.actor), event.actorUserId)], ['User', named(event.user && personLabel(event.user), event.userId)],
    ['Application', named(event.applicationName, event.applicationId)], ['Subscription', event.subscriptionId], ['API', named(event.apiName, event.apiId)], ['Login', event.familyId], ['Client IP', event.ip],
  ].filter(([, value]) => value !== null && value !== undefined && value !== '—');
  return el(
    'tr',
    { class: 'audit-detail', id: `audit-detail-${event.id}`, hidden: true },
    el('td', { colspan: 6 }, el('dl', { class: 'facts' }, fields.map(([k, v]) => [el('dt', {}, k), el('dd', {}, el('code', {}, String(v)))])), el('pre', { class: 'code' }, el('code', {}, JSON.stringify(event.details, null, 2)))),
  );
}

export async function auditView(page = 0) {
  // The users are only the Actor filter's choices; the events carry their own names.
  const [events, users] = await Promise.all([api('GET', query(cursors[page])), api('GET', '/users?limit=500')]);
  cursors[page + 1] = events.nextCursor;
  const box = errorBox();
  const form = el(
    'form',
    { class: 'card filters', 'aria-labelledby': 'audit-filter-title', id: 'audit-filter' },
    el('h2', { id: 'audit-filter-title' }, 'Filter'),
    el('label', {}, 'Event type', el('input', { name: 'type', list: 'audit-types', value: filter.type, autocomplete: 'off', maxlength: 100 })),
    el('datalist', { id: 'audit-types' }, KNOWN_TYPES.map((t) => el('option', { value: t }))),
    el('label', {}, 'Actor', el('select', { name: 'actorUserId' }, el('option', { value: '' }, 'Anyone'), users.items.map((u) => el('option', { value: u.id, selected: u.id === filter.actorUserId }, personLabel(u))))),
    el('label', {}, 'From (date)', el('input', { name: 'since', type: 'date', value: filter.since })),
    el('label', {}, 'To (date, inclusive)', el('input', { name: 'until', type: 'date', value: filter.until })),
    box,
    el('div', { class: 'row' }, el('button', { type: 'submit' }, 'Apply'), el('button', { type: 'button', class: 'secondary', onclick: () => { filter = { type: '', actorUserId: '', since: '', until: '' }; cursors = [null]; auditView(); } }, 'Clear')),
  );
  onSubmit(form, box, async () => {
    const data = new FormData(form);
    filter = { type: String(data.get('type')).trim(), actorUserId: String(data.get('actorUserId')), since: String(data.get('since')), until: String(data.get('until')) };
    cursors = [null];
    await auditView();
  });
  const rows = events.items.flatMap((e) => {
    const toggle = el('button', { type: 'button', class: 'secondary copy', 'aria-expanded': 'false', 'aria-controls': `audit-detail-${e.id}` }, 'Details');
    const detail = detailRow(e);
    toggle.addEventListener('click', () => {
      detail.hidden = !detail.hidden;
      toggle.setAttribute('aria-expanded', String(!detail.hidden));
    });
    return [el('tr', { 'data-event': e.id }, el('td', {}, when(e.at)), el('td', {}, el('code', {}, e.type)), el('td', { class: 'actor' }, person(e.actor, e.actorUserId)), el('td', { class: 'user' }, person(e.user, e.userId)), el('td', { class: 'api' }, e.apiName ?? e.apiId ?? '—'), el('td', {}, toggle)), detail];
  });
  show(
    el('h1', {}, 'Audit log'),
    el('p', { class: 'lead' }, 'Who did what and when, newest first.'),
    form,
    events.items.length
      ? el('div', { class: 'table-scroll' }, el('table', { id: 'audit' }, el('thead', {}, el('tr', {}, ['When', 'Event', 'Actor', 'User', 'API', ''].map((h) => el('th', { scope: 'col' }, h || el('span', { class: 'sr-only' }, 'Details'))))), el('tbody', {}, rows)))
      : el('p', { id: 'audit-empty' }, 'No event matches.'),
    el(
      'nav',
      { class: 'row pager', 'aria-label': 'Audit log pages' },
      el('button', { type: 'button', class: 'secondary', disabled: page === 0, onclick: () => auditView(page - 1) }, '← Newer'),
      el('span', { id: 'audit-page' }, `Page ${page + 1}`),
      el('button', { type: 'button', class: 'secondary', disabled: !events.nextCursor, id: 'audit-older', onclick: () => auditView(page + 1) }, 'Older →'),
    ),
  );
}
