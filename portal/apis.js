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
  // At once, not one application after another: the page waits for the slowest, not for the sum.
  const lists = await Promise.all(applications.map((application) => api('GET', `/applications/${encodeURIComponent(application.id)}/subscriptions?limit=500`)));
  return applications.flatMap((application, i) =>
    lists[i].items.filter((subscription) => subscription.apiId === apiId && subscription.clientId).map((subscription) => ({ application, subscription })),
  );
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

/** A lifetime in the largest unit that divides it: "15 minutes", "14 days". */
export function duration(seconds) {
  const units = [['day', 86400], ['hour', 3600], ['minute', 60], ['second', 1]];
  const [unit, size] = units.find(([, size]) => seconds % size === 0 && seconds >= size) ?? units[3];
  const count = seconds / size;
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

const WINDOWS = [['perSecond', 'a second'], ['perMinute', 'a minute'], ['perHour', 'an hour']];
const windows = (limits) => WINDOWS.filter(([key]) => limits?.[key]).map(([key, per]) => `${limits[key].toLocaleString('en')} requests ${per}`).join(', ');

/** A plan's rate limits in words: the subscription's own, then each user's. */
export function rateLimitText(rateLimit) {
  const own = windows(rateLimit);
  const perUser = windows(rateLimit?.perUser);
  return [own ? `Up to ${own}.` : null, perUser ? `Each user: up to ${perUser}.` : null].filter(Boolean).join(' ') || 'No rate limit of its own.';
}

function scopesSection(scopes) {
  return el(
    'section',
    { class: 'card', 'aria-labelledby': 'scopes-title' },
    el('h2', { id: 'scopes-title' }, 'Scopes'),
    scopes.length
      ? el('dl', { class: 'facts', id: 'scopes' }, scopes.map((scope) => [el('dt', {}, el('code', {}, scope.id)), el('dd', {}, scope.description || 'No description.')]))
      : el('p', {}, 'This API declares no scopes.'),
    el('p', { class: 'help' }, 'A trusted subscription’s tokens carry every scope of the API.'),
  );
}

function plansSection(plans) {
  return el(
    'section',
    { 'aria-labelledby': 'plans-title' },
    el('h2', { id: 'plans-title' }, 'Plans'),
    el(
      'ul',
      { class: 'plans', id: 'plans' },
      plans.map((plan) =>
        el(
          'li',
          { class: 'card', 'data-plan': plan.id },
          el('h3', {}, plan.name),
          plan.description ? el('p', {}, plan.description) : null,
          el('p', { class: 'rate-limit' }, rateLimitText(plan.rateLimit)),
          el('p', { class: 'help' }, plan.requiresApproval ? 'Needs an approver’s approval.' : 'Works at once (a trusted subscription still needs approval).'),
        ),
      ),
    ),
  );
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
      el('dd', { id: 'access-lifetime' }, duration(info.accessTokenLifetime)),
      el('dt', {}, 'Refresh tokens last'),
      el('dd', { id: 'refresh-lifetime' }, `${duration(info.refreshTokenIdleLifetime)} unused (each use gives a new one)`),
      el('dt', {}, 'A sign-in lasts at most'),
      el('dd', { id: 'session-lifetime' }, `${duration(info.sessionLifetime)}, however often it is refreshed`),
    ),
    scopesSection(info.scopes),
    plansSection(info.plans),
    howToGetAToken(info, tokenUrl),
    info.hasReference ? el('p', {}, el('a', { href: `/reference.html#${encodeURIComponent(info.id)}`, id: 'reference-link' }, `${info.name} API reference`)) : null,
    sections,
  );
}

// ---- How to get a token: one example per grant the API allows ----------------------------------

const GRANT_GUIDES = {
  password: {
    title: 'Password grant (RFC 6749 §4.3)',
    when: 'A trusted first-party app sends the user’s own username and password. Needs a trusted, approved subscription.',
    curl: (url, basic) => `curl -u ${basic} -d grant_type=password \\\n  --data-urlencode 'username=YOUR_USERNAME' --data-urlencode 'password=YOUR_PASSWORD' \\\n  ${url}`,
  },
  refresh_token: {
    title: 'Refresh token (RFC 6749 §6)',
    when: 'Renews the access token of a sign-in; the response holds a new refresh token and the old one stops working.',
    curl: (url, basic) => `curl -u ${basic} -d grant_type=refresh_token --data-urlencode "refresh_token=$REFRESH_TOKEN" \\\n  ${url}`,
  },
  authorization_code: {
    title: 'Authorization code with PKCE (RFC 6749 §4.1, RFC 7636)',
    when: 'The user signs in on Gatehouse’s own page (the app never sees the password); redeem the code the redirect brings back. A public client sends -d client_id=... instead of -u.',
    curl: (url, basic) =>
      `curl -u ${basic} -d grant_type=authorization_code --data-urlencode "code=$CODE" \\\n  --data-urlencode 'redirect_uri=YOUR_REDIRECT_URI' --data-urlencode "code_verifier=$CODE_VERIFIER" \\\n  ${url}`,
  },
  client_credentials: {
    title: 'Client credentials (RFC 6749 §4.4)',
    when: 'Machine to machine: the app acts for itself, no user. Confidential clients only; no refresh token (ask again when it expires).',
    curl: (url, basic, scopes) => `curl -u ${basic} -d grant_type=client_credentials${scopes ? ` -d ${shellQuote(`scope=${scopes}`)}` : ''} \\\n  ${url}`,
  },
};

function howToGetAToken(info, tokenUrl) {
  const url = shellQuote(tokenUrl);
  const basic = shellQuote('YOUR_CLIENT_ID:YOUR_CLIENT_SECRET');
  const scopes = info.scopes.map((scope) => scope.id).join(' ');
  const allowed = (info.grants ?? []).filter((grant) => GRANT_GUIDES[grant]);
  return el(
    'section',
    { class: 'card', id: 'how-to-get-a-token' },
    el('h2', {}, 'How to get a token'),
    el('p', {}, `This API accepts: ${allowed.join(', ') || 'no grant'}.`),
    allowed.map((grant) => {
      const guide = GRANT_GUIDES[grant];
      return [el('h3', {}, guide.title), el('p', {}, guide.when), codeBlock(`grant_type=${grant}`, guide.curl(url, basic, scopes))];
    }),
  );
}
