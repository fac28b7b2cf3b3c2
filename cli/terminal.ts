import { displayBlock } from '#shared/text/display.ts';
import type { Output } from './commands/policy.ts';

/**
 * The console, with every line shown through {@link displayBlock}: whatever a command prints
 * (a finding id in an error, a reason in a table) reaches the terminal without control
 * characters. The commands sanitize what they quote themselves; this is the last line of defence.
 */
export const terminal: Output = {
  log: (line: unknown) => console.log(displayBlock(String(line))),
  error: (line: unknown) => console.error(displayBlock(String(line))),
};
