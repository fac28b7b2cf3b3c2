import { reverseCloseDefaultSecurityGroup } from '../undo/reverse-default-group.ts';
import type { PlaybookFacts } from './definition.ts';

/** close-default-security-group: a VPC's default security group allows no traffic in or out. */
export const facts: PlaybookFacts = {
  name: 'close-default-security-group',
  description:
    "Revoke every inbound and outbound rule of the finding's VPC default security group, by rule id, then verify.",
  resourceKinds: ['SecurityGroup'],
  containmentAction: 'RevokeSecurityGroupRules',
  steps: [
    'Read the security group and every one of its rules; a group that is not a VPC default group is left alone.',
    'Revoke each inbound and outbound rule by its rule id; the group itself stays (a default group cannot be deleted).',
    'Read the rules again to verify none is left, then notify the on-call topic.',
  ],
  undo: { reverse: reverseCloseDefaultSecurityGroup },
  controls: ['EC2.2'],
};
