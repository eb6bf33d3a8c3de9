// Applications: register, list, delete; an application's subscriptions, subscribing, and the
// client secret shown once.

import { confirmAction, copyButton, el, errorBox, guarded, onSubmit, show, statusBadge, tableScroll } from './dom.js';
import { api, rerender } from './session.js';

// ---- applications -----------------------------------------------------------------------------

const CLIENT_TYPES = [
  ['confidential', 'Confidential — runs on a server you control', 'It gets a client secret, which must never leave that server. Choose this for back ends and web servers.'],
  ['public', 'Public — a mobile, desktop or browser app', 'Its code is in users’ hands, so it cannot keep a secret: it gets a client id only.'],
];

export async function applicationsView() {
  const { items } = await api('GET', '/applications?limit=500');
  const box = errorBox();
  const form = el(
    'form',
    { class: 'card', 'aria-labelledby': 'register-title' },
    el('h2', { id: 'register-title' }, 'Register an application'),
    el('label', {}, 'Name', el('input', { name: 'name', required: true, maxlength: 200 })),
    el(
      'fieldset',
      {},
      el('legend', {}, 'Kind of client'),
      CLIENT_TYPES.map(([value, label, help], i) =>
        el('label', { class: 'choice' }, el('input', { type: 'radio', name: 'clientType', value, checked: i === 0 }), el('span', {}, el('strong', {}, label), el('span', { class: 'help' }, help))),
      ),
    ),
    el('label', {}, 'Redirect URIs (optional, one per line)', el('textarea', { name: 'redirectUris', rows: 2 })),
    box,
    el('button', { type: 'submit' }, 'Register application'),
  );
  onSubmit(form, box, async () => {
    const data = new FormData(form);
    const redirectUris = String(data.get('redirectUris')).split('\n').map((s) => s.trim()).filter(Boolean);
    const created = await api('POST', '/applications', { name: String(data.get('name')).trim(), clientType: data.get('clientType'), redirectUris });
    location.hash = `#/applications/${encodeURIComponent(created.id)}`;
  });
  const listBox = errorBox();
  const rows = items.map((application) =>
    el(
      'tr',
      {},
      el('td', {}, el('a', { href: `#/applications/${encodeURIComponent(application.id)}` }, application.name)),
      el('td', {}, application.clientType),
      el('td', {}, el('code', {}, application.id)),
      el(
        'td',
        {},
        el(
          'button',
          {
            type: 'button',
            class: 'danger',
            'aria-label': `Delete ${application.name}`,
            onclick: guarded(listBox, async () => {
              const sure = await confirmAction({ title: `Delete “${application.name}”?`, message: 'Its subscriptions end and everyone signed in through it is signed out at once. This cannot be undone.', confirm: 'Delete' });
              if (!sure) return;
              await api('DELETE', `/applications/${encodeURIComponent(application.id)}`);
              await rerender();
            }),
          },
          'Delete',
        ),
      ),
    ),
  );
  show(
    el('h1', {}, 'Applications'),
    items.length
      ? tableScroll(el('table', { id: 'applications' }, el('thead', {}, el('tr', {}, el('th', {}, 'Name'), el('th', {}, 'Kind'), el('th', {}, 'Application id'), el('th', {}, el('span', { class: 'sr-only' }, 'Actions')))), el('tbody', {}, rows)), 'Your applications')
      : el('p', {}, 'You have no applications yet.'),
    listBox,
    form,
  );
}

function secretPanel(issued) {
  // Shown once: the server stores only a hash, so this is the only time anyone can read it.
  const input = el('input', { readonly: true, value: issued.clientSecret, id: 'client-secret', 'aria-label': 'Client secret' });
  return el(
    'section',
    { class: 'card secret', role: 'status' },
    el('h2', {}, 'Your client secret'),
    el('p', { class: 'warning' }, 'Copy it now and store it somewhere safe. It is shown only this once: Gatehouse keeps a hash, not the secret. If you lose it, issue a new one.'),
    el('p', {}, 'Client id ', el('code', { class: 'client-id' }, issued.clientId)),
    el('div', { class: 'row' }, input, copyButton(() => issued.clientSecret, 'Copy secret')),
    el('button', { type: 'button', class: 'secondary', onclick: (event) => event.target.closest('section').remove() }, 'I have stored it'),
  );
}

