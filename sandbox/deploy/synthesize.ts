import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildApp } from '#infra/app.ts';
import { contextRecord, SYNTH_CONTEXT_FILE } from './assembly.ts';

/**
 * Synthesize the CDK app into `outdir`, exactly as `cdk synth` does (the same `buildApp`, the
 * same bundling and cdk-nag checks), so the sandbox runs what would be deployed; and record the
 * context used, so a later run with other settings rebuilds (see `isAssemblyStale`).
 */
export async function synthesize(outdir: string, context: Record<string, unknown> = {}): Promise<void> {
  // The same context the CDK CLI sets, so the assembly is the one `cdk synth` writes.
  const app = new App({
    outdir,
    context: { ...context, 'aws:cdk:enable-asset-metadata': true, 'aws:cdk:enable-path-metadata': true },
  });
  buildApp(app);
  app.synth();
  // Last, so an interrupted synthesis leaves no record and is redone.
  writeFileSync(path.join(outdir, SYNTH_CONTEXT_FILE), contextRecord(context));
}
