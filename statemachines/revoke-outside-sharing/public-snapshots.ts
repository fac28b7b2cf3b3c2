import {
  type aws_lambda as lambda,
  aws_stepfunctions as sfn,
  aws_stepfunctions_tasks as tasks,
  Validations,
} from 'aws-cdk-lib';
import { auditStep } from '../fragments/audit-step.ts';
import { awsCall } from '../fragments/aws-call.ts';
import { withTarget } from '../fragments/member-credentials.ts';
import { catchToHuman } from '../fragments/needs-human.ts';
import { notifyStep } from '../fragments/notify.ts';
import type { PlaybookSteps } from '../fragments/playbook-steps.ts';
import type { PlaybookContext } from '../playbook.ts';

/**
 * At most this many public snapshots are made private per run. Each is a read, a change, an audit
 * record and a read again, one at a time; the rest are reported, and the control's next periodic
 * evaluation finds them again. DescribeSnapshots takes MaxResults from 5 to 1,000 and returns a
 * NextToken when more match (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSnapshots.html).
 */
export const PUBLIC_SNAPSHOTS_PER_RUN = 20;

/** What the account path and the Map iterations need to know of the playbook. */
export interface PublicSnapshotsProps {
  /** The share planner (functions/plan-share-revocation), invoked per snapshot. */
  readonly planner: lambda.IFunction;
  /** The IAM resource pattern of the account's snapshots. */
  readonly snapshotArn: string;
  /** The playbook's `Mode?` choice: the account path joins it with `$.plan` written. */
  readonly mode: sfn.IChainable;
}

/**
 * The discovery front for Security Hub EC2.1 (Config ebs-snapshot-public-restorable-check), whose
 * finding names the account, not a snapshot: list the account's snapshots anyone may restore
 * (DescribeSnapshots OwnerIds=self, RestorableByUserIds=all) and plan making the first
 * {@link PUBLIC_SNAPSHOTS_PER_RUN} private. The plan then goes through the playbook's one `Mode?`
 * choice (dry run, approval) like any other.
 * https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-1
 * https://docs.aws.amazon.com/config/latest/developerguide/ebs-snapshot-public-restorable-check.html
 */
export function listPublicSnapshots(ctx: PlaybookContext, steps: PlaybookSteps, props: PublicSnapshotsProps) {
  const { scope } = ctx;
  const list = steps.call('List public snapshots', {
    service: 'ec2',
    action: 'describeSnapshots',
    parameters: { OwnerIds: ['self'], RestorableByUserIds: ['all'], MaxResults: PUBLIC_SNAPSHOTS_PER_RUN },
    // DescribeSnapshots supports no resource-level permission
    // (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html).
    iamResources: ['*'],
    resultPath: '$.discovery',
  });
  Validations.of(scope).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'ec2:DescribeSnapshots supports no resource-level permissions; it only lists the account’s public snapshots for EC2.1.',
  });
  // The plan keeps the shape the rest of the playbook reads (`permissions`, `remove`, `count`).
  const plan = (id: string, moreRemain: boolean) =>
    new sfn.Pass(scope, id, {
      parameters: {
        resourceType: 'AwsEc2Snapshot',
        'snapshotIds.$': '$.discovery.Snapshots[*].SnapshotId',
        'count.$': 'States.ArrayLength($.discovery.Snapshots)',
        permissions: [],
        remove: [{ Group: 'all' }],
        limit: PUBLIC_SNAPSHOTS_PER_RUN,
        moreRemain,
      },
      resultPath: '$.plan',
    }).next(props.mode);
  return list.next(
    new sfn.Choice(scope, 'More public snapshots?')
      .when(sfn.Condition.isPresent('$.discovery.NextToken'), plan('Plan first public snapshots', true))
      .otherwise(plan('Plan public snapshots', false)),
  );
}

/**
 * Make each listed snapshot private, one at a time: read its create-volume permissions, let the
 * share planner choose exactly `all` (public sharing only: shares with accounts stay), remove it,
 * record the removal as revoke-outside-sharing records any (undo gives each back), read again and
 * check with the planner. A snapshot still public after its change fails the Map, to a person.
 * Then report the snapshots left for the next run, and hand `verified` to the playbook's end.
 */
