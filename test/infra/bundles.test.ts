import path from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { LAMBDA_BUNDLE } from '#infra/bundling/lambda-bundle.ts';
import { sdkAliases } from '#infra/bundling/sdk-aliases.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** The files esbuild put in a function's bundle (`functions/<name>`), built as the construct builds it. */
async function bundledFiles(name = 'audit-append'): Promise<string[]> {
  const result = await build({
    entryPoints: [path.join(ROOT, 'functions', name, 'handler.ts')],
    bundle: true,
    write: false,
    outfile: 'index.mjs',
    platform: 'node',
    format: LAMBDA_BUNDLE.format,
    target: LAMBDA_BUNDLE.target,
    minify: LAMBDA_BUNDLE.minify,
    mainFields: [...LAMBDA_BUNDLE.mainFields],
    alias: sdkAliases(),
    metafile: true,
    logLevel: 'error',
  });
  return Object.keys(result.metafile.inputs);
}

describe('Lambda bundles', () => {
  it('carry the environment credential provider only, and one copy of @smithy/core', async () => {
    const files = await bundledFiles();
    const packages = new Set(
      files.map((f) => [...f.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)].at(-1)?.[1]),
    );
    expect(packages).toContain('@aws-sdk/credential-provider-env');
    for (const unused of [
      '@aws-sdk/credential-provider-node',
      '@aws-sdk/credential-provider-ini',
      '@aws-sdk/credential-provider-sso',
      '@aws-sdk/nested-clients',
    ]) {
      expect(packages).not.toContain(unused);
    }
    const smithyCopies = new Set(
      files.filter((f) => f.includes('@smithy/core/')).map((f) => f.slice(0, f.indexOf('@smithy/core/'))),
    );
    expect([...smithyCopies]).toHaveLength(1);
    expect(files.filter((f) => f.includes('@smithy/core/dist-cjs'))).toEqual([]);
  });

  it('leave the event stream codec out: no function calls an event-stream operation', async () => {
    const files = await bundledFiles();
    expect(files).toContain('infra/bundling/no-event-streams.ts');
    expect(files.filter((f) => f.includes('/event-streams/'))).toEqual([]);
  });

  it('leave the undo reversers and the playbook facts out of the classifier', async () => {
    // It reads only which setting a control names (shared/playbooks/control-settings.ts); the facts
    // files import their reversers, and with them shared/undo/, which the classifier never runs.
    const files = await bundledFiles('classify');
    expect(files.filter((f) => f.startsWith('shared/undo/'))).toEqual([]);
    expect(
      files.filter((f) => f.startsWith('shared/playbooks/') && f !== 'shared/playbooks/control-settings.ts'),
    ).toEqual([]);
  });
});
