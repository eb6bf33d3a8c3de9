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
    try {
      await action(event);
    } catch (error) {
      showError(box, error);
    }
  };
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
