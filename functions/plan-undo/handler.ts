import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { clientConfig, onFirstUse } from '#shared/aws-clients.ts';
import { prepareUndo, type UndoRunState } from '#shared/undo/prepare.ts';

const deps = {
  sfn: onFirstUse(() => new SFNClient(clientConfig())),
  dynamodb: onFirstUse(() => new DynamoDBClient(clientConfig())),
};

/**
 * Called by the undo state machine: read the execution to undo (DescribeExecution) and its
 * finding's audit trail, and return the reverse plan or the refusal. The plan is built here from
 * the trail, so whoever starts an undo names an execution and can never inject actions.
 */
export async function handler(event: unknown): Promise<UndoRunState> {
  return prepareUndo(event, deps);
}
