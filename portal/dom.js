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

export function show(...children) {
  view.replaceChildren(...children.flat(Infinity).filter((child) => child !== null && child !== undefined && child !== false));
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
      const field = form && fieldNamedBy(form, error);
      if (field) showFieldError(field, friendly(error.message), true);
      else showError(box, error);
    }
  };
}

/**
 * A form whose errors are shown next to their fields. The browser's own bubbles are turned off
 * (noValidate) because they vanish and are not tied to the field for screen readers; the same
 * checks run in guarded() and their messages stay on the page.
 */
export function onSubmit(form, box, action) {
  form.noValidate = true;
  form.addEventListener('submit', guarded(box, action));
}

// ---- field errors -----------------------------------------------------------------------------

let fieldErrorCount = 0;

function browserChecksPass(form) {
  const invalid = [...form.elements].filter((input) => input.willValidate && !input.checkValidity());
  invalid.forEach((input, i) => showFieldError(input, input.validationMessage, i === 0));
  return invalid.length === 0;
}

/**
 * The form control a management API problem is about. Schema errors name it by instancePath
 * ("body/redirectUris/0 must match format ..."), domain errors by its first word ("password is too
 * short"); both are the request's field names, which are the forms' input names.
 */
function fieldNamedBy(form, error) {
  const name = /^(?:body\/)?([A-Za-z]+)\b/.exec(error?.message ?? '')?.[1];
  const field = name ? form.elements.namedItem(name) : null;
  return field instanceof HTMLElement ? field : null;
}

/** Plain words for the schema's phrasing; the field itself is already named by its label. */
function friendly(message) {
  const [, path = '', rest = message] = /^(?:body\/)?([A-Za-z]+(?:\/\d+)?)\s+(.*)$/.exec(message) ?? [];
  const line = /\/(\d+)$/.exec(path);
  const text = plainWords(rest) ?? message;
  return line ? `Line ${Number(line[1]) + 1}: ${text}` : text.charAt(0).toUpperCase() + text.slice(1);
}

function plainWords(rule) {
  const format = /must match format "(\w+)"/.exec(rule)?.[1];
  if (format === 'uri') return 'enter an absolute URI, such as https://example.com/callback or com.example.app:/callback.';
  if (format === 'email') return 'enter an email address, such as name@example.com.';
  if (/must NOT have fewer than 1 characters/.test(rule)) return 'this cannot be empty.';
  const most = /must NOT have more than (\d+) characters/.exec(rule)?.[1];
  return most ? `use at most ${most} characters.` : null;
}

/** The message goes right after the field's label, tied to the field by aria-describedby. */
function showFieldError(field, message, focus) {
  const id = `field-error-${(fieldErrorCount += 1)}`;
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
