import { reverseRevokeOpenIngress } from '../undo/reverse.ts';
import type { PlaybookFacts } from './definition.ts';

/** revoke-open-ingress: close a security group opened to the whole internet on a sensitive port. */
export const facts: PlaybookFacts = {
  name: 'revoke-open-ingress',
  description: 'Revoke the world-open ingress rules on sensitive ports that a finding names, then verify.',
  // An Instance only from a port-probe finding, which names its groups and the probed ports.
  resourceKinds: ['SecurityGroup', 'Instance'],
  containmentAction: 'RevokeSecurityGroupIngress',
  steps: [
    "Read the security group and choose its world-open rules on the sensitive ports the rule names (for a port probe: the instance's groups, and the probed ports).",
    'Revoke exactly those rules, by rule id; every other rule of the group stays.',
    'Read the group again to verify, then notify the on-call topic.',
  ],
  undo: { reverse: reverseRevokeOpenIngress },
  // World-open SSH (EC2.13), RDP (EC2.14) and the high-risk ports (EC2.19): each routed with its
  // own ports, so the playbook revokes what the control checks and nothing else; EC2.18 with the
  // ports it authorizes, which stay open (shared/network/authorized-ports.ts).
  controls: ['EC2.13', 'EC2.14', 'EC2.19', 'EC2.18'],
};
