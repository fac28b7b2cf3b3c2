import {
  CreateClusterCommand,
  DescribeTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
} from '@aws-sdk/client-ecs';
import { PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StsService } from '#sandbox/services/sts.ts';
import { findingKey } from '#shared/audit/record.ts';
import { resourceKey } from '#shared/audit/resource-key.ts';
import { normalizeEvent } from '#shared/findings/normalize.ts';
import { REVOKE_TASK_SESSIONS_POLICY, STOP_TASK_REASON } from '#shared/playbooks/contain-ecs-task.ts';
import { executionEnded, putAndAwaitApproval } from './approval-helpers.ts';
import { type StackHarness, startStack } from './harness.ts';
import { createServiceRole, identityCenterRoleArn, inlinePolicyNames, roleArn } from './role-fixtures.ts';
import { type UndoDesk, undoDesk } from './undo-helpers.ts';

const ACCOUNT = '111122223333';
const CLUSTER = 'shop';
const ROLE = 'checkout-task-role';
const ROLE_ARN = roleArn('/ecs/', ROLE);

let h: StackHarness;
let desk: UndoDesk;
let taskDefinitionArn: string;
beforeAll(async () => {
  h = await startStack();
  desk = await undoDesk(h, 'oncall-lena');
  const { iam, ecs } = h.sandbox.clients;
  // The task role may list buckets: what a stolen copy of its credentials is used for.
  await createServiceRole(h, { roleName: ROLE, path: '/ecs/', service: 'ecs-tasks.amazonaws.com' });
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: ROLE,
      PolicyName: 'list-buckets',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' }],
      }),
    }),
  );
  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  const registered = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'checkout',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      taskRoleArn: ROLE_ARN,
      containerDefinitions: [
        {
          name: 'web',
          image: 'public.ecr.aws/nginx/nginx:1.27',
          // Environment values are never copied into the audit trail.
          environment: [{ name: 'PAYMENT_API_TOKEN', value: 'tok-never-recorded' }],
        },
      ],
    }),
  );
  taskDefinitionArn = registered.taskDefinition?.taskDefinitionArn as string;
}, 120_000);
afterAll(async () => {
  desk?.close();
  await h?.stop();
});

/** A Fargate task of the checkout service (or of `definition`), running. */
async function runTask(definition = taskDefinitionArn): Promise<string> {
  const { tasks } = await h.sandbox.clients.ecs.send(
    new RunTaskCommand({
      cluster: CLUSTER,
      taskDefinition: definition,
      launchType: 'FARGATE',
      group: 'service:checkout',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0123456789abcdef0'] } },
    }),
  );
  return tasks?.[0]?.taskArn as string;
}

/** GuardDuty Runtime Monitoring's finding on a Fargate task, as EventBridge delivers it (EcsClusterDetails). */
function minerFinding(findingId: string, taskArn: string) {
  return {
    source: 'aws.guardduty',
    'detail-type': 'GuardDuty Finding',
    detail: {
      schemaVersion: '2.0',
      accountId: ACCOUNT,
      region: 'us-east-1',
      id: findingId,
      type: 'Impact:Runtime/CryptoMinerExecuted',
      severity: 8,
      createdAt: '2026-12-05T09:00:00.000Z',
      updatedAt: '2026-12-05T09:00:00.000Z',
      title: 'A container in an ECS task executed a crypto miner',
      resource: {
        resourceType: 'ECSCluster',
        ecsClusterDetails: {
          name: CLUSTER,
          arn: `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/${CLUSTER}`,
          taskDetails: { arn: taskArn, definitionArn: taskDefinitionArn, launchType: 'FARGATE' },
        },
        containerDetails: { name: 'web', image: 'public.ecr.aws/nginx/nginx:1.27' },
      },
      service: { serviceName: 'guardduty', count: 1, archived: false },
    },
  };
}

/** The task role's credentials, as the task's containers get them (and an attacker copies them). */
const taskRoleSession = (taskArn: string) =>
  (h.sandbox.server.authorizer as StsService).serviceSession(ROLE_ARN, 'ecs-tasks.amazonaws.com', {
    sessionName: taskArn.split('/').at(-1) as string,
  });
const listBuckets = (credentials: Awaited<ReturnType<typeof taskRoleSession>>) =>
  new S3Client({
    endpoint: h.sandbox.endpoint,
    region: 'us-east-1',
    maxAttempts: 1,
    forcePathStyle: true,
    credentials,
  }).send(new ListBucketsCommand({}));
