import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ExecutionAlreadyExists,
  GetExecutionHistoryCommand,
  InvalidName,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
} from '@aws-sdk/client-sfn';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SandboxServer } from '#sandbox/server.ts';
import { StepFunctionsService } from '#sandbox/services/stepfunctions/service.ts';

const ROLE = 'arn:aws:iam::111122223333:role/playbook';
const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'sandbox-secret' };

/** Pass → Choice → Pass/Fail, reading the context object the playbooks read. */
const contextDefinition = {
  StartAt: 'Describe',
  States: {
    Describe: {
      Type: 'Pass',
      Parameters: {
        'executionId.$': '$$.Execution.Id',
        'executionName.$': '$$.Execution.Name',
        'startTime.$': '$$.Execution.StartTime',
        'enteredTime.$': '$$.State.EnteredTime',
        'stateName.$': '$$.State.Name',
        'machine.$': '$$.StateMachine.Name',
        'mode.$': '$.mode',
        'sortKey.$': "States.Format('{}#{}', $$.State.EnteredTime, $.mode)",
      },
      ResultPath: '$.described',
      Next: 'Mode?',
    },
    'Mode?': {
      Type: 'Choice',
      Choices: [{ Variable: '$.mode', StringEquals: 'auto', Next: 'Contained' }],
      Default: 'Refused',
    },
    Contained: { Type: 'Pass', Result: 'contained', ResultPath: '$.outcome', End: true },
    Refused: { Type: 'Fail', Error: 'UnknownMode', Cause: 'mode is not auto' },
  },
};

