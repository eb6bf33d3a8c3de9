// What the remote commands print: human-readable tables by default, the API's JSON with --json
// (for scripts: stable field names, nothing else on stdout).

export type Column<T> = readonly [header: string, value: (row: T) => unknown];

// A name stored through the API (or an external profile) may hold ESC, CSI, OSC, BEL or CR: sent
// raw to a terminal, they recolour, retitle, rewrite earlier lines or hide text. Human output
// shows them as visible escapes instead; so are the bidirectional overrides, which reorder what
// a line appears to say (CVE-2021-42574's trick). --json prints the API's strings exactly.
const UNSAFE_FOR_TERMINALS = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/gu;
const NAMED_ESCAPES: Readonly<Record<string, string>> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** Text with every control character (and bidi override) shown as a visible escape. */
export function escapeControlCharacters(text: string): string {
  return text.replace(UNSAFE_FOR_TERMINALS, (character) => {
    const named = NAMED_ESCAPES[character];
    if (named) return named;
    const code = character.codePointAt(0) as number;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (Array.isArray(value)) return value.length === 0 ? '-' : escapeControlCharacters(value.join(','));
  return escapeControlCharacters(String(value));
}

export function table<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = rows.map((row) => columns.map(([, value]) => cell(value(row))));
  const widths = columns.map(([header], i) => Math.max(header.length, ...cells.map((line) => (line[i] as string).length)));
  const format = (line: readonly string[]) => line.map((text, i) => text.padEnd(widths[i] as number)).join('  ').trimEnd();
  return [format(columns.map(([header]) => header.toUpperCase())), ...cells.map(format)].join('\n');
}

export function print<T>(data: T, json: boolean | undefined, human: (data: T) => string): void {
  // Cells are escaped already; this catches what a command's own lines interpolate.
  const text = json ? JSON.stringify(data, null, 2) : human(data).split('\n').map(escapeControlCharacters).join('\n');
  process.stdout.write(`${text}\n`);
}

/** A page as a table, with the command to fetch the next one. */
export function printPage<T>(page: { items: readonly T[]; nextCursor: string | null }, json: boolean | undefined, columns: readonly Column<T>[]): void {
  print(page, json, (p) => {
    const lines = [p.items.length === 0 ? '(none)' : table(p.items, columns)];
    if (p.nextCursor) lines.push(`more: --cursor ${p.nextCursor}`);
    return lines.join('\n');
  });
}

/** One record as "field: value" lines. */
export function record(data: object): string {
  const entries = Object.entries(data);
  const width = Math.max(...entries.map(([key]) => key.length));
  return entries.map(([key, value]) => `${key.padEnd(width)}  ${cell(typeof value === 'object' && value !== null && !Array.isArray(value) ? JSON.stringify(value) : value)}`).join('\n');
}
