import { RemediationError } from '#shared/errors.ts';

/** The widest line `npm start` prints (its test holds it to this). */
export const DEMO_WIDTH = 100;

/** The demo could not finish: what went wrong and where the logs are. */
export class DemoError extends RemediationError {
  override name = 'DemoError';
}

/** The one time format of the demo: `HH:MM:SS.mmm`, UTC. */
export function clock(iso: string): string {
  return iso.slice(11, 23);
}

/** Poll `probe` until it gives a value; {@link DemoError} after `seconds`. */
export async function until<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string,
  seconds = 20,
): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new DemoError(
    `${what} did not happen within ${seconds} s: read .sandbox/demo.log, or run again with --verbose`,
  );
}

/**
 * `line` broken at spaces into lines of at most `width` columns, each continuation indented four
 * more than the line; a word longer than the room is cut, so no line is ever wider.
 */
export function wrapLine(line: string, width: number = DEMO_WIDTH): string[] {
  if (line.length <= width) return [line];
  const indent = `${/^ */.exec(line)?.[0] ?? ''}    `;
  const lines: string[] = [];
  let rest = line;
  let prefix = '';
  while (prefix.length + rest.length > width) {
    const room = width - prefix.length;
    const cut = rest.lastIndexOf(' ', room);
    const at = cut > prefix.length ? cut : room;
    lines.push(prefix + rest.slice(0, at));
    rest = rest.slice(at).trimStart();
    prefix = indent;
  }
  lines.push(prefix + rest);
  return lines;
}
