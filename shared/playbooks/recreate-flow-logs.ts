import { reverseRecreateFlowLogs } from '../undo/reverse-flow-logs.ts';
import type { PlaybookFacts } from './definition.ts';

/** recreate-flow-logs: bring back the VPC flow logs a DeleteFlowLogs call deleted, exactly as they were created. */
export const facts: PlaybookFacts = {
  name: 'recreate-flow-logs',
  description:
    'Re-create the VPC flow logs a DeleteFlowLogs call deleted, with the configuration of the CreateFlowLogs call that made them (from the CloudTrail event history), then verify.',
  // The finding names the deleted flow logs (an `Other` resource typed FlowLogs, ids in
  // `change.flowLogIds`); anything else is handed to a person unchanged.
  resourceKinds: ['Other'],
  containmentAction: 'CreateFlowLogs',
  steps: [
    'Look up the CreateFlowLogs call that created each deleted flow log in the CloudTrail event history (90 days of management events), page by page up to a limit.',
    'Plan the same configuration: resources, traffic type, destination, delivery role, log format and aggregation interval; notify it. A flow log whose creating call is not found, or whose configuration cannot be made again exactly, goes to a person with the reason, and nothing is created.',
    'Create the flow logs again with exactly that configuration.',
    'Read them back with DescribeFlowLogs, compare with the plan, record before and after, then notify the on-call topic.',
  ],
  undo: { reverse: reverseRecreateFlowLogs },
};
