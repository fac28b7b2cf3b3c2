/**
 * Text from a finding, a decision or any other outside source, made safe to show a person.
 *
 * A finding's fields and a decision's reason are written by whoever produced the event (or
 * typed the reason): an escape sequence in them would recolour, move the cursor or retitle the
 * terminal of the engineer reading `remediate audit`, and a line break inside a finding id would
 * forge a line of the notification it is quoted in. Every CLI output and every notification text
 * goes through {@link displayText}; JSON output needs no help, JSON escapes control characters.
 */

/**
 * C0 controls except the three whitespace ones, DEL, C1 controls (`\u009b` is a one-character
 * CSI in many terminals), and the Unicode format characters that reorder or hide what follows:
 * bidirectional embeddings, overrides and isolates ("Trojan Source", CVE-2021-42574).
 */
const CONTROL =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Line and paragraph breaks (and tabs): each becomes one space, so a value stays on its line. */
const BREAKS = /[\t\n\r\u2028\u2029]/g;

/** How much of an outside value is echoed back by default (rejection reasons, notifications). */
export const ECHO_LIMIT = 200;

/**
 * `value` with control and bidirectional-format characters removed and line breaks turned into
 * spaces; cut to `max` characters (see {@link capText}) when given.
 */
export function displayText(value: string, max?: number): string {
  const clean = value.replace(CONTROL, '').replace(BREAKS, ' ');
  return max === undefined ? clean : capText(clean, max);
}

/**
 * `value` cut to `max` characters with an ellipsis and the original length, e.g.
 * `AKIAAAAA…(245760 chars)`, so an echoed value can never make a message (or an audit record,
 * which DynamoDB caps at 400 KB) unboundedly large, and the reader still sees it was cut.
 */
export function capText(value: string, max: number = ECHO_LIMIT): string {
  if (value.length <= max) return value;
  let head = value.slice(0, max);
  // Never leave half a surrogate pair at the cut.
  if (/[\ud800-\udbff]$/.test(head)) head = head.slice(0, -1);
  return `${head}…(${value.length} chars)`;
}

/**
 * A multi-line text whose line breaks are the caller's own (a table, a timeline): each line
 * through {@link displayText}, so nothing in it but `\n` is a control character.
 */
export function displayBlock(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => displayText(line))
    .join('\n');
}

/** What JSON.stringify leaves raw but a terminal acts on: DEL, C1 controls, bidi formats, U+2028/9. */
const RAW_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * `JSON.stringify(value, null, space)` with every character a terminal would act on written as a
 * `\uXXXX` escape: the same JSON value for a program reading it (an export stays verifiable),
 * inert on a screen. JSON.stringify already escapes C0 controls.
 */
export function jsonText(value: unknown, space?: number): string {
  return JSON.stringify(value, null, space).replace(
    RAW_IN_JSON,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
