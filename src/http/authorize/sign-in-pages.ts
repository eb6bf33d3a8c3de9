import type { AuthorizationStep } from '../../domain/authorization/authorization-flow.js';

// The pages of the authorization endpoint, rendered on the server: plain HTML forms that work
// without JavaScript, with labels, a language, and an error summary that names the problem
// first (WCAG 2.2: 1.3.1, 3.1.1, 3.3.1, 3.3.2). Every value from a request or the store goes
// through escapeHtml; nothing is inline script or style (the CSP forbids both).

export const SIGN_IN_STYLESHEET_PATH = '/auth/sign-in.css';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)} – Gatehouse</title>
<link rel="stylesheet" href="${SIGN_IN_STYLESHEET_PATH}">
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

function errorSummary(message: string): string {
  return `<div class="error-summary" role="alert" aria-labelledby="error-summary-title">
<h2 id="error-summary-title">There is a problem</h2>
<p id="error-message">${escapeHtml(message)}</p>
</div>`;
}

const FAILURES = {
  // The password grant's words for the same outcomes (oauth-descriptions.ts): no user enumeration.
  rejected: 'The username or password is wrong, or the account cannot sign in.',
  throttled: 'Too many failed sign-ins from this address. Try again later.',
  busy: 'Too many sign-ins are being checked right now. Try again shortly.',
  unavailable: 'Sign-in is not available right now. Try again later.',
} as const;

type SignInStep = Extract<AuthorizationStep, { kind: 'sign-in' }>;
type ConsentStep = Extract<AuthorizationStep, { kind: 'consent' }>;

export function signInPage(step: SignInStep, action: string): string {
  const invalid = step.failure !== null;
  const described = invalid ? ' aria-invalid="true" aria-describedby="error-message"' : '';
  return page(
    invalid ? 'Error: Sign in' : 'Sign in',
    `<h1>Sign in</h1>
<p>to continue to <strong>${escapeHtml(step.applicationName)}</strong></p>
${invalid ? errorSummary(FAILURES[step.failure]) : ''}
<form method="post" action="${escapeHtml(action)}">
<input type="hidden" name="form_token" value="${escapeHtml(step.formToken)}">
<label for="username">Email or username</label>
<input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${escapeHtml(step.username)}"${described}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${described}>
<button type="submit">Sign in</button>
</form>`,
  );
}

export function consentPage(step: ConsentStep, action: string, scopeNames: ReadonlyMap<string, string>): string {
  const scopes = step.scope.split(' ').filter((s) => s !== '');
  const list = scopes.length === 0 ? '<p>It asks for no particular permission.</p>' : `<ul>${scopes.map((s) => `<li>${escapeHtml(scopeNames.get(s) ?? s)} <code>${escapeHtml(s)}</code></li>`).join('')}</ul>`;
  return page(
    'Allow access',
    `<h1>Allow <strong>${escapeHtml(step.applicationName)}</strong> to act for you?</h1>
<p>The application will be able to use these permissions until you revoke them:</p>
${list}
<form method="post" action="${escapeHtml(action)}">
<input type="hidden" name="form_token" value="${escapeHtml(step.formToken)}">
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</form>`,
  );
}

export function errorPage(message: string): string {
  return page('Error', `<h1>Cannot continue</h1>\n${errorSummary(message)}`);
}

export const SIGN_IN_STYLESHEET = `body{font:1rem/1.5 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1b1d21}
main{max-width:26rem;margin:3rem auto;background:#fff;padding:2rem;border-radius:.5rem;box-shadow:0 1px 3px #0003}
h1{font-size:1.5rem;margin-top:0}label{display:block;font-weight:600;margin-top:1rem}
input{box-sizing:border-box;width:100%;padding:.5rem;font:inherit;border:2px solid #555;border-radius:.25rem}
input:focus,button:focus{outline:3px solid #fd0;outline-offset:0}
button{margin-top:1.5rem;margin-right:.5rem;padding:.6rem 1.2rem;font:inherit;font-weight:600;border:0;border-radius:.25rem;background:#1d5fbf;color:#fff;cursor:pointer}
button.secondary{background:#e0e3e8;color:#1b1d21}
.error-summary{border:4px solid #b00020;padding:.5rem 1rem;margin:1rem 0}.error-summary h2{font-size:1.1rem;margin:.25rem 0}
`;
