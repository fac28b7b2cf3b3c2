import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxServer } from '#sandbox/server.ts';
import { IamService } from '#sandbox/services/iam.ts';
import { StepFunctionsService } from '#sandbox/services/stepfunctions/service.ts';
import { StsService } from '#sandbox/services/sts.ts';

const SECURITY = '111122223333';
const MEMBER = '444455556666';
const MACHINE_ROLE = `arn:aws:iam::${SECURITY}:role/remediation-playbook`;
const MEMBER_ROLE = `arn:aws:iam::${MEMBER}:role/RemediationExecutionRole`;

const server = new SandboxServer();
const iamService = new IamService();
const stsService = new StsService({ iam: iamService });
const stepFunctions = new StepFunctionsService({ timeScale: 0.001, roleSessions: stsService });
for (const service of [iamService, stsService, stepFunctions]) server.register(service);
server.authorizer = stsService;
let endpoint: string;

const securityKeys = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'sandbox-secret' };
const memberKeys = { accessKeyId: 'AKIAMEMBER0000000001', secretAccessKey: 'sandbox-secret' };
server.addAccessKey(memberKeys, MEMBER);

async function createRole(keys: typeof securityKeys, name: string, trusted: object, actions: string[]) {
  const iam = new IAMClient({ endpoint, region: 'us-east-1', credentials: keys });
  await iam.send(
    new CreateRoleCommand({
      RoleName: name,
      AssumeRolePolicyDocument: JSON.stringify({
        Statement: [{ Effect: 'Allow', Principal: trusted, Action: 'sts:AssumeRole' }],
      }),
    }),
  );
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: name,
      PolicyName: 'work',
      PolicyDocument: JSON.stringify({ Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] }),
    }),
  );
}

/** Run a one-task machine whose task creates a user as the member role named in the input. */
async function runCreateUser(machineName: string, roleArn: string, input: object) {
  const sfn = new SFNClient({ endpoint, region: 'us-east-1', credentials: securityKeys });
  const definition = {
    StartAt: 'Create user',
    States: {
      'Create user': {
        Type: 'Task',
        Resource: 'arn:aws:states:::aws-sdk:iam:createUser',
        Credentials: { 'RoleArn.$': '$.role' },
        Parameters: { 'UserName.$': '$.user' },
        End: true,
      },
    },
  };
  const { stateMachineArn } = await sfn.send(
    new CreateStateMachineCommand({ name: machineName, roleArn, definition: JSON.stringify(definition) }),
  );
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn, name: 'finding-42', input: JSON.stringify(input) }),
  );
  await stepFunctions.whenIdle();
  return sfn.send(new DescribeExecutionCommand({ executionArn }));
}

beforeAll(async () => {
  endpoint = await server.listen({ port: 0 });
  await createRole(securityKeys, 'remediation-playbook', { Service: 'states.amazonaws.com' }, [
    'sts:AssumeRole',
  ]);
});

afterAll(async () => {
  await stepFunctions.close();
  await server.close();
});

describe('Step Functions task Credentials', () => {
  it('assumes the member role as the state machine’s role and calls in the member account', async () => {
    await createRole(memberKeys, 'RemediationExecutionRole', { AWS: MACHINE_ROLE }, ['iam:CreateUser']);
    const from = server.calls.length;

    const execution = await runCreateUser('create-user', MACHINE_ROLE, {
      role: MEMBER_ROLE,
      user: 'contained',
    });

    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.output!).User.Arn).toBe(`arn:aws:iam::${MEMBER}:user/contained`);
    expect(server.calls.slice(from).filter((call) => call.service !== 'states')).toMatchObject([
      {
        operation: 'AssumeRole',
        accountId: SECURITY,
        principalArn: `arn:aws:sts::${SECURITY}:assumed-role/remediation-playbook/finding-42`,
      },
      {
        operation: 'CreateUser',
        status: 200,
        accountId: MEMBER,
        principalArn: `arn:aws:sts::${MEMBER}:assumed-role/RemediationExecutionRole/finding-42`,
      },
    ]);
  });

  it('fails the task, naming the role and sts:AssumeRole, when the member role is missing', async () => {
    const missing = 'arn:aws:iam::999988887777:role/RemediationExecutionRole';

    const execution = await runCreateUser('missing-member', MACHINE_ROLE, { role: missing, user: 'never' });

    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('States.TaskFailed');
    expect(execution.cause).toContain(
      `User: arn:aws:sts::${SECURITY}:assumed-role/remediation-playbook/finding-42 is not authorized to perform: sts:AssumeRole on resource: ${missing}`,
    );
  });

  it('fails the task when the state machine’s role does not trust Step Functions', async () => {
    await createRole(securityKeys, 'lambda-only', { Service: 'lambda.amazonaws.com' }, ['sts:AssumeRole']);

    const execution = await runCreateUser(
      'untrusted-machine-role',
      `arn:aws:iam::${SECURITY}:role/lambda-only`,
      {
        role: MEMBER_ROLE,
        user: 'never',
      },
    );

    expect(execution.status).toBe('FAILED');
    expect(execution.cause).toContain(
      'Neither the global service principal states.amazonaws.com, nor the regional one is authorized to assume the provided role.',
    );
  });

  it('assumes with the caller’s credentials when the machine’s role is not in the sandbox IAM', async () => {
    await createRole(memberKeys, 'trusts-security-account', { AWS: SECURITY }, ['iam:CreateUser']);

    const execution = await runCreateUser('made-up-role', `arn:aws:iam::${SECURITY}:role/made-up`, {
      role: `arn:aws:iam::${MEMBER}:role/trusts-security-account`,
      user: 'by-caller',
    });

    expect(execution.status).toBe('SUCCEEDED');
  });

  it('calls as the state machine’s role a task without Credentials: what the role lacks is refused', async () => {
    const sfn = new SFNClient({ endpoint, region: 'us-east-1', credentials: securityKeys });
    const definition = {
      StartAt: 'Create user',
      States: {
        'Create user': {
          Type: 'Task',
          Resource: 'arn:aws:states:::aws-sdk:iam:createUser',
          Parameters: { UserName: 'not-by-the-caller' },
          End: true,
        },
      },
    };
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({
        name: 'own-role',
        roleArn: MACHINE_ROLE,
        definition: JSON.stringify(definition),
      }),
    );
    const from = server.calls.length;

    // Started with the sandbox's own (root) credentials, which could create the user.
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn, name: 'finding-43', input: '{}' }),
    );
    await stepFunctions.whenIdle();
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));

    expect(execution.status).toBe('FAILED');
    expect(server.calls.slice(from).filter((call) => call.service === 'iam')).toMatchObject([
      {
        operation: 'CreateUser',
        status: 403,
        principalArn: `arn:aws:sts::${SECURITY}:assumed-role/remediation-playbook/finding-43`,
      },
    ]);
  });
});
