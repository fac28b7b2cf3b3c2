import { ArnFormat, Stack, aws_stepfunctions as sfn, aws_stepfunctions_tasks as tasks } from 'aws-cdk-lib';
import type { PlaybookContext } from '../playbook.ts';
import { auditStep } from './audit-step.ts';
import { catchToHuman } from './needs-human.ts';
import { retryOnThrottling } from './retry.ts';

const S = tasks.DynamoAttributeValue.fromString;
const EXECUTION = '$$.Execution.Id';
const CONDITIONAL_CHECK_FAILED = ['DynamoDB.ConditionalCheckFailedException'];

/**
 * Make one execution of `playbook` at a time the only one acting on the finding's resource. Two
 * different findings on one instance arrive together (GuardDuty reports C&C traffic and mining in
 * the same minute): both executions would see it uncontained and, say, create two isolation
 * groups. The first claims the resource with a conditional put (holder = its execution); a second
 * finds the claim, reads its holder and, while the holder runs, records that the resource is
 * already being handled and ends. A claim whose holder has ended (succeeded, failed, stopped) is
 * taken over, so no claim ever outlives its execution's relevance and nothing needs releasing.
 * Returns the claim chain; a second execution ends (succeeded) inside the fragment.
 */
export function claimResource(ctx: PlaybookContext, human: sfn.IChainable, playbook: string): sfn.Chain {
  const { scope } = ctx;
  const claims = ctx.claims;
  if (!claims) throw new Error(`${playbook}: claimResource needs ctx.claims (the coordination table)`);
  const key = {
    pk: S(sfn.JsonPath.format('claim#{}#{}', playbook, sfn.JsonPath.stringAt('$.audit.resourceKey'))),
  };
  const put = (id: string, condition: string, values: Record<string, tasks.DynamoAttributeValue>) =>
    retryOnThrottling(
      new tasks.DynamoPutItem(scope, id, {
        table: claims,
        item: {
          ...key,
          holder: S(sfn.JsonPath.stringAt(EXECUTION)),
          findingId: S(sfn.JsonPath.stringAt('$.finding.id')),
          at: S(sfn.JsonPath.stringAt('$$.State.EnteredTime')),
        },
        conditionExpression: condition,
        expressionAttributeValues: values,
        resultPath: sfn.JsonPath.DISCARD,
      }),
      'DynamoDb',
    );
  const claim = put('Claim resource', 'attribute_not_exists(pk) OR holder = :me', {
    ':me': S(sfn.JsonPath.stringAt(EXECUTION)),
  });
  const read = catchToHuman(
    retryOnThrottling(
      new tasks.DynamoGetItem(scope, 'Read claim', {
        table: claims,
        key,
        consistentRead: true,
        resultSelector: { 'holder.$': '$.Item.holder.S', 'findingId.$': '$.Item.findingId.S' },
        resultPath: '$.claim',
      }),
      'DynamoDb',
    ),
    human,
  );
  const stack = Stack.of(scope);
  const holder = new tasks.CallAwsService(scope, 'Read claim holder', {
    service: 'sfn',
    action: 'describeExecution',
    iamAction: 'states:DescribeExecution',
    parameters: { ExecutionArn: sfn.JsonPath.stringAt('$.claim.holder') },
    // The holder is one of this playbook's own executions; its generated state machine name cannot
    // appear in its own role's policy (a circular reference), so executions of this account and region.
    iamResources: [
      stack.formatArn({
        service: 'states',
        resource: 'execution',
        resourceName: '*:*',
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    ],
    resultSelector: { 'status.$': '$.Status' },
    resultPath: '$.claim.holderStatus',
  });
  retryOnThrottling(holder, 'Sfn');
  const alreadyClaimed = catchToHuman(
    auditStep(scope, 'Audit already being handled', {
      appender: ctx.auditAppender,
      playbook,
      action: 'Claim',
      outcome: 'skipped',
      detailsPath: '$.claim',
    }),
    human,
  );
  const takeOver = put('Take over claim', 'holder = :old', {
    ':old': S(sfn.JsonPath.stringAt('$.claim.holder')),
  });
  takeOver.addCatch(alreadyClaimed, { errors: CONDITIONAL_CHECK_FAILED, resultPath: sfn.JsonPath.DISCARD });
  catchToHuman(takeOver, human);
  holder.addCatch(takeOver, {
    errors: ['Sfn.ExecutionDoesNotExistException'],
    resultPath: sfn.JsonPath.DISCARD,
  });
  catchToHuman(holder, human);
  read
    .next(holder)
    .next(
      new sfn.Choice(scope, 'Holder still running?')
        .when(sfn.Condition.stringEquals('$.claim.holderStatus.status', 'RUNNING'), alreadyClaimed)
        .otherwise(takeOver),
    );
  claim.addCatch(read, { errors: CONDITIONAL_CHECK_FAILED, resultPath: sfn.JsonPath.DISCARD });
  catchToHuman(claim, human);
  alreadyClaimed.next(new sfn.Succeed(scope, 'Already being handled'));
  // Two open ends, the claim and the take-over, both followed by what comes next: no joining state.
  return sfn.Chain.custom(claim, [claim, takeOver], takeOver);
}
