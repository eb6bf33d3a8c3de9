// The API catalogue and each API's page: endpoint, token URLs and curl examples filled in with
// the viewer's own client ids.

import { codeBlock, el, shellQuote, show, statusBadge } from './dom.js';
import { api } from './session.js';

// ---- APIs -------------------------------------------------------------------------------------

export async function apisView() {
  const { items } = await api('GET', '/apis');
  show(
    el('h1', {}, 'APIs'),
    el('p', { class: 'lead' }, 'Pick an API to see its endpoint, how to get a token for it, and ready-to-run examples.'),
    el(
      'ul',
      { class: 'cards' },
      items.map((item) =>
        el('li', { class: 'card' }, el('h2', {}, el('a', { href: `#/apis/${encodeURIComponent(item.id)}` }, item.name)), el('p', {}, item.description || 'No description.'), el('code', {}, item.endpoint)),
      ),
    ),
  );
}

/** The viewer's subscriptions to one API, with their application, for filling in client ids. */
async function mySubscriptionsTo(apiId) {
  const applications = (await api('GET', '/applications?limit=500')).items;
  const found = [];
  for (const application of applications) {
    const subscriptions = (await api('GET', `/applications/${encodeURIComponent(application.id)}/subscriptions?limit=500`)).items;
    for (const subscription of subscriptions) if (subscription.apiId === apiId && subscription.clientId) found.push({ application, subscription });
  }
  return found;
}

function curlExamples(apiInfo, tokenUrl, clientId, confidential) {
  const id = shellQuote(clientId);
  const user = "--data-urlencode 'username=YOUR_USERNAME' --data-urlencode 'password=YOUR_PASSWORD'";
  const url = shellQuote(tokenUrl);
  const call = `curl -H "Authorization: Bearer $ACCESS_TOKEN" ${shellQuote(`${apiInfo.endpoint}/`)}`;
  if (!confidential) {
    return [
      ['Get a token (password grant, public client: no secret)', `curl -d grant_type=password -d client_id=${id} ${user} \\\n  ${url}`],
      ['Call the API', call],
      ['Refresh the token (the response holds a new refresh token: keep it)', `curl -d grant_type=refresh_token -d client_id=${id} --data-urlencode "refresh_token=$REFRESH_TOKEN" \\\n  ${url}`],
    ];
  }
  return [
    ['Get a token (password grant, secret in the body)', `curl -d grant_type=password -d client_id=${id} -d 'client_secret=YOUR_CLIENT_SECRET' ${user} \\\n  ${url}`],
    ['Get a token (password grant, secret with -u: HTTP Basic)', `curl -u ${shellQuote(`${clientId}:YOUR_CLIENT_SECRET`)} -d grant_type=password ${user} \\\n  ${url}`],
    ['Call the API', call],
    ['Refresh the token (the response holds a new refresh token: keep it)', `curl -u ${shellQuote(`${clientId}:YOUR_CLIENT_SECRET`)} -d grant_type=refresh_token --data-urlencode "refresh_token=$REFRESH_TOKEN" \\\n  ${url}`],
  ];
}

export async function apiView(apiId) {
  const info = await api('GET', `/apis/${encodeURIComponent(apiId)}`);
  const mine = await mySubscriptionsTo(apiId);
  const tokenUrl = info.tokenUrls[0]?.url ?? '';
  const sections = [];
  for (const { application, subscription } of mine) {
    const confidential = application.clientType === 'confidential';
    sections.push(
      el(
        'section',
        { class: 'card' },
        el('h2', {}, `Examples for ${application.name}`),
        el('p', {}, `${confidential ? 'Confidential' : 'Public'} client `, el('code', { class: 'client-id' }, subscription.clientId), ' ', statusBadge(subscription.status)),
        curlExamples(info, tokenUrl, subscription.clientId, confidential).map(([title, text]) => codeBlock(title, text)),
      ),
    );
  }
  if (mine.length === 0) {
    sections.push(
      el('section', { class: 'card' }, el('h2', {}, 'Examples'), el('p', {}, 'Subscribe one of your applications to fill these in with its client id. ', el('a', { href: '#/applications' }, 'Go to applications'))),
      el('section', { class: 'card' }, el('h3', {}, 'Confidential client'), curlExamples(info, tokenUrl, 'YOUR_CLIENT_ID', true).map(([t, x]) => codeBlock(t, x))),
      el('section', { class: 'card' }, el('h3', {}, 'Public client'), curlExamples(info, tokenUrl, 'YOUR_CLIENT_ID', false).map(([t, x]) => codeBlock(t, x))),
    );
  }
  show(
    el('p', {}, el('a', { href: '#/apis' }, '← All APIs')),
    el('h1', {}, info.name),
    el('p', { class: 'lead' }, info.description || 'No description.'),
    el(
      'dl',
      { class: 'facts' },
      el('dt', {}, 'Gateway endpoint'),
      el('dd', {}, el('code', { id: 'endpoint' }, info.endpoint)),
      info.tokenUrls.map((t) => [el('dt', {}, `Token URL (${t.authMethod})`), el('dd', {}, el('code', {}, t.url))]),
      el('dt', {}, 'Access tokens last'),
      el('dd', {}, `${Math.round(info.accessTokenLifetime / 60)} minutes`),
      el('dt', {}, 'Plans'),
      el('dd', {}, info.plans.map((p) => `${p.name}${p.requiresApproval ? ' (needs approval)' : ''}`).join(', ')),
    ),
    info.hasReference ? el('p', {}, el('a', { href: `/reference.html#${encodeURIComponent(info.id)}`, id: 'reference-link' }, `${info.name} API reference`)) : null,
    sections,
  );
}
