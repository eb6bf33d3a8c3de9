// Self sign-up (config portal.signUp): a local account from an email address, a name and a
// password. The server answers a taken address exactly as a new one (no account enumeration),
// so this page shows its message as it is and never guesses which case it was.

import { el, errorBox, onSubmit, show } from './dom.js';

const MODE_HELP = {
  open: 'Your account works as soon as it is created.',
  approval: 'An administrator reviews each new account before it can sign in.',
};

export async function signUpView() {
  const info = await (await fetch('/api/v1/sign-in')).json();
  if (info.signUp === 'closed') {
    show(el('section', { class: 'card narrow' }, el('h1', {}, 'Sign-up is closed'), el('p', {}, 'Ask an administrator for an account.'), el('p', {}, el('a', { href: '#/' }, 'Back to sign in'))));
    return;
  }
  const box = errorBox();
  const form = el(
    'form',
    { class: 'card narrow', 'aria-labelledby': 'sign-up-title' },
    el('h1', { id: 'sign-up-title' }, 'Create an account'),
    el('p', { class: 'help' }, MODE_HELP[info.signUp]),
    el('label', {}, 'Email', el('input', { name: 'email', type: 'email', autocomplete: 'email', required: true, maxlength: 254 })),
    el('label', {}, 'Full name (optional)', el('input', { name: 'name', autocomplete: 'name', maxlength: 200 })),
    el('label', {}, 'Password', el('input', { name: 'password', type: 'password', autocomplete: 'new-password', required: true, minlength: 8 }), el('span', { class: 'help' }, 'At least 8 characters; a passphrase of a few words is easy to remember.')),
    el('label', {}, 'Password again', el('input', { name: 'confirm', type: 'password', autocomplete: 'new-password', required: true })),
    box,
    el('button', { type: 'submit' }, 'Create account'),
    el('p', {}, 'Have an account? ', el('a', { href: '#/' }, 'Sign in')),
  );
  onSubmit(form, box, async () => {
    const data = new FormData(form);
    if (data.get('password') !== data.get('confirm')) throw new Error('The two passwords differ.');
    const name = String(data.get('name')).trim();
    const response = await fetch('/api/v1/sign-up', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: String(data.get('email')).trim(), password: data.get('password'), ...(name ? { name } : {}) }),
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(body.detail || body.title || `sign-up failed (${response.status})`);
    show(
      el(
        'section',
        { class: 'card narrow', role: 'status', id: 'sign-up-done' },
        el('h1', {}, body.mode === 'approval' ? 'Request received' : 'Check your account'),
        el('p', {}, body.message),
        el('p', {}, el('a', { href: '#/' }, 'Go to sign in')),
      ),
    );
  });
  show(form);
  form.querySelector('input[name=email]').focus();
}
