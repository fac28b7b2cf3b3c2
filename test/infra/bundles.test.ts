import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
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

  it('make their calls as before, and refuse an event stream by name', async () => {
    // A Lambda client bundled as the functions bundle theirs, against a local endpoint.
    const outfile = path.join(mkdtempSync(path.join(tmpdir(), 'bundle-')), 'probe.mjs');
    await build({
      stdin: {
        contents: `
          import { InvokeCommand, InvokeWithResponseStreamCommand, LambdaClient } from '@aws-sdk/client-lambda';
          export async function probe(endpoint) {
            const client = new LambdaClient({ region: 'us-east-1', endpoint, maxAttempts: 1,
              credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });
            const invoked = await client.send(new InvokeCommand({ FunctionName: 'f' }));
            const streamed = await client.send(new InvokeWithResponseStreamCommand({ FunctionName: 'f' }))
              .then(() => 'answered', (error) => error.name);
            return { invoked: invoked.StatusCode, streamed };
          }`,
        resolveDir: ROOT,
        loader: 'js',
      },
      outfile,
      bundle: true,
      platform: 'node',
      format: LAMBDA_BUNDLE.format,
      target: LAMBDA_BUNDLE.target,
      mainFields: [...LAMBDA_BUNDLE.mainFields],
      banner: { js: LAMBDA_BUNDLE.banner },
      alias: sdkAliases(),
      logLevel: 'error',
    });
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' }).end();
    });
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    try {
      const { probe } = (await import(outfile)) as {
        probe: (endpoint: string) => Promise<{ invoked?: number; streamed: string }>;
      };
      const { port } = server.address() as AddressInfo;
      expect(await probe(`http://127.0.0.1:${port}`)).toEqual({
        invoked: 200,
        streamed: 'EventStreamsNotBundledError',
      });
    } finally {
      server.close();
    }
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
