import path from 'node:path';
import {
  type CfnElement,
  type aws_dynamodb as dynamodb,
  Fn,
  aws_iam as iam,
  type aws_lambda as lambda,
  Stack,
  aws_stepfunctions as sfn,
  aws_stepfunctions_tasks as tasks,
  Validations,
} from 'aws-cdk-lib';
import { UNDO_ACTION_TYPES } from '#shared/undo/actions.ts';
import { UNDO, UNDO_COMPLETE_ACTION } from '#shared/undo/plan.ts';
import type { UndoMode } from '#shared/undo/prepare.ts';
import { auditStep } from './fragments/audit-step.ts';
import { withTarget } from './fragments/member-credentials.ts';
import { catchMapToHuman, catchToHuman, iterationStopped } from './fragments/needs-human.ts';
import { type PlaybookSteps, playbookSteps } from './fragments/playbook-steps.ts';
import { resourceWildcardFinding } from './fragments/wildcard-acknowledgement.ts';
import type { PlaybookContext, StateMachineDefinition } from './playbook.ts';
import type { PlaybookRunbook } from './runbook.ts';
import { BUCKET_POLICY_TYPES, removeBucketPolicyStatement } from './undo/bucket-policy-statement.ts';
import { cancelFollowUps } from './undo/cancel-follow-ups.ts';
import { reverseCall } from './undo/reverse-calls.ts';

/** The Map of reverse calls. */
const UNDO_ACTIONS = 'Undo actions';

const PLANNER_ENTRY = path.resolve(import.meta.dirname, '../functions/plan-undo/handler.ts');

/** Props of {@link undoPlaybook}. */
export interface UndoPlaybookProps {
  /** Whether an undo runs at once or waits for approval (policy `undo.mode`). */
  readonly mode: UndoMode;
  /** The playbook state machines whose executions may be undone (the planner reads them). */
  readonly undoable: readonly sfn.IStateMachine[];
  /**
   * The approvals table: an undo cancels the pending approval requests of the follow-ups it
   * stops (a re-image handed over by the quarantine it reverses). @default none: follow-ups are
   * not cancelled (a member account's copy, whose permissions only are read, has none)
   */
  readonly approvals?: dynamodb.ITable;
}

/** Undo's steps in plain words: `docs/runbooks/undo.md`, where its needs-human notifications link. */
const UNDO_RUNBOOK: PlaybookRunbook = {
  startedBy:
    'A person, with `remediate undo <execution id>` (the id is in the timeline: `remediate audit --finding <id>`). No policy rule starts it; the policy only says whether it waits for an approval (`undo.mode`).',
  steps: [
    {
      title: 'Plan the undo',
      does: "Reads the execution and the finding's audit trail, and lists the calls that put back what the execution changed, in reverse order. An execution that cannot be undone is refused, with the reason.",
      states: ['Plan undo'],
      ifItStops:
        'Nothing was changed. Run `remediate undo <execution id> --dry-run` to see the plan or the reason, and check that the execution exists and has ended.',
    },
    {
      title: 'Stop the follow-up playbook',
      does: 'When the execution handed over to a follow-up (a re-image after a quarantine), stops it and cancels its pending approval, so approving it later changes nothing.',
      states: [
        'Cancel follow-ups',
        'Stop follow-up',
        'Cancel follow-up approval',
        'Read follow-up approval',
        'Audit follow-up cancelled',
      ],
      ifItStops:
        'Nothing was reversed yet. If someone approved the follow-up meanwhile, it may be re-imaging the instance: check its execution in the Step Functions console, stop it by hand if it must not go on, then run the undo again.',
    },
    {
      title: 'Put back each change',
      does: 'Makes each reverse call of the plan, one at a time and in order (the key active again, the instance back in its groups and target groups, the rules back), and records each with the state before and after.',
      states: [
        'Undo actions',
        // A call with optional or alternative fields is one task per combination: `Undo <type> <fields>`.
        ...UNDO_ACTION_TYPES.map((type) => `Undo ${type}*`),
        ...UNDO_ACTION_TYPES.map((type) => `Audit ${type}`),
      ],
      ifItStops:
        'The changes before this one are put back and recorded; this one and the ones after it are not. The notification names the call that failed and why. Read the plan and what was done with `remediate audit --finding <finding id>`, fix the cause (often a permission, or a resource changed or deleted since), then make the remaining calls by hand in the console, in the order of the plan.',
    },
  ],
  checkAfterwards: [
    'The resource is as it was before the playbook: `remediate audit --finding <finding id>` shows each reverse call and a final `Undo`/`undone` record.',
    'An instance put back in its Auto Scaling group raised its desired capacity by one: lower it if the replacement should go.',
  ],
  undo: 'An undo is not undone: to contain the resource again, start the playbook again (for example by replaying the finding) or act in the console.',
};

