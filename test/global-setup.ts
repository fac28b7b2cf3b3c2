import path from 'node:path';
import { isAssemblyStale } from '#sandbox/deploy/assembly.ts';
import { ORG_ASSEMBLY, ORG_CONTEXT } from './e2e/org/organization.ts';
import { synthesizeTestTemplate } from './infra/synthesized-template.ts';

/**
 * Synthesize the CDK app once before any test runs, so end-to-end files that deploy it into the
 * sandbox (in parallel workers) never race to write `cdk.out`: the single-account app, and the
 * organization's (security and member stacks) into `cdk.out.org`; and the template the infra
 * tests read, so no infra file synthesizes the whole app on its own.
 */
export default async function setup(): Promise<void> {
  const root = path.resolve(import.meta.dirname, '..');
  // Imported only when needed: loading the app and CDK takes seconds, wasted when nothing is stale.
  const synthesize = async (outdir: string, context?: Record<string, unknown>) =>
    (await import('#sandbox/deploy/synthesize.ts')).synthesize(outdir, context);
  const assemblyDir = path.join(root, 'cdk.out');
  if (isAssemblyStale(assemblyDir, root)) await synthesize(assemblyDir);
  if (isAssemblyStale(ORG_ASSEMBLY, root, ORG_CONTEXT)) await synthesize(ORG_ASSEMBLY, ORG_CONTEXT);
  // After the assemblies: the Lambda bundles just built are reused within this process.
  await synthesizeTestTemplate();
}