export async function applicationView(applicationId, issued) {
  const path = `/applications/${encodeURIComponent(applicationId)}`;
  const [application, subscriptions, apis] = await Promise.all([api('GET', path), api('GET', `${path}/subscriptions?limit=500`), api('GET', '/apis')]);
  const box = errorBox();
  const tableBox = errorBox();
  const apiSelect = el('select', { name: 'apiId', id: 'subscribe-api' }, apis.items.map((a) => el('option', { value: a.id }, a.name)));
  const planSelect = el('select', { name: 'plan', id: 'subscribe-plan' });
  const fillPlans = () => {
    const chosen = apis.items.find((a) => a.id === apiSelect.value);
    planSelect.replaceChildren(...(chosen?.plans ?? []).map((p) => el('option', { value: p.id }, `${p.name}${p.requiresApproval ? ' — needs approval' : ''}`)));
  };
  apiSelect.addEventListener('change', fillPlans);
  fillPlans();
  const form = el(
    'form',
    { class: 'card', 'aria-labelledby': 'subscribe-title' },
    el('h2', { id: 'subscribe-title' }, 'Subscribe to an API'),
    el('label', { for: 'subscribe-api' }, 'API'),
    apiSelect,
    el('label', { for: 'subscribe-plan' }, 'Plan'),
    planSelect,
    el(
      'label',
      { class: 'choice' },
      el('input', { type: 'checkbox', name: 'trusted', id: 'subscribe-trusted' }),
      el('span', {}, el('strong', {}, 'Trusted'), el('span', { class: 'help' }, 'Lets this application use the password grant: your users type their password into it. A trusted subscription always waits for an approver before it works.')),
    ),
    box,
    el('button', { type: 'submit' }, 'Subscribe'),
  );
  onSubmit(form, box, async () => {
    const data = new FormData(form);
    const result = await api('POST', '/subscriptions', { applicationId, apiId: data.get('apiId'), plan: data.get('plan') || undefined, trusted: data.get('trusted') === 'on' });
    await applicationView(applicationId, result);
  });
  const action = (label, cls, run) => el('button', { type: 'button', class: cls, onclick: guarded(tableBox, run) }, label);
  const rows = subscriptions.items.map((s) =>
    el(
      'tr',
      { 'data-subscription': s.id },
      el('td', { class: 'api-name' }, s.apiName ?? s.apiId),
      el('td', { class: 'plan-name' }, s.planName ?? s.plan),
      el('td', {}, s.trusted ? el('span', { class: 'badge trusted' }, 'Trusted') : 'No'),
      el('td', {}, statusBadge(s.status)),
      el('td', {}, el('code', { class: 'client-id' }, s.clientId ?? '—')),
      el(
        'td',
        {},
        s.hasClientSecret
          ? action('New secret', 'secondary', async () => {
              const sure = await confirmAction({ title: 'Issue a new client secret?', message: `The current secret of this ${s.apiName ?? s.apiId} subscription stops working at once.`, confirm: 'Issue new secret' });
              if (!sure) return;
              await applicationView(applicationId, await api('POST', `/subscriptions/${encodeURIComponent(s.id)}/secret`));
            })
          : null,
        ' ',
        action('Revoke', 'danger', async () => {
          const sure = await confirmAction({ title: `Revoke the ${s.apiName ?? s.apiId} subscription?`, message: 'Everyone signed in through it is signed out at once, and its client credentials stop working.', confirm: 'Revoke' });
          if (!sure) return;
          await api('DELETE', `/subscriptions/${encodeURIComponent(s.id)}`);
          await applicationView(applicationId);
        }),
      ),
    ),
  );
  const editBox = errorBox();
  const edit = el(
    'form',
    { class: 'card', 'aria-labelledby': 'edit-title' },
    el('h2', { id: 'edit-title' }, 'Edit application'),
    el('label', {}, 'Name', el('input', { name: 'name', required: true, maxlength: 200, value: application.name })),
    editBox,
    el('button', { type: 'submit' }, 'Save changes'),
  );
  onSubmit(edit, editBox, async () => {
    const data = new FormData(edit);
    await api('PATCH', path, { name: String(data.get('name')).trim() });
    await applicationView(applicationId);
  });
  show(
    el('p', {}, el('a', { href: '#/applications' }, '← All applications')),
    el('h1', {}, application.name),
    el('p', { class: 'lead' }, application.clientType === 'confidential' ? 'Confidential client (has a secret).' : 'Public client (no secret).', ' Application id ', el('code', {}, application.id)),
    issued?.clientSecret ? secretPanel(issued) : null,
    el('h2', {}, 'Subscriptions'),
    subscriptions.items.length
      ? tableScroll(el('table', { id: 'subscriptions' }, el('thead', {}, el('tr', {}, ['API', 'Plan', 'Trusted', 'Status', 'Client id', 'Actions'].map((h) => el('th', {}, h)))), el('tbody', {}, rows)), 'Subscriptions')
      : el('p', {}, 'No subscriptions yet.'),
    tableBox,
    form,
    redirectUrisSection(applicationId, application.redirectUris),
    edit,
  );
  // Take keyboard and screen-reader users straight to the secret they must copy now.
  if (issued?.clientSecret) document.getElementById('client-secret').select();
}

