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
    'Isolate every ENI, revoke its role sessions and profile, protect the instance as evidence, leave its Auto Scaling group and target groups, notify.',
  resourceKinds: ['Instance'],
  containmentAction: 'IsolateNetworkInterfaces',
  steps: [
    'Isolate every network interface in a security group that allows no traffic (what stops the attacker comes first).',
    'Record the instance as it was: network interfaces, groups, Auto Scaling group, target groups, profile.',
    "Deny the instance role's sessions issued before now and remove the instance profile.",
    'Protect it as evidence: termination protection, stop on shutdown, keep its volumes, tag it.',
    'Take it out of its Auto Scaling group (without lowering capacity) and its target groups.',
    'Notify the on-call topic, then hand over to the follow-up the policy names, if any.',
  ],
  undo: { reverse: reverseQuarantineInstance },
  handsOver: true,
};