export function makePublicSnapshotsPrivate(
  ctx: PlaybookContext,
  steps: PlaybookSteps,
  props: Omit<PublicSnapshotsProps, 'mode'> & {
    readonly verified: sfn.IChainable;
    readonly playbook: string;
  },
): sfn.Chain {
  const { scope } = ctx;
  const snapshots = [props.snapshotArn];
  const plan = (id: string, describedPath: string, resultPath: string) =>
    new tasks.LambdaInvoke(scope, id, {
      lambdaFunction: props.planner,
      payloadResponseOnly: true,
      payload: sfn.TaskInput.fromObject({
        accountId: sfn.JsonPath.stringAt('$.finding.accountId'),
        resource: sfn.JsonPath.objectAt('$.resource'),
        change: {},
        // EC2.1 judges public sharing only: `all` goes, shares with accounts stay.
        decision: { params: { publicOnly: true } },
        described: sfn.JsonPath.objectAt(describedPath),
      }),
      resultPath,
    });
  const read = (id: string, resultPath: string) =>
    awsCall(scope, id, {
      service: 'ec2',
      action: 'describeSnapshotAttribute',
      parameters: { 'SnapshotId.$': '$.resource.id', Attribute: 'createVolumePermission' },
      iamResources: snapshots,
      resultPath,
    });
  const stillPublic = new sfn.Fail(scope, 'Snapshot still public', {
    error: 'NotVerified',
    cause: 'A snapshot read again after its change still lets anyone create volumes from it',
  });
  const iteration = read('Read public snapshot', '$.before')
    .next(plan('Plan snapshot removal', '$.before', '$.plan'))
    .next(
      awsCall(scope, 'Make snapshot private', {
        service: 'ec2',
        action: 'modifySnapshotAttribute',
        parameters: {
          'SnapshotId.$': '$.resource.id',
          Attribute: 'createVolumePermission',
          CreateVolumePermission: { 'Remove.$': '$.plan.remove' },
        },
        iamResources: snapshots,
      }),
    )
    .next(
      auditStep(scope, 'Audit snapshot made private', {
        appender: ctx.auditAppender,
        playbook: props.playbook,
        action: 'RemoveSharing',
        outcome: 'succeeded',
        beforePath: '$.plan.permissions',
        afterPath: '$.plan.remove',
        detailsPath: '$.plan',
      }),
    )
    .next(read('Read public snapshot again', '$.after'))
    .next(plan('Check snapshot private', '$.after', '$.check'))
    .next(
      new sfn.Choice(scope, 'Snapshot private?')
        .when(
          sfn.Condition.numberEquals('$.check.count', 0),
          new sfn.Pass(scope, 'Snapshot made private', { parameters: { 'snapshotId.$': '$.resource.id' } }),
        )
        .otherwise(stillPublic),
    );
  const each = new sfn.Map(scope, 'Make each snapshot private', {
    itemsPath: '$.discovery.Snapshots',
    itemSelector: withTarget(scope, {
      resource: { kind: 'Other', type: 'AwsEc2Snapshot', 'id.$': '$$.Map.Item.Value.SnapshotId' },
      'finding.$': '$.finding',
      'decision.$': '$.decision',
      'audit.$': '$.audit',
    }),
    // One at a time: each appends to the finding's audit chain, and EC2 throttles mutating calls.
    maxConcurrency: 1,
    resultPath: '$.state.after',
  }).itemProcessor(iteration);
  each.addCatch(steps.human, { resultPath: '$.error' });

  const verification = new sfn.Pass(scope, 'Every snapshot private', {
    parameters: {
      count: 0,
      'madePrivate.$': '$.state.after',
      'moreRemain.$': '$.plan.moreRemain',
    },
    resultPath: '$.verification',
  }).next(props.verified);
  const reportRest = catchToHuman(
    notifyStep(scope, 'Notify more public snapshots', {
      topic: ctx.topic,
      playbook: props.playbook,
      headline: `more public EBS snapshots remain (${PUBLIC_SNAPSHOTS_PER_RUN} per run)`,
      detailsPath: '$.plan',
    }),
    steps.human,
  ).next(verification);
  return sfn.Chain.start(each).next(
    new sfn.Choice(scope, 'More to report?')
      .when(sfn.Condition.booleanEquals('$.plan.moreRemain', true), reportRest)
      .otherwise(verification),
  );
}
