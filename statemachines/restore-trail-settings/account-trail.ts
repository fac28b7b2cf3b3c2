import path from 'node:path';
import { aws_stepfunctions as sfn } from 'aws-cdk-lib';
import { awsCall } from '../fragments/aws-call.ts';
import { withTarget } from '../fragments/member-credentials.ts';
import { plannerFunction } from '../fragments/planner.ts';
import type { PlaybookSteps } from '../fragments/playbook-steps.ts';
import type { PlaybookContext } from '../playbook.ts';

const CHOOSER_ENTRY = path.resolve(import.meta.dirname, '../../functions/choose-account-trail/handler.ts');

/** Where the choice is kept: `{ found, resource, isLogging, missing, reason }` (shared/drift/account-trail.ts). */
export const ACCOUNT_TRAIL_PATH = '$.accountTrail';

/**
 * The discovery front for a finding that names the account, not a trail (Security Hub CloudTrail.1,
 * AWS Config multi-region-cloudtrail-enabled): list the Region's trails, read the status and
 * selectors of each the account owns here, and let the chooser (a planner: the state language
 * cannot rank trails) pick the one needing the fewest changes. The chosen trail becomes the
 * finding's resource, so every later step reads and changes it exactly as for a finding naming it.
 * No trail to fix ends with a person and the chooser's reason: creating one needs a bucket.
 * https://docs.aws.amazon.com/securityhub/latest/userguide/cloudtrail-controls.html#cloudtrail-1
 */
export function accountTrail(ctx: PlaybookContext, steps: PlaybookSteps, then: sfn.IChainable): sfn.Chain {
  const { scope } = ctx;
  const trails = [steps.arns.trails];
  // DescribeTrails supports no resource-level permission
  // (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscloudtrail.html).
  // Shadow trails are listed too (includeShadowTrails defaults to true), so a person is told of a
  // multi-Region trail homed elsewhere rather than of no trail at all. Step Functions returns the
  // model's `trailList` as `TrailList`, as it spells every member in PascalCase.
  // https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_DescribeTrails.html
  const list = steps.call('List trails', {
    service: 'cloudtrail',
    action: 'describeTrails',
    iamResources: ['*'],
    resultSelector: { 'trails.$': '$.TrailList' },
    resultPath: '$.discovery',
  });

  // Only the account's own trails of this Region are read: the role may read no other, and no
  // other can be changed from here. The owner is the ARN's account field.
  const owner = new sfn.Pass(scope, 'Trail owner', {
    parameters: { 'accountId.$': "States.ArrayGetItem(States.StringSplit($.trail.TrailARN, ':'), 4)" },
    resultPath: '$.owner',
  });
  const status = awsCall(scope, 'Read trail logging', {
    service: 'cloudtrail',
    action: 'getTrailStatus',
    parameters: { 'Name.$': '$.trail.TrailARN' },
    iamResources: trails,
    resultSelector: { 'isLogging.$': '$.IsLogging' },
    resultPath: '$.status',
  });
  const selectors = awsCall(scope, 'Read trail selectors', {
    service: 'cloudtrail',
    action: 'getEventSelectors',
    parameters: { 'TrailName.$': '$.trail.TrailARN' },
    iamResources: trails,
    resultPath: '$.selectors',
  });
  const read = status.next(selectors).next(
    new sfn.Pass(scope, 'Trail read', {
      parameters: { 'trail.$': '$.trail', 'isLogging.$': '$.status.isLogging', 'selectors.$': '$.selectors' },
    }),
  );
  const ownedHere = new sfn.Choice(scope, 'Owned here?')
    .when(
      sfn.Condition.and(
        sfn.Condition.isPresent('$.trail.HomeRegion'),
        sfn.Condition.stringEqualsJsonPath('$.trail.HomeRegion', '$.region'),
        sfn.Condition.stringEqualsJsonPath('$.owner.accountId', '$.accountId'),
      ),
      read,
    )
    .otherwise(new sfn.Pass(scope, 'Trail of elsewhere', { parameters: { 'trail.$': '$.trail' } }));
  const each = new sfn.Map(scope, 'Read each trail', {
    itemsPath: '$.discovery.trails',
    itemSelector: withTarget(scope, {
      'trail.$': '$$.Map.Item.Value',
      'accountId.$': '$.target.accountId',
      'region.$': '$.target.region',
    }),
    // CloudTrail allows five trails per Region, plus the shadows of multi-Region trails homed
    // elsewhere: few reads, one at a time within CloudTrail's per-account request rate.
    maxConcurrency: 1,
    resultPath: '$.discovery.trails',
  }).itemProcessor(owner.next(ownedHere));
  each.addCatch(steps.human, { resultPath: '$.error' });

  const chooser = plannerFunction(ctx, {
    id: 'ChooseAccountTrail',
    entry: CHOOSER_ENTRY,
    description: 'Chooses the trail restore-trail-settings fixes for an account finding (CloudTrail.1)',
    human: steps.human,
  });
  const choose = chooser.invoke(
    'Choose trail',
    {
      accountId: sfn.JsonPath.stringAt('$.target.accountId'),
      region: sfn.JsonPath.stringAt('$.target.region'),
      trails: sfn.JsonPath.objectAt('$.discovery.trails'),
    },
    ACCOUNT_TRAIL_PATH,
  );
  const noTrail = new sfn.Pass(scope, 'No trail to fix', {
    parameters: { Error: 'NoTrailToFix', 'Cause.$': `${ACCOUNT_TRAIL_PATH}.reason` },
    resultPath: '$.error',
  }).next(steps.human);
  const useTrail = new sfn.Pass(scope, 'Fix chosen trail', {
    inputPath: `${ACCOUNT_TRAIL_PATH}.resource`,
    resultPath: '$.finding.resource',
  }).next(then);
  return list
    .next(each)
    .next(choose)
    .next(
      new sfn.Choice(scope, 'Trail found?')
        .when(sfn.Condition.booleanEquals(`${ACCOUNT_TRAIL_PATH}.found`, true), useTrail)
        .otherwise(noTrail),
    );
}
