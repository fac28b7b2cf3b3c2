import { spawn } from 'node:child_process';
import path from 'node:path';
import { isAssemblyStale } from '#sandbox/deploy/assembly.ts';
import { ORG_ASSEMBLY, ORG_CONTEXT } from './e2e/org/organization.ts';
import { synthesizeTestTemplate } from './infra/synthesized-template.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

/**
 * Synthesize the CDK app once before any test runs, so end-to-end files that deploy it into the
 * sandbox (in parallel workers) never race to write `cdk.out`: the single-account app, and the
 * organization's (security and member stacks) into `cdk.out.org`; and the template the infra
 * tests read, so no infra file synthesizes the whole app on its own.
 */
export default async function setup(): Promise<void> {
  // The organization's assembly in another process meanwhile: building an app keeps one core busy.
  const organization = isAssemblyStale(ORG_ASSEMBLY, ROOT, ORG_CONTEXT)
    ? synthesizeInAnotherProcess(ORG_ASSEMBLY, ORG_CONTEXT).catch((error: unknown) => error)
    : undefined;
  const assemblyDir = path.join(ROOT, 'cdk.out');
  // Imported only when needed: loading the app and CDK takes seconds, wasted when nothing is stale.
  if (isAssemblyStale(assemblyDir, ROOT))
    await (await import('#sandbox/deploy/synthesize.ts')).synthesize(assemblyDir);
  await synthesizeTestTemplate();
  const failed = await organization;
  if (failed) throw failed;
}

/** Run test/synthesize-assembly.ts in a child process; rejects with its output if it fails. */
function synthesizeInAnotherProcess(outdir: string, context: Record<string, unknown>): Promise<void> {
  const script = path.join(ROOT, 'test/synthesize-assembly.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', script, outdir, JSON.stringify(context)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`synthesizing ${outdir} failed (exit ${code}):\n${output}`)),
    );
  });
}
