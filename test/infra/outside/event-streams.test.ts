import { NormalizedSchema } from '@smithy/core/schema';
import { describe, expect, it } from 'vitest';
import { callsOf } from './function-calls.ts';
import { FUNCTION_ENTRIES } from './role-calls.ts';
import type { OperationSchema } from './sdk-tasks.ts';

/** Whether the operation's request or answer is an event stream, by the SDK's schema of it. */
async function streamsEvents(pkg: string, operation: string): Promise<boolean> {
  const schemas = (await import(`@aws-sdk/${pkg}/dist-es/schemas/schemas_0.js`)) as Record<string, unknown>;
  const op = schemas[`${operation}$`] as OperationSchema | undefined;
  if (!op) throw new Error(`${pkg} has no operation ${operation}`);
  return [op[4](), op[5]()].some((schema) => NormalizedSchema.of(schema).getEventStreamMember() !== '');
}

describe('the event stream codec the Lambda bundles leave out (infra/bundling/no-event-streams.ts)', () => {
  it('is needed by no call of any function', async () => {
    const checked: string[] = [];
    const streaming: string[] = [];
    for (const entry of new Set(Object.values(FUNCTION_ENTRIES)))
      for (const call of callsOf(entry)) {
        checked.push(call.operation);
        if (await streamsEvents(call.pkg, call.operation)) streaming.push(`${call.file} ${call.operation}`);
      }
    expect(checked).toContain('Invoke');
    expect(streaming).toEqual([]);
    // Each function's bundle is built once to read its calls.
  }, 180_000);

  it('is told apart by the check: a response stream is one', async () => {
    expect(await streamsEvents('client-lambda', 'InvokeWithResponseStream')).toBe(true);
    expect(await streamsEvents('client-lambda', 'Invoke')).toBe(false);
  });
});