/** End the run with `outcome` in the output, for the CLI and the console. */
const ended = (ctx: PlaybookContext, outcome: string, end: sfn.IChainable) =>
  new sfn.Pass(ctx.scope, `Outcome ${outcome}`, {
    result: sfn.Result.fromString(outcome),
    resultPath: '$.outcome',
  }).next(end);

/**
 * Undo one playbook execution. Input `{ executionArn, dryRun, requestedBy }`. The planner
 * builds the reverse plan from the execution's audit records (or refuses, with the reason);
 * the plan is audited under the original finding; a dry run ends there; otherwise, after the
 * approval gate when the policy says so, each reverse call runs in order, each audited with the
 * state before and after; then notify, and a final `undone` record marks the execution undone.
 * Not routed by the policy: the stack builds it beside the playbooks.
 */
export function undoPlaybook(props: UndoPlaybookProps): StateMachineDefinition {
  return {
    name: UNDO,
    description: 'Undo a playbook execution: reverse the changes its audit trail records, in reverse order.',
    runbook: UNDO_RUNBOOK,
    build: (ctx) => build(ctx, props),
  };
}

function build(ctx: PlaybookContext, props: UndoPlaybookProps): sfn.IChainable {
  const { scope } = ctx;
  const steps = playbookSteps(ctx, UNDO);
  const planner = ctx.createFunction('PlanUndo', {
    entry: PLANNER_ENTRY,
    description: 'Reads a playbook execution and its audit trail and plans its undo',
  });
  // The finding's partition, and the resource's history across findings (the byResource index):
  // what other containments of the resource stand, and which follow-ups were handed over.
  planner.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['dynamodb:Query'],
      resources: [ctx.auditTable.tableArn, `${ctx.auditTable.tableArn}/index/byResource`],
    }),
  );
  for (const machine of props.undoable) machine.grantExecution(planner, 'states:DescribeExecution');

  // The state is replaced by the planner's answer: nothing of the caller's input but the
  // execution ARN, dry-run flag and requester reaches the later steps.
  const plan = new tasks.LambdaInvoke(scope, 'Plan undo', {
    lambdaFunction: planner,
    payloadResponseOnly: true,
    payload: sfn.TaskInput.fromObject({
      request: sfn.JsonPath.objectAt('$'),
      mode: props.mode,
      auditTable: ctx.auditTable.tableName,
    }),
    // No ResultPath: the default, "$", replaces the state with the planner's answer.
  });
  // Without a plan there is no finding to audit under: the execution fails with the error.
  plan.addCatch(
    new sfn.Fail(scope, 'Planning failed', { causePath: '$.error.Cause', errorPath: '$.error.Error' }),
    {
      resultPath: '$.error',
    },
  );

  const actions = applyActions(ctx, steps);
  const reversed = props.approvals
    ? sfn.Chain.start(cancelFollowUps(ctx, steps, props.approvals, props.undoable)).next(actions)
    : sfn.Chain.start(actions);
  // Another containment of the resource stands: the reversal is held, and the record says why.
  const kept = steps.audit('Audit containment kept', 'KeepContainment', 'skipped', {
    detailsPath: '$.plan.held',
    reasonPath: '$.plan.held.reason',
  });
  const apply = reversed
    .next(
      new sfn.Choice(scope, 'Held?')
        .when(sfn.Condition.isPresent('$.plan.held'), kept)
        .afterwards({ includeOtherwise: true }),
    )
    .next(
      catchToHuman(
        new tasks.SnsPublish(scope, 'Notify undone', {
          topic: ctx.topic,
          subject: sfn.JsonPath.format(
            '[{}] undo: {} execution undone',
            sfn.JsonPath.stringAt('$.finding.severity.label'),
            sfn.JsonPath.stringAt('$.plan.playbook'),
          ),
          message: sfn.TaskInput.fromObject({
            headline: 'execution undone',
            playbook: UNDO,
            requestedBy: sfn.JsonPath.stringAt('$.request.requestedBy'),
            finding: sfn.JsonPath.objectAt('$.finding'),
            execution: sfn.JsonPath.executionId,
            plan: sfn.JsonPath.objectAt('$.plan'),
          }),
          resultPath: sfn.JsonPath.DISCARD,
        }),
        steps.human,
      ),
    )
    .next(steps.audit('Audit undone', UNDO_COMPLETE_ACTION, 'undone', { detailsPath: '$.plan' }))
    .next(ended(ctx, 'undone', new sfn.Succeed(scope, 'Undone')));

  // The plan is audited before the choice (refused or planned): a dry run only ends.
  const byMode = steps.byMode({
    dryRun: ended(ctx, 'planned', new sfn.Succeed(scope, 'Dry run recorded')),
    proposedActions: [sfn.JsonPath.stringAt('$.proposal.actions'), sfn.JsonPath.stringAt('$.proposal.notes')],
    ifDenied: 'The undo ends: the resource stays as the playbook left it.',
    gate: { name: 'Undo approval' },
    contain: apply,
  });

  const refused = ended(ctx, 'refused', new sfn.Succeed(scope, 'Refused'));
  const outcome = new sfn.Choice(scope, 'Refused?')
    .when(
      sfn.Condition.and(
        sfn.Condition.stringEquals('$.plan.outcome', 'refused'),
        sfn.Condition.isPresent('$.finding.id'),
      ),
      steps.audit('Audit refused', 'Plan', 'refused', { detailsPath: '$.plan' }).next(refused),
    )
    .when(sfn.Condition.stringEquals('$.plan.outcome', 'refused'), refused)
    .otherwise(steps.audit('Audit plan', 'Plan', 'planned', { detailsPath: '$.plan' }).next(byMode));

  acknowledge(ctx, planner, props.undoable);
  return plan.next(outcome);
}

