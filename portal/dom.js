// DOM helpers of the portal. Every piece of server or user text goes into the page as a text
// node (el), never parsed as HTML: with the CSP's ban on inline script, a hostile application
// name or description stays text.

export const view = document.getElementById('view');

/** An element with attributes and children; strings become text nodes, never markup. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Draws a view; the tab's title follows its main heading ("Applications — Gatehouse"). */
export function show(...children) {
  view.replaceChildren(...children.flat(Infinity).filter((child) => child !== null && child !== undefined && child !== false));
  const heading = view.querySelector('h1')?.textContent?.trim();
  document.title = heading ? `${heading} — Gatehouse` : 'Gatehouse developer portal';
}

/** A table in its own scrolling box (app.css .table-scroll): wide tables never widen the page. */
export function tableScroll(table, label) {
  // Focusable and named so that keyboard users can scroll it too (WCAG 2.1.1).
  return el('div', { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': label }, table);
}

/** Single quotes for a POSIX shell: safe for any value a user or the server chose. */
export function shellQuote(value) {
  return `'${String(value).replaceAll("'", `'\\''`)}'`;
}

// ---- shared pieces ----------------------------------------------------------------------------

export function errorBox() {
  return el('p', { class: 'error', role: 'alert', hidden: true });
}

export function showError(box, error) {
  box.textContent = error instanceof Error ? error.message : String(error);
  box.hidden = false;
}

/** Runs an action from a button or form, showing its error next to it; inputs are left as typed. */
export function guarded(box, action) {
  return async (event) => {
    event.preventDefault();
    box.hidden = true;
    const form = event.currentTarget instanceof HTMLFormElement ? event.currentTarget : null;
    if (form) {
      clearFieldErrors(form);
      if (!browserChecksPass(form)) return;
    }
    try {
      await action(event);
    } catch (error) {
      if (!(form && showFieldErrors(form, error?.errors))) showError(box, error);
    }
  };
}

/**
 * A form whose errors are shown next to their fields. The browser's own bubbles are turned off
 * (noValidate) because they vanish and are not tied to the field for screen readers; the same
 * checks run in guarded() and their messages stay on the page. A field's length limit is shown
 * as a counter and checked on submit, never enforced by cutting what was typed or pasted.
 */
export function onSubmit(form, box, action) {
  form.noValidate = true;
  for (const field of form.querySelectorAll('[maxlength]')) countCharacters(field);
  form.addEventListener('submit', guarded(box, action));
}

// ---- confirmation -----------------------------------------------------------------------------

/**
 * Asks before an action that cannot be undone, in a modal <dialog> (focus stays inside it, Escape
 * cancels, and focus returns to the button that asked). Resolves true only when confirmed.
 */
export function confirmAction({ title, message, confirm, danger = true }) {
  const opener = document.activeElement;
  const titleId = `confirm-title-${(uniqueIds += 1)}`;
  const dialog = el(
    'dialog',
    { class: 'confirm', 'aria-labelledby': titleId, 'aria-describedby': `${titleId}-text` },
    el('h2', { id: titleId }, title),
    el('p', { id: `${titleId}-text` }, message),
    el('div', { class: 'row' }, el('button', { type: 'button', class: 'secondary', value: 'cancel', autofocus: true }, 'Cancel'), el('button', { type: 'button', class: danger ? 'danger' : '', value: 'confirm' }, confirm)),
  );
  document.body.append(dialog);
  return new Promise((resolve) => {
    dialog.addEventListener('click', (event) => {
      if (event.target instanceof HTMLButtonElement) dialog.close(event.target.value);
    });
    dialog.addEventListener('close', () => {
      dialog.remove();
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
      resolve(dialog.returnValue === 'confirm');
    });
    dialog.showModal();
  });
}

// ---- field errors -----------------------------------------------------------------------------

let uniqueIds = 0;

function browserChecksPass(form) {
  const invalid = [...form.elements].filter((input) => input.willValidate && (!input.checkValidity() || tooLong(input)));
  invalid.forEach((input, i) => showFieldError(input, tooLong(input) ? lengthMessage(input) : input.validationMessage, i === 0));
  return invalid.length === 0;
}

const limitOf = (field) => Number(field.dataset.maxlength);
const tooLong = (field) => field.dataset.maxlength !== undefined && field.value.length > limitOf(field);
const lengthMessage = (field) => `Use at most ${limitOf(field)} characters; this has ${field.value.length}.`;

/** Replaces the browser's silent cut at maxlength with a visible count and a check on submit. */
function countCharacters(field) {
  field.dataset.maxlength = field.getAttribute('maxlength');
  field.removeAttribute('maxlength');
  const counter = el('span', { class: 'counter' });
  const update = () => {
    counter.textContent = `${field.value.length} of ${limitOf(field)} characters`;
    counter.classList.toggle('over', tooLong(field));
  };
  field.addEventListener('input', update);
  update();
  field.after(counter);
}

/**
 * Places a management API problem's `errors` ([{ field, message }], field a path such as `name`
 * or `redirectUris/1`) next to the form controls of those names. False if none of them is in
 * this form: the caller then shows the problem's detail in the form's box.
 */
function showFieldErrors(form, errors) {
  if (!Array.isArray(errors)) return false;
  let shown = 0;
  for (const { field: path, message } of errors) {
    const [name, index] = String(path).split('/');
    const field = form.elements.namedItem(name);
    if (!(field instanceof HTMLElement)) continue;
    const text = String(message).charAt(0).toUpperCase() + String(message).slice(1);
    // A list typed one item per line: the item's index is its line.
    const line = field instanceof HTMLTextAreaElement && /^\d+$/.test(index ?? '') ? `Line ${Number(index) + 1}: ` : '';
    showFieldError(field, `${line}${line ? text.charAt(0).toLowerCase() + text.slice(1) : text}`, shown === 0);
    shown += 1;
  }
  return shown > 0;
}

/** The message goes right after the field's label, tied to the field by aria-describedby. */
function showFieldError(field, message, focus) {
  const id = `field-error-${(uniqueIds += 1)}`;
  const note = el('p', { class: 'error field-error', id, role: 'alert' }, message);
  (field.closest('label') ?? field).after(note);
  field.setAttribute('aria-invalid', 'true');
  field.setAttribute('aria-describedby', id);
  if (focus) field.focus();
}

function clearFieldErrors(form) {
  for (const note of form.querySelectorAll('.field-error')) note.remove();
  for (const field of form.querySelectorAll('[aria-invalid]')) {
    field.removeAttribute('aria-invalid');
    field.removeAttribute('aria-describedby');
  }
}

export function copyButton(getText, label = 'Copy') {
  const button = el('button', { type: 'button', class: 'secondary copy' }, label);
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(getText());
      button.textContent = 'Copied';
    } catch {
      button.textContent = 'Select and copy by hand';
    }
  });
  return button;
}

export function codeBlock(title, text) {
  const pre = el('pre', { class: 'code' }, el('code', {}, text));
  return el('figure', { class: 'snippet' }, el('figcaption', {}, title, ' ', copyButton(() => text)), pre);
}

export function statusBadge(status) {
  return el('span', { class: `badge status-${status}` }, status);
}

export const when = (iso) => new Date(iso).toLocaleString();

/** A user as lists name them (the API's UserRef): name and email, else whatever identifies them. */
export function personLabel(user) {
  if (!user) return '—';
  if (user.name && user.email) return `${user.name} <${user.email}>`;
  return user.name ?? user.email ?? user.username ?? user.id;
}
