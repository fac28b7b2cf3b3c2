import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Output } from '#cli/commands/policy.ts';

/** The repository root: commands run from here, as a user would. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Run `node bin/remediate.js ...args` from the repository root. */
export function runCli(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['bin/remediate.js', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** An {@link Output} that keeps what a command printed. */
export function recordOutput(): Output & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    log: (line: unknown) => out.push(String(line)),
    error: (line: unknown) => err.push(String(line)),
  };
}
