import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Output } from '#cli/commands/policy.ts';

/** The repository root: commands run from here, as a user would. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Run `node bin/remediate.js ...args` from the repository root, with `env` as its whole environment when given. */
export function runCli(
  args: readonly string[],
  env?: NodeJS.ProcessEnv,
): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['bin/remediate.js', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 60_000,
    ...(env && { env }),
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * {@link runCli} without blocking: for a CLI that talks to a sandbox served by this same process
 * (spawnSync would stop the event loop the sandbox answers on).
 */
export function runCliAsync(
  args: readonly string[],
  env?: NodeJS.ProcessEnv,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/remediate.js', ...args], {
      cwd: repoRoot,
      timeout: 60_000,
      ...(env && { env }),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
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