// ---- redirect URIs ----------------------------------------------------------------------------

/**
 * Where the authorization code grant may send a user back (RFC 6749 §3.1.2): matched exactly, so
 * each one is listed, added and removed on its own (POST/DELETE …/redirect-uris, each audited).
 */
function redirectUrisSection(applicationId, uris) {
  const path = `/applications/${encodeURIComponent(applicationId)}/redirect-uris`;
  const box = errorBox();
  const listBox = errorBox();
  const form = el(
    'form',
    { class: 'card', 'aria-labelledby': 'redirect-uri-title', id: 'add-redirect-uri' },
    el('h3', { id: 'redirect-uri-title' }, 'Add a redirect URI'),
    el(
      'label',
      {},
      'Redirect URI',
      el('input', { name: 'uri', type: 'url', required: true, maxlength: 2000, inputmode: 'url', autocomplete: 'off', placeholder: 'https://app.example/callback' }),
      el('span', { class: 'help' }, 'https, or http only for this computer (127.0.0.1, [::1] or localhost). Matched exactly: no wildcard, fragment or user name.'),
    ),
    box,
    el('button', { type: 'submit' }, 'Add redirect URI'),
  );
  onSubmit(form, box, async () => {
    await api('POST', path, { uri: String(new FormData(form).get('uri')).trim() });
    await applicationView(applicationId);
  });
  const remove = (uri) =>
    guarded(listBox, async () => {
      const sure = await confirmAction({ title: 'Remove this redirect URI?', message: `Sign-ins that ask to return to ${uri} are refused from now on.`, confirm: 'Remove' });
      if (!sure) return;
      await api('DELETE', `${path}?${new URLSearchParams({ uri })}`);
      await applicationView(applicationId);
    });
  return el(
    'section',
    { 'aria-labelledby': 'redirect-uris-title', id: 'redirect-uris' },
    el('h2', { id: 'redirect-uris-title' }, 'Redirect URIs'),
    el('p', { class: 'help' }, 'Where sign-ins through the authorization code grant return to your application.'),
    uris.length
      ? el(
          'ul',
          { class: 'uri-list', id: 'redirect-uri-list' },
          uris.map((uri) => el('li', { 'data-uri': uri }, el('code', {}, uri), ' ', el('button', { type: 'button', class: 'danger', 'aria-label': `Remove ${uri}`, onclick: remove(uri) }, 'Remove'))),
        )
      : el('p', { id: 'no-redirect-uris' }, 'No redirect URI yet: this application cannot use the authorization code grant.'),
    listBox,
    form,
  );
}
