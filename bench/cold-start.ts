import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { SANDBOX_CREDENTIALS } from '#sandbox/aws-sdk-clients.ts';
import { readAssembly } from '#sandbox/deploy/assembly.ts';
import { physicalResources, resolveTemplate } from '#sandbox/deploy/resolve.ts';
import type { Sandbox } from '#sandbox/index.ts';
import { SANDBOX_ACCOUNT_ID, SANDBOX_REGION } from '#sandbox/server.ts';
import { type BenchSection, fmt, median } from './stats.ts';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..');
const RUNS = 20;

/** The event each function is called with; functions without one are measured on import only. */
function eventFor(logicalId: string): unknown | undefined {
  if (logicalId.startsWith('Classify')) {
    return JSON.parse(
      readFileSync(
        path.join(ROOT, 'test/fixtures/events/guardduty-iam-credential-exfiltration.json'),
        'utf8',
      ),
    );
  }
  return undefined;
}

/** In a fresh process: import the bundle, call the handler once, print the milliseconds taken. */
const PROBE = `
const [bundle, handlerName, eventJson] = process.argv.slice(1);
const t0 = performance.now();
const mod = await import(bundle);
if (eventJson !== '-') {
  await mod[handlerName](JSON.parse(eventJson), { functionName: 'bench', awsRequestId: 'r', getRemainingTimeInMillis: () => 10000 });
}
console.log(JSON.stringify({ ms: performance.now() - t0 }));
`;

async function measure(
  bundle: string,
  handler: string,
  event: unknown,
  env: NodeJS.ProcessEnv,
): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const { stdout } = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        PROBE,
        bundle,
        handler,
        event === undefined ? '-' : JSON.stringify(event),
      ],
      { env },
    );
    times.push(JSON.parse(stdout.trim().split('\n').at(-1) as string).ms);
  }
  return times;
}

/**
 * Every Lambda bundle in cdk.out: its size, and the median over 20 fresh processes of importing
 * it and running one handler call against the sandbox, compared with an empty ESM handler.
 */
export async function benchColdStart(sandbox: Sandbox): Promise<BenchSection> {
  const [stack] = readAssembly(path.join(ROOT, 'cdk.out'));
  if (!stack) throw new Error('no stack in cdk.out');
  const target = {
    stackName: stack.stackName,
    accountId: SANDBOX_ACCOUNT_ID,
    region: SANDBOX_REGION,
    endpoint: sandbox.endpoint,
  };
  const physical = physicalResources(stack.template, target);
  const template = resolveTemplate(stack.template, target, physical);
  const baseEnv = {
    PATH: process.env.PATH,
    AWS_ENDPOINT_URL: sandbox.endpoint,
    AWS_REGION: SANDBOX_REGION,
    AWS_ACCESS_KEY_ID: SANDBOX_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: SANDBOX_CREDENTIALS.secretAccessKey,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    POWERTOOLS_METRICS_DISABLED: 'true',
  };

  const emptyDir = mkdtempSync(path.join(tmpdir(), 'empty-handler-'));
  const empty = path.join(emptyDir, 'index.mjs');
  writeFileSync(empty, 'export const handler = async () => ({});\n');
  const floor = median(await measure(empty, 'handler', {}, baseEnv));

  const rows: string[][] = [];
  const misses: string[] = [];
  for (const fn of [...physical.values()].filter((r) => r.type === 'AWS::Lambda::Function')) {
    const props = template.Resources[fn.logicalId]?.Properties ?? {};
    const s3Key = String(props.Code?.S3Key ?? '').replace(/\.zip$/, '');
    const assetDir = path.join(
      ROOT,
      'cdk.out',
      stack.template.Resources[fn.logicalId]?.Metadata?.['aws:asset:path'] ?? `asset.${s3Key}`,
    );
    const bundle = path.join(assetDir, 'index.mjs');
    const size = statSync(bundle).size;
    const [, handler = 'handler'] = String(props.Handler ?? 'index.handler').split('.');
    const event = eventFor(fn.logicalId);
    const env = { ...baseEnv, ...(props.Environment?.Variables ?? {}), AWS_LAMBDA_FUNCTION_NAME: fn.name };
    const ms = median(await measure(bundle, handler, event, env));
    rows.push([
      fn.logicalId,
      `${fmt(size / 1024, 0)} KB`,
      event === undefined ? 'import only' : 'import + 1 call',
      fmt(ms, 1),
      fmt(ms - floor, 1),
    ]);
    if (size > 250 * 1024) misses.push(`${fn.logicalId} is ${fmt(size / 1024, 0)} KB (target ≤ 250 KB)`);
    if (ms - floor > 40)
      misses.push(`${fn.logicalId} takes ${fmt(ms - floor, 1)} ms over the floor (target ≤ 40 ms)`);
  }
  return {
    title: 'Cold start',
    body: [
      `Median of ${RUNS} fresh Node processes each; the SDK points at the sandbox. Floor (empty ESM handler): ${fmt(floor, 1)} ms.`,
      '',
      '| function | bundle (minified) | measured | median ms | over floor ms |',
      '|---|---|---|---|---|',
      ...rows.map((r) => `| ${r.join(' | ')} |`),
      '',
      misses.length === 0
        ? 'Targets (≤ 250 KB, ≤ 40 ms over the floor): met.'
        : `Targets missed: ${misses.join('; ')}. The bundles are dominated by the SDK v3 clients and core they carry; the schemas, on \`zod/mini\`, take ≈ 20-40 KB of each.`,
    ].join('\n'),
  };
}