/**
 * One reverse call at a time, in the plan's order (a role policy must go before the profile
 * that brings its sessions back, an ENI's groups before its target group sends it traffic),
 * each chosen by the action's type and audited with the state before and after.
 */
function applyActions(ctx: PlaybookContext, steps: PlaybookSteps): sfn.Map {
  const { scope } = ctx;
  const { arns } = steps;
  const stopped = iterationStopped(scope, UNDO_ACTIONS);
  const byType = new sfn.Choice(scope, 'Action?');
  const calls = new Map<string, sfn.Chain>();
  for (const type of UNDO_ACTION_TYPES) {
    calls.set(
      type,
      // Inside the Map a failure cannot reach the needs-human path directly: the iteration fails
      // naming its step, and the Map's catch hands that on.
      reverseCall(scope, type, arns, (task) => catchToHuman(task, stopped, UNDO)).next(
        catchToHuman(
          auditStep(scope, `Audit ${type}`, {
            appender: ctx.auditAppender,
            playbook: UNDO,
            action: type,
            outcome: 'succeeded',
            beforePath: '$.action.before',
            afterPath: '$.action.after',
            detailsPath: '$.action.request',
          }),
          stopped,
          UNDO,
        ),
      ),
    );
  }
  // A bucket-policy statement is removed from the policy as it is now: both its types start there.
  const statement = removeBucketPolicyStatement(ctx, arns, calls);
  for (const [type, call] of calls)
    byType.when(
      sfn.Condition.stringEquals('$.action.type', type),
      BUCKET_POLICY_TYPES.has(type) ? statement : call,
    );
  byType.otherwise(
    new sfn.Fail(scope, 'Unknown action', { error: 'UnknownUndoAction', causePath: '$.action.type' }),
  );
  // In an organization the calls are made as the finding account's member role, named in `target`.
  const each = new sfn.Map(scope, UNDO_ACTIONS, {
    itemsPath: '$.plan.actions',
    itemSelector: withTarget(scope, {
      'action.$': '$$.Map.Item.Value',
      'finding.$': '$.finding',
      'decision.$': '$.decision',
      'audit.$': '$.audit',
    }),
    maxConcurrency: 1,
    resultPath: sfn.JsonPath.DISCARD,
  }).itemProcessor(byType);
  return catchMapToHuman(each, steps.human);
}

