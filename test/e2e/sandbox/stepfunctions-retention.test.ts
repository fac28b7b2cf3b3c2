import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { StepFunctionsService } from '#sandbox/services/stepfunctions/service.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Heap in use once garbage is collected. */
const liveHeap = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

/**
 * A Choice state with many rules: a large definition whose executions' input, output and history
 * stay small, so what an ended execution holds on to is its engine, not its data.
 */
const RULES = 600;
const definition = {
  StartAt: 'Route',
  States: {
    Route: {
      Type: 'Choice',
      Choices: Array.from({ length: RULES }, (_, i) => ({
        Variable: '$.n',
        NumericEquals: i + 1,
        Next: 'Done',
      })),
      Default: 'Done',
    },
    Done: { Type: 'Pass', Result: 'ok', End: true },
  },
};

describe('Step Functions executions that have ended', () => {
  it('keep their record and history but not their running engine', { timeout: 180_000 }, async () => {
    const service = new StepFunctionsService();
    const { arn } = service.registerStateMachine({
      arn: 'arn:aws:states:us-east-1:111122223333:stateMachine:many-rules',
      name: 'many-rules',
      definition,
      roleArn: 'arn:aws:iam::111122223333:role/machine',
    });
    const run = async (count: number, offset: number) => {
      const started = Array.from({ length: count }, (_, i) =>
        service.startExecution({ stateMachineArn: arn, name: `run-${offset + i}`, input: '{"n":0}' }),
      );
      await service.whenIdle();
      return started;
    };
    await run(5, 0); // warm: code compiled, caches filled
    const before = liveHeap();
    const executions = await run(60, 5);
    const retained = liveHeap() - before;

    // What AWS keeps of an ended execution is still there.
    const last = executions.at(-1)?.arn as string;
    expect(service.describeExecution(last).status).toBe('SUCCEEDED');
    expect(service.executionHistory(last).map((e) => e.type)).toContain('ExecutionSucceeded');
    // Each copy of the definition the engine ran is about 100 KB; a history here is a few KB.
    expect(retained / executions.length).toBeLessThan(20 * 1024);
  });
});
