import { spawn } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { isAssemblyStale } from '#sandbox/deploy/assembly.ts';
import { RemediationError } from '#shared/errors.ts';

/** The project root, where `cdk.out` and `.sandbox/` live. */
export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..');

/** Where the sandbox commands write what is not part of their story (synthesis, function logs). */
export const SANDBOX_DIR = path.join(PROJECT_ROOT, '.sandbox');

/** Synthesis failed; its output is in the log file named. */
export class SynthesisError extends RemediationError {
  override name = 'SynthesisError';
}

/**
 * Synthesize `cdk.out` when it is stale, as the sandbox would, but in a child process whose output
 * (esbuild's bundle sizes and timings for every function) goes to `logFile` instead of the
 * terminal. Returns whether it synthesized.
 */
export async function synthesizeQuietly(logFile: string, say: (line: string) => void): Promise<boolean> {
  const assemblyDir = path.join(PROJECT_ROOT, 'cdk.out');
  if (!isAssemblyStale(assemblyDir, PROJECT_ROOT)) return false;
  say(
    `synthesizing the CDK app into cdk.out (about 15 s; output in ${path.relative(process.cwd(), logFile)})…`,
  );
  mkdirSync(path.dirname(logFile), { recursive: true });
  const log = openSync(logFile, 'a');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(import.meta.dirname, 'synth-assembly.ts'), assemblyDir],
    {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', log, log],
    },
  );
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) {
    throw new SynthesisError(`synthesis failed (exit ${code}): read ${logFile}, fix the cause, run again`);
  }
  return true;
}