/** The resources are named by the audit trail at run time: account-wide patterns of exactly those types. */
function acknowledge(
  ctx: PlaybookContext,
  planner: lambda.IFunction,
  undoable: readonly sfn.IStateMachine[],
): void {
  const { scope } = ctx;
  const reason =
    'undo acts on the resources a playbook execution changed, named by its audit trail at run time; each reverse call is granted on that resource type in this account only, and only the calls that reverse a playbook.';
  const patterns = [
    'iam::{account}:user/*',
    'iam::{account}:role/*',
    'ec2:{region}:{account}:instance/*',
    'ec2:{region}:{account}:security-group/*',
    'ec2:{region}:{account}:network-interface/*',
    'ec2:{region}:{account}:vpc/*',
    'ec2:{region}:{account}:subnet/*',
    'ec2:{region}:{account}:vpc-flow-log/*',
    'autoscaling:{region}:{account}:autoScalingGroup:*:autoScalingGroupName/*',
    'elasticloadbalancing:{region}:{account}:targetgroup/*/*',
    // Snapshot and image ARNs carry no account.
    'ec2:{region}::snapshot/*',
    'ec2:{region}::image/*',
    'rds:{region}:{account}:snapshot:*',
    'rds:{region}:{account}:cluster-snapshot:*',
    'rds:{region}:{account}:db:*',
    'rds:{region}:{account}:cluster:*',
    'kms:{region}:{account}:key/*',
    'lambda:{region}:{account}:function:*',
    'guardduty:{region}:{account}:detector/*/ipset/*',
    'dynamodb:{region}:{account}:table/*',
    // SQS queue and SNS topic ARNs end in the name, with no resource type.
    'sqs:{region}:{account}:*',
    'sns:{region}:{account}:*',
  ];
  const stack = Stack.of(scope);
  // A planner defined elsewhere (an imported function) has no logical id here, and no grant to acknowledge.
  const plannerResource = planner.node.defaultChild as CfnElement | undefined;
  const plannerId = plannerResource ? stack.getLogicalId(plannerResource) : 'none';
  // Execution ARNs end in the execution's name: `execution:<state machine name>:*` is one machine's runs.
  const executions = undoable.map((machine) => ({
    id: resourceWildcardFinding(
      scope,
      `states:{region}:{account}:execution:${JSON.stringify(stack.resolve(Fn.select(6, Fn.split(':', machine.stateMachineArn))))}:*`,
    ),
    reason:
      'The planner reads (DescribeExecution) the executions of this playbook only, to undo one of them.',
  }));
  Validations.of(scope).acknowledge(
    ...executions,
    ...patterns.map((p) => ({ id: resourceWildcardFinding(scope, p), reason })),
    {
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::*]',
      reason:
        'The bucket is named by the audit trail at run time; the role may only put (or delete) Block Public Access, back to the recorded configuration, and read, put or delete a bucket policy to remove the one statement a playbook added.',
    },
    {
      id: `AwsSolutions-IAM5[Resource::<${plannerId}.Arn>:*]`,
      reason:
        'The ":*" suffix CDK grants covers the versions and aliases of the planner function only; it is this state machine\'s own function.',
    },
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ec2:DisableEbsEncryptionByDefault and s3:PutAccountPublicAccessBlock act on account settings with no resource-level permissions; they are the only reverse calls on Resource "*".',
    },
  );
}
