import { aws_iam as iam, aws_stepfunctions as sfn } from 'aws-cdk-lib';
import { facts } from '#shared/playbooks/snapshot-and-reimage.ts';
import { boundedPoll } from '../fragments/bounded-poll.ts';
import { isAbsent } from '../fragments/conditions.ts';
import { INSTANCE_ID } from '../fragments/finding-paths.ts';
import type { PlaybookSteps } from '../fragments/playbook-steps.ts';

/** Tag keys on every evidence snapshot: the finding it preserves and the instance it came from. */
export const EVIDENCE_TAGS = {
  finding: 'remediation:finding',
  instance: 'remediation:instance',
  playbook: 'remediation:playbook',
} as const;

/** Seconds between two reads of the snapshots' state, and how many reads before giving up (10 min). */
const SNAPSHOT_POLL = { intervalSeconds: 15, maxIterations: 40 };

/** EC2 filters selecting this finding's snapshots of this instance, plus any extra filter. */
const evidenceFilters = (...extra: Record<string, unknown>[]) => [
  { Name: `tag:${EVIDENCE_TAGS.finding}`, 'Values.$': 'States.Array($.finding.id)' },
  { Name: `tag:${EVIDENCE_TAGS.instance}`, 'Values.$': `States.Array(${INSTANCE_ID})` },
  ...extra,
];

/**
 * Snapshot every attached volume at one point in time (CreateSnapshots is crash-consistent
 * across the volumes; one CreateSnapshot per volume would not be), copying each volume's tags and
 * adding the finding and the instance, then wait until all are `completed`. A second run for the
 * same finding finds its snapshots by tag and takes none. Snapshots are read back through
 * server-side filters rather than JSONPath filters, whose single match is not a list.
 */
export function evidenceSnapshots(steps: PlaybookSteps): sfn.Chain {
  const { scope, arns, human } = steps;
  const describe = (id: string, resultPath: string, ...extra: Record<string, unknown>[]) =>
    steps.call(id, {
      service: 'ec2',
      action: 'describeSnapshots',
      parameters: { OwnerIds: ['self'], Filters: evidenceFilters(...extra) },
      iamResources: ['*'],
      resultSelector: { 'snapshots.$': '$.Snapshots' },
      resultPath,
    });
  const create = steps.call('Create snapshots', {
    service: 'ec2',
    action: 'createSnapshots',
    parameters: {
      InstanceSpecification: { 'InstanceId.$': INSTANCE_ID, ExcludeBootVolume: false },
      'Description.$':
        "States.Format('Evidence for finding {} on {}', $.finding.id, $.finding.resource.instanceId)",
      CopyTagsFromSource: 'volume',
      TagSpecifications: [
        {
          ResourceType: 'snapshot',
          Tags: [
            { Key: EVIDENCE_TAGS.finding, 'Value.$': '$.finding.id' },
            { Key: EVIDENCE_TAGS.instance, 'Value.$': INSTANCE_ID },
            { Key: EVIDENCE_TAGS.playbook, Value: facts.name },
          ],
        },
      ],
    },
    // CreateSnapshots is authorized on the instance, each volume and each new snapshot.
    iamResources: [arns.instances, arns.volumes, arns.snapshots],
    additionalIamStatements: [tagOnCreate(arns.snapshots, 'CreateSnapshots')],
  });
  const existing = describe('Find evidence snapshots', '$.existing');
  const createOnce = new sfn.Choice(scope, 'Snapshots taken already?')
    .when(isAbsent('$.existing.snapshots[0]'), create)
    .afterwards({ includeOtherwise: true });
  const poll = boundedPoll(scope, {
    name: 'Snapshot poll',
    ...SNAPSHOT_POLL,
    read: sfn.Chain.start(
      describe('Read failed snapshots', '$.poll.failed', { Name: 'status', Values: ['error'] }),
    ).next(describe('Read pending snapshots', '$.poll.pending', { Name: 'status', Values: ['pending'] })),
    failed: sfn.Condition.isPresent('$.poll.failed.snapshots[0]'),
    done: isAbsent('$.poll.pending.snapshots[0]'),
    human,
    failure: {
      error: 'SnapshotFailed',
      cause: `${facts.name}: an evidence snapshot is in state error; take it again by hand`,
    },
  });
  const evidence = describe('Read evidence snapshots', '$.evidence');
  return existing
    .next(createOnce)
    .next(poll)
    .next(evidence)
    .next(steps.audit('Audit snapshots', 'CreateSnapshots', 'succeeded', { afterPath: '$.evidence' }));
}

/** `ec2:CreateTags`, allowed only as part of the named create call (TagSpecifications). */
export function tagOnCreate(resource: string, createAction: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: ['ec2:CreateTags'],
    resources: [resource],
    conditions: { StringEquals: { 'ec2:CreateAction': createAction } },
  });
}
