import { displayText } from '#shared/text/display.ts';

/**
 * Render rows as an aligned text table with a header. Cells often quote a finding or a reason,
 * so each is shown through {@link displayText}: no escape sequence, no line break of its own.
 */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const cells = rows.map((row) => row.map((cell) => displayText(cell)));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}
