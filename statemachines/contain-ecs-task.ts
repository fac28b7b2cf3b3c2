import { aws_stepfunctions as sfn, Validations } from 'aws-cdk-lib';
import { facts, REVOKE_TASK_SESSIONS_POLICY, STOP_TASK_REASON } from '#shared/playbooks/contain-ecs-task.ts';
import type { PlaybookSteps } from './fragments/playbook-steps.ts';
import { playbookSteps } from './fragments/playbook-steps.ts';
import { revokeRoleSessionsOf, roleNameOf } from './fragments/role-session-revocation.ts';
import { resourceWildcardFinding } from './fragments/wildcard-acknowledgement.ts';
import type { PlaybookContext, PlaybookDefinition } from './playbook.ts';

const NAME = facts.name;
const CLUSTER = '$.finding.resource.clusterArn';
const TASK = '$.finding.resource.taskArn';
/** What was read (the task, its task definition): overrides and environments included, never audited. */
const READ = '$.read';

/**
 * Contain an ECS task GuardDuty Runtime Monitoring reports as compromised, when no instance runs
 * it (Fargate): record the task and its task definition as evidence, deny the task role's sessions
 * issued before now (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_revoke-sessions.html),
 * and, in approve mode only, stop the task. Its network cannot be isolated instead: the task's
 * interface is managed by Fargate (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-networking.html)
 * and a requester-managed interface's security groups cannot be changed
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/requester-managed-eni.html). StopTask
 * records the reason on the task (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_StopTask.html);
 * a service's scheduler then starts a replacement from the same task definition.
 */
export const containEcsTask: PlaybookDefinition = {
  ...facts,
  runbook: {
    steps: [
      {
        title: 'Record the task as it is',
        does: 'Reads the task named by the finding (task definition, containers and image digests, network attachment, status, task group) and its task definition (family, revision, images), and keeps them in the audit trail as evidence. Environment values are never recorded.',
        states: ['Describe task', 'Describe task definition', 'Audit task recorded'],
        ifItStops:
          'Nothing was changed. If the task is not found, it stopped more than about an hour ago and ECS no longer describes it: revoke its task role’s sessions by hand (IAM console, the role, "Revoke active sessions").',
      },
      {
        title: "End the task role's older sessions",
        does: `Adds the inline policy ${REVOKE_TASK_SESSIONS_POLICY} to the task role (the task's override, else its task definition's): it refuses every session of the role issued before now, so credentials the code took stop working. New tasks get fresh credentials and keep working. A task without a task role has none to revoke.`,
        states: ['Read task role', 'Revoke task role sessions'],
        ifItStops:
          'Credentials the task took may still work. In the IAM console, open the task role and choose "Revoke active sessions".',
      },
      {
        title: 'Stop the task (approve mode only)',
        does: 'Stops the task, with the reason recorded on it. A Fargate task’s network interface is managed by AWS and its security groups cannot be changed, so stopping is the only way to cut it off. In auto mode the task is left running and people are told.',
        states: ['Stop task'],
        ifItStops:
          'The task may still be running. In the ECS console, open the cluster, Tasks, select the task and choose "Stop".',
      },
      {
        title: 'Check the task is stopping',
        does: 'Reads the task back and confirms ECS is stopping it (desired status STOPPED).',
        states: ['Read task back'],
        ifItStops: 'The stop was asked for but could not be confirmed. Look at the task in the ECS console.',
      },
    ],
    checkAfterwards: [
      `The task role has the inline policy ${REVOKE_TASK_SESSIONS_POLICY}.`,
      'The task shows as STOPPED with the reason given; if its group is `service:<name>`, the service has started a replacement task from the same task definition and image. If the image itself is compromised, the replacement is too: update the service to a known-good task definition, or set its desired count to 0, before the next finding.',
      'Compare the recorded image digests with your last deployment: a different digest means the image was replaced.',
    ],
    undo: 'Run `remediate undo <execution id>` (the id is in the timeline: `remediate audit --finding <id>`). It removes the session policy. A stopped task cannot be restarted: ECS starts tasks anew from their task definition, so a service has already replaced it and a task run by hand is run again.',
  },
  build(ctx: PlaybookContext): sfn.IChainable {
    const { scope } = ctx;
    const steps = playbookSteps(ctx, NAME);
    Validations.of(scope).acknowledge(
      {
        id: resourceWildcardFinding(scope, 'ecs:{region}:{account}:task/*'),
        reason:
          'The task is named by the finding at run time; the playbook may only describe it and, in approve mode once a person approved, stop it.',
      },
      {
        id: resourceWildcardFinding(scope, 'iam::{account}:role/*'),
        reason:
          'The task role is known at run time; the playbook may only read it and put its one session-deny inline policy, and protected roles are explicitly denied.',
      },
    );
    const contain = recordTask(steps)
      .next(taskRole(steps))
      .next(
        new sfn.Pass(scope, 'Forget what was read', { result: sfn.Result.fromObject({}), resultPath: READ }),
      )
      .next(stopInApproveMode(steps));

    return steps.byMode({
      plan: new sfn.Pass(scope, 'Build plan', {
        parameters: {
          'taskArn.$': TASK,
          'clusterArn.$': CLUSTER,
          actions: [
            'DescribeTasks, DescribeTaskDefinition (evidence)',
            `PutRolePolicy:${REVOKE_TASK_SESSIONS_POLICY} on the task role (Deny * when aws:TokenIssueTime < now)`,
            'StopTask (approve mode only)',
          ],
        },
        resultPath: '$.plan',
      }),
      proposedActions: [
        ...facts.steps.slice(0, 2),
        sfn.JsonPath.format(
          'Stop ECS task {}: its network interface is managed by AWS and cannot be isolated. A service starts a replacement task from the same task definition',
          sfn.JsonPath.stringAt(TASK),
        ),
      ],
      ifDenied: 'The playbook ends: the task and its role stay as they are.',
      contain,
    });
  },
};

