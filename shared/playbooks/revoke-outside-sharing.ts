import { reverseRevokeOutsideSharing } from '../undo/reverse-sharing.ts';
import type { PlaybookFacts } from './definition.ts';

/** revoke-outside-sharing: take back a snapshot or image shared publicly or with an outside account. */
export const facts: PlaybookFacts = {
  name: 'revoke-outside-sharing',
  description:
    'Remove exactly the public or outside-account permission a call added to an EBS snapshot, an AMI or a manual RDS snapshot, then verify.',
  // EBS snapshots, AMIs and RDS snapshots are `Other` resources typed AwsEc2Snapshot, AwsEc2Image,
  // AwsRdsDbSnapshot and AwsRdsDbClusterSnapshot; any other type is handed to a person unchanged.
  // Account: a Security Hub EC2.1 finding names the account; the playbook lists its public snapshots.
  resourceKinds: ['Other', 'Account'],
  containmentAction: 'RemoveSharing',
  steps: [
    "For a finding about the account (EC2.1), list the account's snapshots anyone may restore (at most 20 per run, the rest reported) and make each private in turn, as below.",
    "Read who may use the resource as it is: the snapshot's create-volume permissions, the image's launch permissions, or the RDS snapshot's restore attribute.",
    'Choose the permissions the call added that reach outside: anyone (`all`), or an account or organization the policy does not trust.',
    'Remove exactly those; every other permission stays.',
    'Read the permissions again to verify, then notify the on-call topic.',
  ],
  undo: { reverse: reverseRevokeOutsideSharing },
  // RDS.1's findings name the snapshot. EC2.1's name only the account (AwsAccount): the playbook
  // lists the account's public snapshots itself (DescribeSnapshots RestorableByUserIds=all).
  // https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-1
  controls: ['RDS.1', 'EC2.1'],
};