describe('Step Functions in the sandbox', () => {
  let server: SandboxServer;
  let sfn: SFNClient;
  let service: StepFunctionsService;
  let machineArn: string;

  beforeEach(async () => {
    server = new SandboxServer();
    service = new StepFunctionsService();
    server.register(service);
    const endpoint = await server.listen({ port: 0 });
    sfn = new SFNClient({ endpoint, region: 'us-east-1', credentials });
    const created = await sfn.send(
      new CreateStateMachineCommand({
        name: 'context-playbook',
        definition: JSON.stringify(contextDefinition),
        roleArn: ROLE,
      }),
    );
    machineArn = created.stateMachineArn!;
  });

  afterEach(async () => {
    await service.close();
    sfn.destroy();
    await server.close();
  });

  it('runs Pass, Choice and Pass with the execution and state context the playbooks read', async () => {
    const started = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: machineArn, name: 'finding-1', input: '{"mode":"auto"}' }),
    );
    await service.whenIdle();

    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    expect(described.status).toBe('SUCCEEDED');
    const output = JSON.parse(described.output!);
    expect(output.outcome).toBe('contained');
    expect(output.described).toMatchObject({
      executionId: 'arn:aws:states:us-east-1:111122223333:execution:context-playbook:finding-1',
      executionName: 'finding-1',
      startTime: described.startDate!.toISOString(),
      stateName: 'Describe',
      machine: 'context-playbook',
      mode: 'auto',
    });
    expect(Date.parse(output.described.enteredTime)).toBeGreaterThanOrEqual(described.startDate!.getTime());
    expect(output.described.sortKey).toBe(`${output.described.enteredTime}#auto`);
  });

  it('records the history with AWS event types, ids and state details, announcing each event live', async () => {
    const announced: string[] = [];
    service.onExecutionEvent((notice) => announced.push(`${notice.executionArn}:${notice.event.type}`));
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: machineArn, input: '{"mode":"auto"}' }),
    );
    await service.whenIdle();

    const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    expect(events!.map((event) => event.type)).toEqual([
      'ExecutionStarted',
      'PassStateEntered',
      'PassStateExited',
      'ChoiceStateEntered',
      'ChoiceStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events!.map((event) => event.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(announced).toEqual(events!.map((event) => `${executionArn}:${event.type}`));
    expect(events![1]).toMatchObject({ previousEventId: 1, stateEnteredEventDetails: { name: 'Describe' } });
    expect(events![0]!.executionStartedEventDetails).toMatchObject({
      input: '{"mode":"auto"}',
      roleArn: ROLE,
    });
    expect(events![0]!.timestamp).toBeInstanceOf(Date);
  });

  it('fails the execution with the Fail state error and cause', async () => {
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: machineArn, input: '{"mode":"manual"}' }),
    );
    await service.whenIdle();

    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(described).toMatchObject({ status: 'FAILED', error: 'UnknownMode', cause: 'mode is not auto' });
    expect(described.stopDate).toBeInstanceOf(Date);
    const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true }));
    expect(events![0]).toMatchObject({
      type: 'ExecutionFailed',
      executionFailedEventDetails: { error: 'UnknownMode', cause: 'mode is not auto' },
    });
    expect(events![1]!.type).toBe('FailStateEntered');
  });

  it('treats a repeated name with the same input of a running execution as the same start', async () => {
    const waiting = await sfn.send(
      new CreateStateMachineCommand({
        name: 'waits',
        definition: JSON.stringify({
          StartAt: 'Wait',
          States: { Wait: { Type: 'Wait', Seconds: 1, End: true } },
        }),
        roleArn: ROLE,
      }),
    );
    const request = { stateMachineArn: waiting.stateMachineArn, name: 'dedupe-me', input: '{"a":1}' };

    const first = await sfn.send(new StartExecutionCommand(request));
    const second = await sfn.send(new StartExecutionCommand(request));
    const differentInput = sfn.send(new StartExecutionCommand({ ...request, input: '{"a":2}' }));

    expect(second).toMatchObject({ executionArn: first.executionArn, startDate: first.startDate });
    await expect(differentInput).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    await service.whenIdle();
    await expect(sfn.send(new StartExecutionCommand(request))).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    const { executions } = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: waiting.stateMachineArn }),
    );
    expect(executions).toHaveLength(1);
  });

  it('rejects invalid execution names and unknown state machines as AWS does', async () => {
    for (const name of ['has space', 'a/b', 'x'.repeat(81), '']) {
      await expect(
        sfn.send(new StartExecutionCommand({ stateMachineArn: machineArn, name, input: '{}' })),
      ).rejects.toBeInstanceOf(InvalidName);
    }
    const missing = 'arn:aws:states:us-east-1:111122223333:stateMachine:nope';
    await expect(sfn.send(new StartExecutionCommand({ stateMachineArn: missing }))).rejects.toBeInstanceOf(
      StateMachineDoesNotExist,
    );
  });

  it('lists executions newest first, filters by status and pages with nextToken', async () => {
    await sfn.send(
      new StartExecutionCommand({ stateMachineArn: machineArn, name: 'a', input: '{"mode":"auto"}' }),
    );
    await sfn.send(
      new StartExecutionCommand({ stateMachineArn: machineArn, name: 'b', input: '{"mode":"manual"}' }),
    );
    await sfn.send(
      new StartExecutionCommand({ stateMachineArn: machineArn, name: 'c', input: '{"mode":"auto"}' }),
    );
    await service.whenIdle();

    const succeeded = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: machineArn, statusFilter: 'SUCCEEDED' }),
    );
    const firstPage = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: machineArn, maxResults: 2 }),
    );
    const secondPage = await sfn.send(
      new ListExecutionsCommand({
        stateMachineArn: machineArn,
        maxResults: 2,
        nextToken: firstPage.nextToken,
      }),
    );

    expect(succeeded.executions!.map((execution) => execution.name).sort()).toEqual(['a', 'c']);
    expect(firstPage.executions).toHaveLength(2);
    expect(secondPage.executions).toHaveLength(1);
    expect(secondPage.nextToken).toBeUndefined();
    const all = [...firstPage.executions!, ...secondPage.executions!];
    expect(all.map((execution) => execution.name).sort()).toEqual(['a', 'b', 'c']);
    expect(all.find((execution) => execution.name === 'b')?.status).toBe('FAILED');
  });

  it('describes and lists state machines, including those the deployer registered', async () => {
    service.registerStateMachine({
      arn: 'arn:aws:states:us-east-1:111122223333:stateMachine:deployed',
      name: 'deployed',
      definition: contextDefinition,
      roleArn: ROLE,
    });

    const described = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: machineArn }));
    const listed = await sfn.send(new ListStateMachinesCommand({}));

    expect(described).toMatchObject({
      name: 'context-playbook',
      roleArn: ROLE,
      type: 'STANDARD',
      status: 'ACTIVE',
    });
    expect(JSON.parse(described.definition!)).toEqual(contextDefinition);
    expect(listed.stateMachines!.map((machine) => machine.name)).toEqual(['context-playbook', 'deployed']);
  });

  it('gives Parallel branches the execution input and start time, not the branch input', async () => {
    const definition = {
      StartAt: 'Fan out',
      States: {
        'Fan out': {
          Type: 'Parallel',
          InputPath: '$.inner',
          Branches: [
            {
              StartAt: 'Read context',
              States: {
                'Read context': {
                  Type: 'Pass',
                  Parameters: {
                    'branchInput.$': '$',
                    'executionInput.$': '$$.Execution.Input',
                    'startTime.$': '$$.Execution.StartTime',
                  },
                  End: true,
                },
              },
            },
          ],
          End: true,
        },
      },
    };
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({
        name: 'branches',
        definition: JSON.stringify(definition),
        roleArn: ROLE,
      }),
    );

    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn, input: '{"inner":{"x":1},"outer":true}' }),
    );
    await service.whenIdle();
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));

    expect(JSON.parse(described.output!)).toEqual([
      {
        branchInput: { x: 1 },
        executionInput: { inner: { x: 1 }, outer: true },
        startTime: described.startDate!.toISOString(),
      },
    ]);
  });
});
