import path from 'node:path';
import { isAssemblyStale } from '#sandbox/deploy/assembly.ts';

/**
 * Synthesize the CDK app once before any test runs, so end-to-end files that deploy it into the
 * sandbox (in parallel workers) never race to write `cdk.out`.
 */
export default async function setup(): Promise<void> {
  const root = path.resolve(import.meta.dirname, '..');
  const assemblyDir = path.join(root, 'cdk.out');
  if (!isAssemblyStale(assemblyDir, root)) return;
  const { synthesize } = await import('#sandbox/deploy/synthesize.ts');
  await synthesize(assemblyDir);
}
