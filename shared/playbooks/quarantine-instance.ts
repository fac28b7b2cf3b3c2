import { reverseQuarantineInstance } from '../undo/reverse.ts';
import type { PlaybookFacts } from './definition.ts';

/**
 * quarantine-instance: cut a compromised EC2 instance off while keeping it as evidence. Its
 * containment counts from network isolation, what actually cuts the attacker off (the evidence
 * steps before it contain nothing).
 */
export const facts: PlaybookFacts = {
  name: 'quarantine-instance',
  description:
    'Protect the instance as evidence, leave its Auto Scaling group and target groups, isolate every ENI, revoke its role sessions and profile, notify.',
  resourceKinds: ['Instance'],
  containmentAction: 'IsolateNetworkInterfaces',
  steps: [
    'Record the instance as it is: network interfaces, groups, Auto Scaling group, target groups, profile.',
    'Protect it as evidence: termination protection, stop on shutdown, keep its volumes, tag it.',
    'Take it out of its Auto Scaling group (without lowering capacity) and its target groups.',
    'Isolate every network interface in a security group that allows no traffic.',
    "Deny the instance role's sessions issued before now and remove the instance profile.",
    'Notify the on-call topic, then hand over to the follow-up the policy names, if any.',
  ],
  undo: { reverse: reverseQuarantineInstance },
  handsOver: true,
};
