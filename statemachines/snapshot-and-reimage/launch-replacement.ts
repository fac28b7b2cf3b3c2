import { aws_iam as iam, Stack, aws_stepfunctions as sfn } from 'aws-cdk-lib';
import { facts } from '#shared/playbooks/snapshot-and-reimage.ts';
import { boundedPoll } from '../fragments/bounded-poll.ts';
import { INSTANCE_ID } from '../fragments/finding-paths.ts';
import type { PlaybookSteps } from '../fragments/playbook-steps.ts';
import { ebsKeyStatements } from './ebs-keys.ts';
import { tagOnCreate } from './evidence-snapshots.ts';

/** Seconds between two reads of the replacement's state, and how many reads (10 min). */
const LAUNCH_POLL = { intervalSeconds: 15, maxIterations: 40 };
/** Tags on the replacement: which instance it replaces, for which finding. */
export const REPLACEMENT_TAGS = { replaces: 'remediation:replaces', finding: 'remediation:finding' } as const;

/**
 * Re-image by launching a clean replacement from the instance's own launch template (same
 * version), for an instance that has no golden image named and is not managed by Auto Scaling (a
 * group already replaced the capacity when the quarantine detached it). The quarantined original
 * stays as it is, as evidence. A replacement already launched for this finding is reused, so a
 * second approved run launches nothing; then the poll waits until the replacement runs.
 */
export function launchReplacement(steps: PlaybookSteps): sfn.Chain {
  const { scope, arns, human } = steps;
  const stack = Stack.of(scope);
  const arn = (resource: string, account?: string) =>
    stack.formatArn({ service: 'ec2', resource, resourceName: '*', account });
  const earlier = steps.call('Find earlier replacement instance', {
    service: 'ec2',
    action: 'describeInstances',
    parameters: {
      Filters: [
        { Name: `tag:${REPLACEMENT_TAGS.replaces}`, 'Values.$': `States.Array(${INSTANCE_ID})` },
        { Name: `tag:${REPLACEMENT_TAGS.finding}`, 'Values.$': 'States.Array($.finding.id)' },
        { Name: 'instance-state-name', Values: ['pending', 'running'] },
      ],
    },
    iamResources: ['*'],
    resultSelector: { 'reservations.$': '$.Reservations' },
    resultPath: '$.reimage.earlier',
  });
  const reuse = new sfn.Pass(scope, 'Reuse earlier replacement instance', {
    parameters: { 'instanceId.$': '$.reimage.earlier.reservations[0].Instances[0].InstanceId' },
    resultPath: '$.reimage.replacement',
  });
  const launch = steps.call('Launch replacement', {
    service: 'ec2',
    action: 'runInstances',
    parameters: {
      LaunchTemplate: {
        'LaunchTemplateId.$': '$.reimage.launchTemplateId',
        'Version.$': '$.reimage.launchTemplateVersion',
      },
      MinCount: 1,
      MaxCount: 1,
      TagSpecifications: [
        {
          ResourceType: 'instance',
          Tags: [
            { Key: REPLACEMENT_TAGS.replaces, 'Value.$': INSTANCE_ID },
            { Key: REPLACEMENT_TAGS.finding, 'Value.$': '$.finding.id' },
            { Key: 'remediation:playbook', Value: facts.name },
          ],
        },
      ],
    },
    // RunInstances is authorized on everything the launch touches: the instance and its volumes
    // and interfaces, the template, the image, the subnet, groups and key pair it names.
    iamResources: [
      arns.instances,
      arns.volumes,
      arns.images,
      arn('network-interface'),
      arn('subnet'),
      arn('security-group'),
      arn('launch-template'),
      arn('key-pair'),
    ],
    additionalIamStatements: [
      tagOnCreate(arns.instances, 'RunInstances'),
      tagOnCreate(arns.volumes, 'RunInstances'),
      // A template may tag the interfaces it creates (TagSpecifications of network-interface).
      tagOnCreate(arn('network-interface'), 'RunInstances'),
      ...ebsKeyStatements(scope),
      // A template with an instance profile passes its role to EC2, and only to EC2.
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: '*' })],
        conditions: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
      }),
    ],
    resultSelector: { 'instanceId.$': '$.Instances[0].InstanceId' },
    resultPath: '$.reimage.replacement',
  });
  const read = steps.call('Read replacement instance', {
    service: 'ec2',
    action: 'describeInstances',
    parameters: { 'InstanceIds.$': 'States.Array($.reimage.replacement.instanceId)' },
    iamResources: ['*'],
    resultSelector: { 'state.$': '$.Reservations[0].Instances[0].State.Name' },
    resultPath: '$.poll.replacement',
  });
  const poll = boundedPoll(scope, {
    name: 'Launch poll',
    ...LAUNCH_POLL,
    read: sfn.Chain.start(read),
    failed: sfn.Condition.or(
      ...['shutting-down', 'terminated', 'stopping', 'stopped'].map((state) =>
        sfn.Condition.stringEquals('$.poll.replacement.state', state),
      ),
    ),
    done: sfn.Condition.stringEquals('$.poll.replacement.state', 'running'),
    human,
    failure: {
      error: 'ReplacementFailed',
      cause: `${facts.name}: the replacement launched from the template did not reach running`,
    },
  });
  const reused = steps.audit('Audit replacement instance reused', 'RunInstances', 'skipped', {
    detailsPath: '$.reimage.earlier',
  });
  return earlier
    .next(
      new sfn.Choice(scope, 'Launched before?')
        .when(
          sfn.Condition.isPresent('$.reimage.earlier.reservations[0].Instances[0].InstanceId'),
          reuse.next(reused),
        )
        .otherwise(launch)
        .afterwards(),
    )
    .next(poll)
    .next(
      steps.audit('Audit replacement launched', 'LaunchReplacement', 'succeeded', {
        beforePath: '$.before',
        afterPath: '$.reimage',
      }),
    );
}