/** Describe the task and its task definition; record what matters as evidence. */
function recordTask(steps: PlaybookSteps): sfn.Chain {
  const { scope } = steps;
  const task = `${READ}.tasks[0]`;
  const describeTask = steps.call('Describe task', {
    service: 'ecs',
    action: 'describeTasks',
    parameters: { 'Cluster.$': CLUSTER, 'Tasks.$': `States.Array(${TASK})` },
    iamResources: [steps.arns.ecsTasks],
    resultSelector: { 'tasks.$': '$.Tasks', 'failures.$': '$.Failures' },
    resultPath: READ,
  });
  // ECS answers an unknown task with a failure (reason MISSING), not an error:
  // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTasks.html
  const notFound = steps.stop('Task not found', {
    Error: 'TaskNotFound',
    'Cause.$':
      "States.Format('ECS does not describe task {}, or not all of it (it stopped over an hour ago, or the finding names another account or Region): revoke its task role sessions by hand.', $.finding.resource.taskArn)",
  });
  const taskEvidence = new sfn.Pass(scope, 'Task evidence', {
    parameters: {
      'taskArn.$': `${task}.TaskArn`,
      'clusterArn.$': `${task}.ClusterArn`,
      'taskDefinitionArn.$': `${task}.TaskDefinitionArn`,
      'lastStatus.$': `${task}.LastStatus`,
      'desiredStatus.$': `${task}.DesiredStatus`,
      'group.$': `${task}.Group`,
      'containers.$': `${task}.Containers`,
      'attachments.$': `${task}.Attachments`,
    },
    resultPath: '$.evidence',
  });
  const describeDefinition = steps.call('Describe task definition', {
    service: 'ecs',
    action: 'describeTaskDefinition',
    parameters: { 'TaskDefinition.$': '$.evidence.taskDefinitionArn' },
    // DescribeTaskDefinition takes no resource type: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html
    iamResources: ['*'],
    resultSelector: { 'definition.$': '$.TaskDefinition' },
    resultPath: `${READ}.definition`,
  });
  const definitionEvidence = new sfn.Pass(scope, 'Task definition evidence', {
    parameters: {
      'taskDefinitionArn.$': `${READ}.definition.definition.TaskDefinitionArn`,
      'family.$': `${READ}.definition.definition.Family`,
      'revision.$': `${READ}.definition.definition.Revision`,
      'containerNames.$': `${READ}.definition.definition.ContainerDefinitions[*].Name`,
      'images.$': `${READ}.definition.definition.ContainerDefinitions[*].Image`,
    },
    resultPath: '$.evidence.taskDefinition',
  });
  return describeTask.next(
    // Each field the evidence reads must be there: a path missing from a Pass is a runtime error no
    // catch can hand to a person. A task ECS describes carries them all.
    new sfn.Choice(scope, 'Task found?')
      .when(
        sfn.Condition.and(
          ...[
            'TaskArn',
            'ClusterArn',
            'TaskDefinitionArn',
            'LastStatus',
            'DesiredStatus',
            'Group',
            'Containers',
            'Attachments',
          ].map((field) => sfn.Condition.isPresent(`${task}.${field}`)),
        ),
        taskEvidence
          .next(describeDefinition)
          .next(definitionEvidence)
          .next(steps.audit('Audit task recorded', 'RecordTask', 'succeeded', { afterPath: '$.evidence' })),
      )
      .otherwise(notFound)
      .afterwards(),
  );
}

/**
 * The task role: the task's override (RunTask's `overrides.taskRoleArn`) wins over its task
 * definition's (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_TaskOverride.html).
 * Its older sessions are denied; a task without one holds no AWS credentials to revoke.
 */
