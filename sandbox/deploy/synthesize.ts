import { App } from 'aws-cdk-lib';
import { buildApp } from '#infra/app.ts';

/**
 * Synthesize the CDK app into `outdir`, exactly as `cdk synth` does (the same `buildApp`, the
 * same bundling and cdk-nag checks), so the sandbox runs what would be deployed.
 */
export async function synthesize(outdir: string, context: Record<string, unknown> = {}): Promise<void> {
  // The same context the CDK CLI sets, so the assembly is the one `cdk synth` writes.
  const app = new App({
    outdir,
    context: { ...context, 'aws:cdk:enable-asset-metadata': true, 'aws:cdk:enable-path-metadata': true },
  });
  buildApp(app);
  app.synth();
}
