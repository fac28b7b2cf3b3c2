import path from 'node:path';
import { aws_stepfunctions as sfn, Validations } from 'aws-cdk-lib';
import { facts } from '#shared/playbooks/remove-public-lambda-access.ts';
import { awsCall } from './fragments/aws-call.ts';
import { withTarget } from './fragments/member-credentials.ts';
import { type Planner, plannerFunction } from './fragments/planner.ts';
import { type PlaybookSteps, playbookSteps } from './fragments/playbook-steps.ts';
import { readOrNone } from './fragments/read-or-none.ts';
import { resourceWildcardFinding } from './fragments/wildcard-acknowledgement.ts';
import type { PlaybookContext, PlaybookDefinition } from './playbook.ts';

const NAME = facts.name;
const PLANNER_ENTRY = path.resolve(
  import.meta.dirname,
  '../functions/plan-public-function-access/handler.ts',
);
const FUNCTION = '$.finding.resource.functionName';

/**
 * Security Hub Lambda.1 (Config lambda-function-public-access-prohibited): remove, by Sid, the
 * statements of the function's resource-based policy that make it public (planner function,
 * shared/lambda-policy/), each recorded with the AddPermission request that puts it back exactly
 * (or why none can), then read the policy again. Lambda's policy can only be changed statement by
 * statement (AddPermission, RemovePermission), so every other statement stays as it is.
 * https://docs.aws.amazon.com/securityhub/latest/userguide/lambda-controls.html#lambda-1
 * https://docs.aws.amazon.com/lambda/latest/api/API_RemovePermission.html
 */
export const removePublicLambdaAccess: PlaybookDefinition = {
  ...facts,
  runbook: {
    steps: [
      {
        title: 'Read the function policy',
        does: "Reads the function's resource-based policy (a function without one has nothing public) and lists the statements that make it public, each with whether AddPermission can put it back exactly.",
        states: [
          'Proposed read function policy',
          'Proposed no function policy',
          'Proposed plan',
          'Current read function policy',
          'Current no function policy',
          'Current plan',
        ],
        ifItStops: 'Nothing was changed. Check that the function still exists in the Lambda console.',
      },
      {
        title: 'Remove the public statements',
        does: 'Removes each public statement by its Sid (RemovePermission). Every other statement stays.',
        states: ['Remove public statements', 'Remove permission'],
        ifItStops:
          'Some public statements may still be there. In the Lambda console open the function (Configuration > Permissions > Resource-based policy statements) and delete those with Principal * and no source condition.',
      },
      {
        title: 'Check the function is no longer public',
        does: 'Reads the policy again and confirms no public statement is left.',
        states: ['Again read function policy', 'Again no function policy', 'Again plan'],
        ifItStops:
          'The statements were removed but this could not be confirmed. Look at the function policy in the Lambda console.',
      },
    ],
    checkAfterwards: [
      'A function URL with auth type NONE now answers 403 Forbidden: if the function must serve the public, switch the URL to AWS_IAM or put it behind API Gateway or CloudFront, or exempt the function and undo.',
      'An Amazon S3 notification that invoked the function without AWS:SourceAccount stops: add the permission again with --source-account and --source-arn.',
    ],
    undo: 'Run `remediate undo <execution id>` (the id is in the timeline: `remediate audit --finding <id>`). It adds each removed statement back with AddPermission; one AddPermission cannot write exactly is named in the plan and not restored.',
  },
  build(ctx: PlaybookContext): sfn.IChainable {
    const { scope } = ctx;
    const steps = playbookSteps(ctx, NAME);
    const functions = [steps.arns.functions];
    const planner = plannerFunction(ctx, {
      id: 'PlanPublicFunctionAccess',
      entry: PLANNER_ENTRY,
      description: "Lists the statements of a Lambda function's policy that make it public",
      human: steps.human,
    });
    const readAndPlan = (id: string, resultPath: string) =>
      readPolicyAndPlan(steps, planner, id, resultPath, functions);

    const removeEach = steps.each(
      'Remove public statements',
      {
        itemsPath: '$.plan.public',
        itemSelector: withTarget(scope, {
          'sid.$': '$$.Map.Item.Value.sid',
          'functionName.$': FUNCTION,
        }),
        maxConcurrency: 1,
        resultPath: sfn.JsonPath.DISCARD,
      },
      awsCall(scope, 'Remove permission', {
        service: 'lambda',
        action: 'removePermission',
        parameters: { 'FunctionName.$': '$.functionName', 'StatementId.$': '$.sid' },
        iamResources: functions,
      }),
    );
    const remove = removeEach
      .next(
        steps.audit('Audit public statements removed', 'RemovePermission', 'succeeded', {
          beforePath: '$.plan.current',
          detailsPath: '$.plan.change',
        }),
      )
      .next(readAndPlan('Again', '$.verification'))
      .next(
        steps.verify(
          sfn.Condition.numberEquals('$.verification.publicCount', 0),
          { afterPath: '$.verification.current' },
          'public access to the function removed',
        ),
      );
    // The policy is read again after approval: it may have changed while the request waited.
    const contain = readAndPlan('Current', '$.plan').next(
      steps.unlessAlready({
        id: 'Public statements?',
        already: sfn.Condition.numberEquals('$.plan.publicCount', 0),
        audit: {
          id: 'Audit not public',
          action: 'RemovePermission',
          paths: { beforePath: '$.plan.current' },
        },
        endId: 'Not public',
        contain: remove,
      }),
    );

    Validations.of(scope).acknowledge({
      id: resourceWildcardFinding(scope, 'lambda:{region}:{account}:function:*'),
      reason:
        'The function is named by the finding at run time; the role may only read function policies and remove statements, and the definition only removes the statements that make a function public.',
    });
    return steps.byMode({
      plan: readAndPlan('Proposed', '$.plan'),
      proposedActions: [
        "Remove the statements of the function's resource-based policy that let anyone invoke it (Principal * without a fixed-value condition, or Amazon S3 without AWS:SourceAccount); every other statement stays",
        'A function URL with auth type NONE stops answering the public',
        'Read the policy again and record whether any public statement is left',
      ],
      ifDenied: 'The playbook ends: the function policy stays as it is.',
      contain,
    });
  },
};

/**
 * GetPolicy, then the planner. Lambda answers GetPolicy on a function without a policy with
 * ResourceNotFoundException (https://docs.aws.amazon.com/lambda/latest/api/API_GetPolicy.html):
 * nothing is public then.
 */
function readPolicyAndPlan(
  steps: PlaybookSteps,
  planner: Planner,
  id: string,
  resultPath: string,
  functions: string[],
): sfn.Chain {
  const { scope } = steps;
  const readPath = `$.state.read${id}`;
  const read = awsCall(scope, `${id} read function policy`, {
    service: 'lambda',
    action: 'getPolicy',
    parameters: { 'FunctionName.$': FUNCTION },
    iamResources: functions,
    resultSelector: { 'Policy.$': '$.Policy' },
    resultPath: readPath,
  });
  const plan = planner.invoke(
    `${id} plan`,
    {
      functionName: sfn.JsonPath.stringAt(FUNCTION),
      functionArn: sfn.JsonPath.stringAt('$.finding.resource.functionArn'),
      policy: sfn.JsonPath.stringAt(`${readPath}.Policy`),
    },
    resultPath,
  );
  return readOrNone(steps, read, {
    id: `${id} no function policy`,
    value: { Policy: null },
    resultPath: readPath,
    errors: ['Lambda.ResourceNotFoundException'],
  }).next(plan);
}
