import {
  ArnFormat,
  type aws_dynamodb as dynamodb,
  Fn,
  Stack,
  aws_stepfunctions as sfn,
  aws_stepfunctions_tasks as tasks,
} from 'aws-cdk-lib';
import { UNDO } from '#shared/undo/plan.ts';
import { auditStep } from '../fragments/audit-step.ts';
import { catchMapToHuman, catchToHuman, iterationStopped } from '../fragments/needs-human.ts';
import type { PlaybookSteps } from '../fragments/playbook-steps.ts';
import { retryOnThrottling } from '../fragments/retry.ts';
import type { PlaybookContext } from '../playbook.ts';

const S = tasks.DynamoAttributeValue.fromString;
const APPROVAL_ID = '$.followUp.approvalId';
const CANCEL_FOLLOW_UPS = 'Cancel follow-ups';

/**
 * Before any reverse call: stop each follow-up the plan names (a re-image handed over by the
 * quarantine being undone) and cancel its pending approval request, so approving it afterwards
 * changes nothing on an instance that is back in service. The request is marked `cancelled` with
 * one conditional write (only while still `pending`): the decision path refuses anything not
 * pending, and the gate refuses anything that is not a recorded decision. Then StopExecution ends
 * the wait. A request someone approved while this undo waited for its own approval means the
 * re-image is under way: the undo stops there, to needs-human, before reversing anything.
 * Each cancellation is audited (`CancelFollowUp`) under the original finding.
 */
export function cancelFollowUps(
  ctx: PlaybookContext,
  steps: PlaybookSteps,
  approvals: dynamodb.ITable,
  followUpMachines: readonly sfn.IStateMachine[],
): sfn.Map {
  const { scope } = ctx;
  const stack = Stack.of(scope);
  // StopExecution without error and cause: with them, stopping an execution encrypted under a
  // customer managed key needs KMS permissions too; the audit record says why instead.
  // https://docs.aws.amazon.com/step-functions/latest/apireference/API_StopExecution.html
  const stop = retryOnThrottling(
    new tasks.CallAwsService(scope, 'Stop follow-up', {
      service: 'sfn',
      action: 'stopExecution',
      iamAction: 'states:StopExecution',
      parameters: { ExecutionArn: sfn.JsonPath.stringAt('$.followUp.executionArn') },
      iamResources: followUpMachines.map((machine) =>
        stack.formatArn({
          service: 'states',
          resource: 'execution',
          resourceName: `${Fn.select(6, Fn.split(':', machine.stateMachineArn))}:*`,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ),
      resultPath: sfn.JsonPath.DISCARD,
    }),
    'Sfn',
  );
  const key = { id: S(sfn.JsonPath.stringAt(APPROVAL_ID)) };
  const cancel = retryOnThrottling(
    new tasks.DynamoUpdateItem(scope, 'Cancel follow-up approval', {
      table: approvals,
      key,
      updateExpression: 'SET #status = :cancelled, decidedAt = :at, decidedBy = :by, reason = :reason',
      conditionExpression: '#status = :pending',
      expressionAttributeNames: { '#status': 'status' },
      expressionAttributeValues: {
        ':cancelled': S('cancelled'),
        ':pending': S('pending'),
        ':at': S(sfn.JsonPath.stringAt('$$.State.EnteredTime')),
        ':by': S(sfn.JsonPath.stringAt('$$.Execution.Id')),
        ':reason': S(
          sfn.JsonPath.format(
            'cancelled: {} was undone, so its follow-up is stopped',
            sfn.JsonPath.stringAt('$.targetExecutionArn'),
          ),
        ),
      },
      resultPath: sfn.JsonPath.DISCARD,
    }),
    'DynamoDb',
  );
  const read = retryOnThrottling(
    new tasks.DynamoGetItem(scope, 'Read follow-up approval', {
      table: approvals,
      key,
      consistentRead: true,
      resultSelector: { 'status.$': '$.Item.status.S' },
      resultPath: '$.approval',
    }),
    'DynamoDb',
  );
  const approved = new sfn.Fail(scope, 'Follow-up approved meanwhile', {
    error: 'FollowUpApproved',
    cause:
      "The follow-up's approval was given while this undo waited: it may be re-imaging the instance. Nothing was reversed; decide by hand.",
  });
  cancel.addCatch(read, {
    errors: ['DynamoDB.ConditionalCheckFailedException'],
    resultPath: sfn.JsonPath.DISCARD,
  });
  // Any other failure ends the iteration naming its step; the Map's catch hands that on.
  const stopped = iterationStopped(scope, CANCEL_FOLLOW_UPS);
  for (const task of [stop, cancel, read]) catchToHuman(task, stopped, UNDO);
  read.next(
    new sfn.Choice(scope, 'Follow-up approval given?')
      .when(sfn.Condition.stringEquals('$.approval.status', 'approved'), approved)
      .otherwise(stop),
  );
  cancel.next(stop);
  stop.next(
    catchToHuman(
      auditStep(scope, 'Audit follow-up cancelled', {
        appender: ctx.auditAppender,
        playbook: UNDO,
        action: 'CancelFollowUp',
        outcome: 'succeeded',
        detailsPath: '$.followUp',
      }),
      stopped,
      UNDO,
    ),
  );
  const each = new sfn.Map(scope, CANCEL_FOLLOW_UPS, {
    itemsPath: '$.plan.followUps',
    itemSelector: {
      'followUp.$': '$$.Map.Item.Value',
      'targetExecutionArn.$': '$.plan.targetExecutionArn',
      'finding.$': '$.finding',
      'decision.$': '$.decision',
      'audit.$': '$.audit',
    },
    maxConcurrency: 1,
    resultPath: sfn.JsonPath.DISCARD,
  }).itemProcessor(
    new sfn.Choice(scope, 'Approval to cancel?')
      .when(sfn.Condition.isPresent(APPROVAL_ID), cancel)
      .otherwise(stop),
  );
  return catchMapToHuman(each, steps.human);
}