const rolePolicies = () => inlinePolicyNames(h, ROLE);
const taskStatus = async (taskArn: string) =>
  (await h.sandbox.clients.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [taskArn] })))
    .tasks?.[0];

/** Start the playbook directly, as classify would for a rule with this mode. */
async function startPlaybook(findingId: string, taskArn: string, mode: string) {
  const normalized = normalizeEvent(minerFinding(findingId, taskArn));
  const finding = normalized.ok ? normalized.findings[0] : undefined;
  if (!finding) throw new Error('the finding no longer normalizes');
  const started = await h.sandbox.clients.sfn.send(
    new StartExecutionCommand({
      stateMachineArn: h.sandbox.deployment?.outputs.StateMachineContainEcsTask,
      input: JSON.stringify({
        finding,
        decision: { playbook: 'contain-ecs-task', mode, ruleId: 'test', reason: 'test' },
        audit: { pk: findingKey(finding.id), resourceKey: resourceKey(finding.accountId, finding.resource) },
      }),
    }),
  );
  return executionEnded(h, started.executionArn as string);
}

/** `remediate undo`, approved as on-call, to the end. */
async function undoApproved(findingId: string, executionArn: string) {
  const { ended } = await desk.approved(findingId, { executionArn, reason: 'false positive' });
  expect(ended.status).toBe('SUCCEEDED');
}

