import { reverseDisableSubnetPublicIp } from '../undo/reverse-ec2-settings.ts';
import type { PlaybookFacts } from './definition.ts';

/** disable-subnet-public-ip: a subnet no longer gives new instances a public IPv4 address. */
export const facts: PlaybookFacts = {
  name: 'disable-subnet-public-ip',
  description:
    "Turn off automatic public IPv4 addresses on the finding's subnet (new instances only), then verify.",
  resourceKinds: ['Other'],
  containmentAction: 'ModifySubnetAttribute',
  steps: [
    'Read whether the subnet assigns public IPv4 addresses to new instances.',
    'Turn that off; instances already running keep their addresses.',
    'Read the subnet again to verify, then notify the on-call topic.',
  ],
  undo: { reverse: reverseDisableSubnetPublicIp },
  controls: ['EC2.15'],
};
