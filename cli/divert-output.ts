import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Output } from './commands/policy.ts';

/** The process's output diverted to a log file, and the story still told on the terminal. */
export interface DivertedOutput {
  /** Writes to the terminal, whatever else is diverted. */
  readonly story: Output;
  /** Put stdout and stderr back (before an error is reported). */
  restore(): void;
}

/**
 * Send everything else the process writes to stdout and stderr into `logFile` (and, with `echo`,
 * to the terminal too), while {@link DivertedOutput.story} writes to the terminal only.
 *
 * The sandbox runs each Lambda function in a worker thread whose console Node pipes into this
 * process's `process.stdout`/`process.stderr` streams by calling their `write`, so the functions'
 * JSON logs (Powertools) land here too: the story is not interleaved with them, and
 * `--verbose` shows them. Restored by {@link DivertedOutput.restore}.
 */
export function divertOutput(logFile: string, echo: boolean): DivertedOutput {
  mkdirSync(path.dirname(logFile), { recursive: true });
  const fd = openSync(logFile, 'w');
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const divert =
    (toTerminal: typeof out): typeof out =>
    (chunk: Uint8Array | string, ...rest: unknown[]): boolean => {
      writeSync(fd, typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
      if (echo) return (toTerminal as (...args: unknown[]) => boolean)(chunk, ...rest);
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    };
  process.stdout.write = divert(out);
  process.stderr.write = divert(err);
  let restored = false;
  return {
    story: {
      log: (line: unknown) => {
        out(`${String(line)}\n`);
      },
      error: (line: unknown) => {
        err(`${String(line)}\n`);
      },
    },
    restore() {
      if (restored) return;
      restored = true;
      process.stdout.write = out;
      process.stderr.write = err;
      closeSync(fd);
    },
  };
}