describe('contain-ecs-task, end to end through the sandbox', () => {
  it('once approved, the stolen task-role session is refused and the task is stopped; undo lifts the deny', async () => {
    const taskArn = await runTask();
    const event = minerFinding('ec5ec5ec5ec5ec5ec5ec5ec5ec5ec501', taskArn);
    const stolen = await taskRoleSession(taskArn);
    await expect(listBuckets(stolen)).resolves.toHaveProperty('Buckets');

    const notice = await putAndAwaitApproval(h, event as never);
    expect(notice.message.message).toContain(`Stop ECS task ${taskArn}`);
    // Nothing changes before a person approves.
    await expect(listBuckets(stolen)).resolves.toHaveProperty('Buckets');
    await desk.oncall.decide(notice.approvalId, 'approve', 'crypto miner in the checkout task');
    const shown = await desk.oncall.show(notice.approvalId);
    const executionArn = shown.ok && 'approval' in shown ? shown.approval.executionArn : '';
    const ended = await executionEnded(h, executionArn);
    expect(ended.status, ended.cause).toBe('SUCCEEDED');

    await expect(listBuckets(stolen)).rejects.toMatchObject({
      name: 'AccessDenied',
      message: expect.stringContaining('with an explicit deny in an identity-based policy'),
    });
    // A session issued afterwards (a replacement task's) still works.
    await expect(listBuckets(await taskRoleSession(taskArn))).resolves.toHaveProperty('Buckets');
    expect(await taskStatus(taskArn)).toMatchObject({
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      stoppedReason: STOP_TASK_REASON,
    });

    const trail = await h.history(event.detail.id);
    expect(
      trail
        .filter((r) => r.actor !== 'arn:aws:iam::111122223333:user/oncall-lena')
        .map((r) => [r.actor, r.action, r.outcome]),
    ).toEqual([
      ['classify', 'classify', 'routed'],
      ['playbook/contain-ecs-task', 'RequestApproval', 'approval-required'],
      ['playbook/contain-ecs-task', 'RecordTask', 'succeeded'],
      ['playbook/contain-ecs-task', 'PutRolePolicy', 'succeeded'],
      ['playbook/contain-ecs-task', 'StopTask', 'succeeded'],
      ['playbook/contain-ecs-task', 'Verify', 'verified'],
      ['playbook/contain-ecs-task', 'Complete', 'contained'],
    ]);
    const recorded = trail.find((r) => r.action === 'RecordTask');
    expect(JSON.parse(recorded?.after as string)).toMatchObject({
      taskArn,
      taskDefinitionArn,
      lastStatus: 'RUNNING',
      group: 'service:checkout',
      containers: [expect.objectContaining({ Name: 'web', Image: 'public.ecr.aws/nginx/nginx:1.27' })],
      taskDefinition: { family: 'checkout', revision: 1, images: ['public.ecr.aws/nginx/nginx:1.27'] },
    });
    expect(JSON.stringify(trail)).not.toContain('tok-never-recorded');

    await undoApproved(event.detail.id, executionArn);

    expect(await rolePolicies()).not.toContain(REVOKE_TASK_SESSIONS_POLICY);
    await expect(listBuckets(stolen)).resolves.toHaveProperty('Buckets');
    // A stopped task stays stopped: ECS cannot restart it.
    expect(await taskStatus(taskArn)).toMatchObject({ lastStatus: 'STOPPED' });
  });

  it('dry run records the plan and changes nothing', async () => {
    const taskArn = await runTask();
    const findingId = 'ec5ec5ec5ec5ec5ec5ec5ec5ec5ec502';
    const stolen = await taskRoleSession(taskArn);

    const ended = await startPlaybook(findingId, taskArn, 'dry-run');

    expect(ended.status).toBe('SUCCEEDED');
    expect(await rolePolicies()).not.toContain(REVOKE_TASK_SESSIONS_POLICY);
    await expect(listBuckets(stolen)).resolves.toHaveProperty('Buckets');
    expect(await taskStatus(taskArn)).toMatchObject({ lastStatus: 'RUNNING', desiredStatus: 'RUNNING' });
    const trail = await h.history(findingId);
    expect(trail.map((r) => [r.action, r.outcome])).toEqual([['Plan', 'planned']]);
  });

  it('in auto mode revokes the sessions but leaves the task running, and says so', async () => {
    const taskArn = await runTask();
    const findingId = 'ec5ec5ec5ec5ec5ec5ec5ec5ec5ec503';
    const stolen = await taskRoleSession(taskArn);

    const ended = await startPlaybook(findingId, taskArn, 'auto');

    expect(ended.status, ended.cause).toBe('SUCCEEDED');
    await expect(listBuckets(stolen)).rejects.toMatchObject({ name: 'AccessDenied' });
    expect(await taskStatus(taskArn)).toMatchObject({ lastStatus: 'RUNNING', desiredStatus: 'RUNNING' });
    const trail = await h.history(findingId);
    expect(trail.map((r) => [r.action, r.outcome])).toEqual([
      ['RecordTask', 'succeeded'],
      ['PutRolePolicy', 'succeeded'],
      ['StopTask', 'skipped'],
      ['Complete', 'contained'],
    ]);
    expect(trail.find((r) => r.action === 'StopTask')?.reason).toContain('auto mode');
    await undoApproved(findingId, ended.executionArn as string);
  });

  it.each([
    [
      'an IAM Identity Center task role',
      identityCenterRoleArn('AWSReservedSSO_Admin_0123456789abcdef'),
      'IAM Identity Center role',
    ],
    ['no task role', undefined, 'the task has no task role'],
  ])('records a task with %s, leaves the role alone and says why', async (_, roleArn, reason) => {
    const { ecs } = h.sandbox.clients;
    const family = roleArn ? 'admin-tool' : 'batch';
    const registered = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family,
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        ...(roleArn && { taskRoleArn: roleArn }),
        containerDefinitions: [{ name: 'tool', image: 'public.ecr.aws/docker/library/busybox:1.36' }],
      }),
    );
    const taskArn = await runTask(registered.taskDefinition?.taskDefinitionArn);
    const findingId = roleArn ? 'ec5ec5ec5ec5ec5ec5ec5ec5ec5ec505' : 'ec5ec5ec5ec5ec5ec5ec5ec5ec5ec506';

    const ended = await startPlaybook(findingId, taskArn, 'auto');

    expect(ended.status, ended.cause).toBe('SUCCEEDED');
    const trail = await h.history(findingId);
    expect(trail.map((r) => [r.action, r.outcome])).toEqual([
      ['RecordTask', 'succeeded'],
      ['RevokeRoleSessions', 'skipped'],
      ['StopTask', 'skipped'],
      ['Complete', 'contained'],
    ]);
    expect(trail[1]?.reason).toContain(reason);
  });

  it('hands a task ECS no longer describes to a person, changing nothing', async () => {
    const findingId = 'ec5ec5ec5ec5ec5ec5ec5ec5ec5ec504';
    const gone = `arn:aws:ecs:us-east-1:${ACCOUNT}:task/${CLUSTER}/0123456789abcdef0123456789abcdef`;

    const ended = await startPlaybook(findingId, gone, 'auto');

    expect(ended.status).toBe('FAILED');
    expect(await rolePolicies()).not.toContain(REVOKE_TASK_SESSIONS_POLICY);
    const trail = await h.history(findingId);
    expect(trail.map((r) => [r.action, r.outcome])).toEqual([['NeedsHuman', 'needs-human']]);
    expect(JSON.parse(trail[0]?.details as string)).toMatchObject({
      Error: 'TaskNotFound',
      Cause: expect.stringContaining(`ECS does not describe task ${gone}`),
    });
  });
});
