import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxServer } from '#sandbox/server.ts';
import { LambdaService } from '#sandbox/services/lambda.ts';
import { StepFunctionsService } from '#sandbox/services/stepfunctions/service.ts';

const run = promisify(execFile);
const hasAws = (process.env.PATH ?? '')
  .split(delimiter)
  .some((dir) => statSync(join(dir, 'aws'), { throwIfNoEntry: false })?.isFile() === true);
const assetDir = fileURLToPath(new URL('../../fixtures/lambdas/basic', import.meta.url));
const definition = {
  StartAt: 'Mode?',
  States: {
    'Mode?': {
      Type: 'Choice',
      Choices: [{ Variable: '$.mode', StringEquals: 'auto', Next: 'Contained' }],
      Default: 'Refused',
    },
    Contained: { Type: 'Pass', Result: 'contained', ResultPath: '$.outcome', End: true },
    Refused: { Type: 'Fail', Error: 'UnknownMode' },
  },
};

if (!hasAws) console.warn('Skipping the AWS CLI tests: `aws` is not on PATH');

describe.skipIf(!hasAws)('the AWS CLI against the sandbox Step Functions and Lambda', () => {
  let server: SandboxServer;
  let service: StepFunctionsService;
  let lambda: LambdaService;
  let endpoint: string;
  let binaryFormat: string[] = [];

  beforeAll(async () => {
    server = new SandboxServer();
    service = new StepFunctionsService();
    lambda = new LambdaService();
    server.register(service);
    server.register(lambda);
    lambda.registerFunction({ name: 'echo', assetDir, handler: 'index.echo' });
    endpoint = await server.listen({ port: 0 });
    // CLI v2 reads --payload as base64 unless told otherwise; v1 has no such option.
    const { stdout, stderr } = await run('aws', ['--version']);
    if (`${stdout}${stderr}`.startsWith('aws-cli/2'))
      binaryFormat = ['--cli-binary-format', 'raw-in-base64-out'];
  });

  afterAll(async () => {
    await service.close();
    await lambda.close();
    await server.close();
  });

  async function aws(...args: string[]): Promise<Record<string, unknown>> {
    const { stdout } = await run(
      'aws',
      ['--endpoint-url', endpoint, '--region', 'us-east-1', '--output', 'json', ...args],
      {
        env: {
          PATH: process.env.PATH,
          AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
          AWS_SECRET_ACCESS_KEY: 'sandbox-secret',
          AWS_CONFIG_FILE: '/dev/null',
          AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
          AWS_PAGER: '',
        },
      },
    );
    return stdout.trim() ? JSON.parse(stdout) : {};
  }

  it('creates a state machine, runs an execution and reads its history', async () => {
    const created = await aws(
      'stepfunctions',
      'create-state-machine',
      '--name',
      'cli-playbook',
      '--definition',
      JSON.stringify(definition),
      '--role-arn',
      'arn:aws:iam::111122223333:role/playbook',
    );
    const started = await aws(
      'stepfunctions',
      'start-execution',
      '--state-machine-arn',
      String(created.stateMachineArn),
      '--name',
      'cli-1',
      '--input',
      '{"mode":"auto"}',
    );
    await service.whenIdle();

    const described = await aws(
      'stepfunctions',
      'describe-execution',
      '--execution-arn',
      String(started.executionArn),
    );
    const history = await aws(
      'stepfunctions',
      'get-execution-history',
      '--execution-arn',
      String(started.executionArn),
    );
    const listed = await aws(
      'stepfunctions',
      'list-executions',
      '--state-machine-arn',
      String(created.stateMachineArn),
    );

    expect(described).toMatchObject({ status: 'SUCCEEDED', name: 'cli-1' });
    expect(JSON.parse(String(described.output))).toEqual({ mode: 'auto', outcome: 'contained' });
    expect((history.events as { type: string }[]).map((event) => event.type)).toEqual([
      'ExecutionStarted',
      'ChoiceStateEntered',
      'ChoiceStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    expect(listed.executions).toHaveLength(1);
  });

  it('reports Step Functions errors by their AWS code', async () => {
    const failure = aws(
      'stepfunctions',
      'send-task-success',
      '--task-token',
      'not-a-token',
      '--task-output',
      '{}',
    );

    await expect(failure).rejects.toThrow(/InvalidToken/);
  });

  it('invokes a function and writes its result to the outfile', async () => {
    const outfile = join(mkdtempSync(join(tmpdir(), 'lambda-cli-')), 'out.json');

    const response = await aws(
      'lambda',
      'invoke',
      '--function-name',
      'echo',
      ...binaryFormat,
      '--payload',
      '{"finding":"f-1"}',
      outfile,
    );

    expect(response).toMatchObject({ StatusCode: 200, ExecutedVersion: '$LATEST' });
    expect(JSON.parse(readFileSync(outfile, 'utf8'))).toMatchObject({
      event: { finding: 'f-1' },
      functionName: 'echo',
    });
  });
});
