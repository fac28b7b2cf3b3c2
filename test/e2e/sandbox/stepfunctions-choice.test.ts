import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxServer } from '#sandbox/server.ts';
import { StepFunctionsService } from '#sandbox/services/stepfunctions/service.ts';

const server = new SandboxServer();
const stepFunctions = new StepFunctionsService();
server.register(stepFunctions);
let sfn: SFNClient;
const ARN = 'arn:aws:states:us-east-1:111122223333:stateMachine:presence';

beforeAll(async () => {
  const endpoint = await server.listen({ port: 0 });
  sfn = new SFNClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'sandbox-secret' },
  });
  stepFunctions.registerStateMachine({
    arn: ARN,
    name: 'presence',
    roleArn: 'arn:aws:iam::111122223333:role/r',
    definition: {
      StartAt: 'Has profile?',
      States: {
        'Has profile?': {
          Type: 'Choice',
          Choices: [
            { Variable: '$.profile', IsPresent: false, Next: 'Absent' },
            {
              And: [
                { Variable: '$.profile', IsPresent: true },
                { Variable: '$.extra', IsPresent: false },
              ],
              Next: 'OnlyProfile',
            },
          ],
          Default: 'Both',
        },
        Absent: { Type: 'Pass', Result: 'absent', End: true },
        OnlyProfile: { Type: 'Pass', Result: 'only-profile', End: true },
        Both: { Type: 'Pass', Result: 'both', End: true },
      },
    },
  });
});
afterAll(async () => {
  await stepFunctions.close();
  await server.close();
});

async function run(input: unknown): Promise<unknown> {
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn: ARN, input: JSON.stringify(input) }),
  );
  await stepFunctions.whenIdle();
  return JSON.parse((await sfn.send(new DescribeExecutionCommand({ executionArn }))).output as string);
}

describe('Choice rules with IsPresent: false', () => {
  it('match when the path is absent, also inside And, as Step Functions does', async () => {
    expect(await run({})).toBe('absent');
    expect(await run({ profile: 'p' })).toBe('only-profile');
    expect(await run({ profile: 'p', extra: 1 })).toBe('both');
  });
});
