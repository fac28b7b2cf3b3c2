import {
  matchPage,
  parseFlowLogPlanInput,
  planRecreation,
  verifyRecreation,
} from '#shared/flow-logs/recreate-plan.ts';

/**
 * Called by the recreate-flow-logs state machine: match a LookupEvents page's CreateFlowLogs
 * records to the deleted flow logs, plan the requests to make again, and compare what was read
 * back. Pure computation (JSONPath cannot parse a record's JSON string); the AWS calls stay in the
 * state machine, so this function needs no permissions.
 */
export async function handler(event: unknown): Promise<object> {
  const input = parseFlowLogPlanInput(event);
  switch (input.step) {
    case 'match':
      return matchPage(input.deletedIds, input.page, input.lookup);
    case 'plan':
      return planRecreation(input.findingId, input.deletedIds, input.lookup);
    case 'verify':
      return verifyRecreation(input.flowLogs, input.recreated);
  }
}
