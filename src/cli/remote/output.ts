// What the remote commands print: human-readable tables by default, the API's JSON with --json
// (for scripts: stable field names, nothing else on stdout).

export type Column<T> = readonly [header: string, value: (row: T) => unknown];

function cell(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (Array.isArray(value)) return value.length === 0 ? '-' : value.join(',');
  return String(value);
}

export function table<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = rows.map((row) => columns.map(([, value]) => cell(value(row))));
  const widths = columns.map(([header], i) => Math.max(header.length, ...cells.map((line) => (line[i] as string).length)));
  const format = (line: readonly string[]) => line.map((text, i) => text.padEnd(widths[i] as number)).join('  ').trimEnd();
  return [format(columns.map(([header]) => header.toUpperCase())), ...cells.map(format)].join('\n');
}

export function print<T>(data: T, json: boolean | undefined, human: (data: T) => string): void {
  process.stdout.write(`${json ? JSON.stringify(data, null, 2) : human(data)}\n`);
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
