import { aws_stepfunctions as sfn, type aws_stepfunctions_tasks as tasks } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { awsCall } from './aws-call.ts';
import { withTarget } from './member-credentials.ts';

/** Target groups read per instance: one page, sized to stay well inside the state quota. */
export const TARGET_GROUP_PAGE = 150;

/** Where {@link instanceTargetGroups} reads, and where it writes what it found. */
export interface InstanceTargetGroupsProps {
  /** Prefix of every state's name, so one state machine can read twice (e.g. `Risk: `). @default '' */
  readonly prefix?: string;
  /** JSONPath of the instance id. */
  readonly instanceIdPath: string;
  /** JSONPath of the instance's VPC id. */
  readonly vpcIdPath: string;
  /** Where the page of target groups goes while it is walked. */
  readonly listingPath: string;
  /** Where the membership list goes: `{ targetGroupArn, state, port?, error? }` per group. */
  readonly membershipPath: string;
  /**
   * Where `{ truncated }` goes: `true` when more groups exist than one page holds. An object, not
   * a bare Pass `Result`: aws-local-stepfunctions 3.0.0 (the sandbox) takes `Result: false` for
   * no Result and passes the whole input on instead.
   */
  readonly pagePath: string;
  /** OutputPath of the last state, e.g. to hand on only what was found. @default the whole state */
  readonly outputPath?: string;
}

/** The states of {@link instanceTargetGroups}: callers that go on after a failure catch on `list` and `each`. */
export interface InstanceTargetGroups {
  readonly list: tasks.CallAwsService;
  readonly each: sfn.Map;
  readonly chain: sfn.Chain;
}

/**
 * The target groups an instance is registered in, with the port and health state of each.
 * ELBv2 has no call listing the groups of an instance: walk the target groups and ask each
 * about the instance. A group that does not hold it answers `unused` (Target.NotRegistered).
 * Only instance-type groups in the instance's VPC are asked: for a group in another VPC
 * DescribeTargetHealth answers `InvalidTarget` ("The specified target does not exist, is not in
 * the same VPC as the target group, or has an unsupported instance type",
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeTargetHealth.html).
 * A group whose read still fails is recorded as `unknown` with its error. Both calls support no
 * resource-level permissions
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_elasticloadbalancingv2.html).
 *
 * Each group is about 1 KB in the response and Step Functions caps a state at 256 KB
 * (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html); the `States.DataLimitExceeded`
 * it raises is not caught by `States.ALL`. So one page of at most {@link TARGET_GROUP_PAGE} groups is
 * read, and the Map keeps only ARN, port and state per group; the caller drops the listing.
 */
export function instanceTargetGroups(
  scope: Construct,
  props: InstanceTargetGroupsProps,
): InstanceTargetGroups {
  const name = (id: string) => `${props.prefix ?? ''}${id}`;
  const list = awsCall(scope, name('List target groups'), {
    service: 'elasticloadbalancingv2',
    action: 'describeTargetGroups',
    parameters: { PageSize: TARGET_GROUP_PAGE },
    iamResources: ['*'],
    // The whole response: a ResultSelector naming `NextMarker` would fail on the last page.
    resultPath: props.listingPath,
  });
  const membership = (id: string, state: string | { path: string }, extra: Record<string, string> = {}) =>
    new sfn.Pass(scope, name(id), {
      parameters: {
        'targetGroupArn.$': '$.group.TargetGroupArn',
        ...(typeof state === 'string' ? { state } : { 'state.$': state.path }),
        ...extra,
      },
    });
  const readHealth = awsCall(scope, name('Read target health'), {
    service: 'elasticloadbalancingv2',
    action: 'describeTargetHealth',
    parameters: { 'TargetGroupArn.$': '$.group.TargetGroupArn', Targets: [{ 'Id.$': '$.instanceId' }] },
    iamResources: ['*'],
    resultSelector: { 'descriptions.$': '$.TargetHealthDescriptions' },
    resultPath: '$.health',
  });
  const unreadable = membership('Target health unreadable', 'unknown', { 'error.$': '$.error.Error' });
  readHealth.addCatch(unreadable, { resultPath: '$.error' });
  const described = new sfn.Choice(scope, name('Target health described?'))
    .when(
      sfn.Condition.and(
        sfn.Condition.isPresent('$.health.descriptions[0].TargetHealth.State'),
        sfn.Condition.isPresent('$.health.descriptions[0].Target.Port'),
      ),
      membership(
        'Target group membership',
        { path: '$.health.descriptions[0].TargetHealth.State' },
        { 'port.$': '$.health.descriptions[0].Target.Port' },
      ),
    )
    .otherwise(membership('Target health not described', 'unknown'));
  // IP and Lambda groups name no instance, and Lambda groups have no VPC at all.
  const perGroup = new sfn.Choice(scope, name('Instance target group in its VPC?'))
    .when(
      sfn.Condition.and(
        sfn.Condition.stringEquals('$.group.TargetType', 'instance'),
        sfn.Condition.isPresent('$.group.VpcId'),
        sfn.Condition.stringEqualsJsonPath('$.group.VpcId', '$.vpcId'),
      ),
      readHealth.next(described),
    )
    .otherwise(membership('Not an instance target group of its VPC', 'not-applicable'));
  const each = new sfn.Map(scope, name('Read target groups'), {
    itemsPath: `${props.listingPath}.TargetGroups`,
    itemSelector: withTarget(scope, {
      'group.$': '$$.Map.Item.Value',
      'instanceId.$': props.instanceIdPath,
      'vpcId.$': props.vpcIdPath,
    }),
    maxConcurrency: 10,
    resultPath: props.membershipPath,
  }).itemProcessor(perGroup);
  const truncated = (value: boolean) =>
    new sfn.Pass(scope, name(`Target groups ${value ? 'beyond one page' : 'all read'}`), {
      parameters: { truncated: value },
      resultPath: props.pagePath,
      ...(props.outputPath ? { outputPath: props.outputPath } : {}),
    });
  const chain = list.next(each).next(
    new sfn.Choice(scope, name('More target groups?'))
      .when(sfn.Condition.isPresent(`${props.listingPath}.NextMarker`), truncated(true))
      .otherwise(truncated(false))
      .afterwards(),
  );
  return { list, each, chain };
}