function taskRole(steps: PlaybookSteps): sfn.Chain {
  const { scope } = steps;
  const roleFrom = (id: string, arnPath: string) =>
    new sfn.Pass(scope, id, {
      parameters: { 'arn.$': arnPath, 'name.$': roleNameOf(arnPath) },
      resultPath: '$.taskRole',
    });
  const revoke = revokeRoleSessionsOf(steps, {
    roleNamePath: '$.taskRole.name',
    policyName: REVOKE_TASK_SESSIONS_POLICY,
    kind: 'task',
    rolePath: '$.role',
  });
  const overridden = `${READ}.tasks[0].Overrides.TaskRoleArn`;
  const defined = `${READ}.definition.definition.TaskRoleArn`;
  const noRole = new sfn.Pass(scope, 'No task role', {
    parameters: { reason: 'the task has no task role: it holds no AWS credentials to revoke' },
    resultPath: '$.taskRole',
  }).next(
    steps.audit('Audit no task role', 'RevokeRoleSessions', 'skipped', { reasonPath: '$.taskRole.reason' }),
  );
  return sfn.Chain.start(
    new sfn.Choice(scope, 'Task role?')
      .when(sfn.Condition.isPresent(overridden), roleFrom('Task role from override', overridden).next(revoke))
      .when(
        sfn.Condition.isPresent(defined),
        roleFrom('Task role from task definition', defined).next(revoke),
      )
      .otherwise(noRole)
      .afterwards(),
  );
}

/**
 * In approve mode a person has agreed to stop the task: stop it, read it back, verify. In auto
 * mode (or when it already stopped) the task is left as it is, and people are told why.
 */
function stopInApproveMode(steps: PlaybookSteps): sfn.Choice {
  const { scope } = steps;
  const stop = steps.call('Stop task', {
    service: 'ecs',
    action: 'stopTask',
    parameters: {
      'Cluster.$': '$.evidence.clusterArn',
      'Task.$': '$.evidence.taskArn',
      Reason: STOP_TASK_REASON,
    },
    iamResources: [steps.arns.ecsTasks],
    resultSelector: { 'desiredStatus.$': '$.Task.DesiredStatus', 'stoppedReason.$': '$.Task.StoppedReason' },
    resultPath: '$.after',
  });
  const readBack = steps.call('Read task back', {
    service: 'ecs',
    action: 'describeTasks',
    parameters: { 'Cluster.$': '$.evidence.clusterArn', 'Tasks.$': 'States.Array($.evidence.taskArn)' },
    iamResources: [steps.arns.ecsTasks],
    resultSelector: { 'tasks.$': '$.Tasks' },
    resultPath: '$.verify',
  });
  const stopped = stop
    .next(
      steps.audit('Audit task stopped', 'StopTask', 'succeeded', {
        beforePath: '$.evidence',
        afterPath: '$.after',
      }),
    )
    .next(readBack)
    .next(
      // The status is compared only once it is sure to be there (a Choice comparing a missing path
      // fails the execution, past any catch).
      new sfn.Choice(scope, 'Task read back?')
        .when(
          sfn.Condition.isPresent('$.verify.tasks[0].DesiredStatus'),
          steps.verify(
            sfn.Condition.stringEquals('$.verify.tasks[0].DesiredStatus', 'STOPPED'),
            { beforePath: '$.evidence', afterPath: '$.after' },
            'ECS task stopped; its role sessions handled',
          ),
        )
        .otherwise(
          steps.stop('Task not read back', {
            Error: 'TaskNotReadBack',
            Cause: 'ECS did not describe the task after StopTask: check in the ECS console that it stopped.',
          }),
        ),
    );
  const leftRunning = (id: string, reason: string, headline: string) =>
    new sfn.Pass(scope, `${id}: task not stopped`, { parameters: { reason }, resultPath: '$.notStopped' })
      .next(
        steps.audit(`Audit ${id.toLowerCase()} not stopped`, 'StopTask', 'skipped', {
          reasonPath: '$.notStopped.reason',
        }),
      )
      .next(
        steps.contained({
          headline,
          notifyId: `Notify ${id.toLowerCase()}`,
          auditId: `Audit ${id.toLowerCase()} contained`,
          detailsPath: '$.notStopped',
          end: new sfn.Succeed(scope, `${id}: contained`),
        }),
      );
  return new sfn.Choice(scope, 'Stop the task?')
    .when(
      sfn.Condition.stringEquals('$.evidence.desiredStatus', 'STOPPED'),
      leftRunning(
        'Already stopping',
        'ECS was already stopping the task',
        'ECS task already stopping; its role sessions handled',
      ),
    )
    .when(sfn.Condition.stringEquals('$.decision.mode', 'approve'), stopped)
    .otherwise(
      leftRunning(
        'Auto mode',
        'auto mode: the task is stopped only in approve mode, once a person agrees (a Fargate task cannot be isolated, and stopping it interrupts what it serves). Stop it in the ECS console if it must not run.',
        'ECS task left running (auto mode); its role sessions handled',
      ),
    );
}
