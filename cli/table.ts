import { displayText } from '#shared/text/display.ts';

/**
 * Render rows as an aligned text table with a header. Cells often quote a finding or a reason,
 * so each is shown through {@link displayText}: no escape sequence, no line break of its own.
 */
export function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  options: { maxWidth?: number } = {},
): string {
  const cells = rows.map((row) => row.map((cell) => displayText(cell)));
  // With maxWidth, the last column is cut (with an ellipsis) so no line is wider.
  if (options.maxWidth !== undefined) {
    const last = header.length - 1;
    const before = header
      .slice(0, last)
      .reduce((sum, h, i) => sum + Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)) + 2, 0);
    const room = Math.max(header[last]?.length ?? 0, options.maxWidth - before);
    for (const row of cells) {
      const cell = row[last];
      if (cell !== undefined && cell.length > room) row[last] = `${cell.slice(0, room - 1)}…`;
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}
