import {
  App,
  aws_dynamodb as dynamodb,
  aws_lambda as lambda,
  Stack,
  aws_stepfunctions as sfn,
  aws_sns as sns,
} from 'aws-cdk-lib';
import type { PlaybookDefinition } from '#statemachines/playbook.ts';

/** One state of a built playbook: its name and Step Functions type. */
export interface PlaybookState {
  readonly name: string;
  readonly type: string;
}

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';

/**
 * The top-level states of a playbook's state machine, built as `cdk synth` builds it (no AWS, no
 * deployment): the names the runbook's steps refer to and the needs-human notification names.
 */
export function playbookStates(playbook: PlaybookDefinition): PlaybookState[] {
  const stack = new Stack(new App(), 'Runbook', { env: { account: ACCOUNT, region: REGION } });
  const fn = (id: string) =>
    lambda.Function.fromFunctionArn(stack, id, `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${id}`);
  const definition = playbook.build({
    scope: stack,
    auditTable: dynamodb.Table.fromTableName(stack, 'AuditTable', 'audit'),
    claims: dynamodb.Table.fromTableName(stack, 'Claims', 'claims'),
    topic: sns.Topic.fromTopicArn(stack, 'Topic', `arn:aws:sns:${REGION}:${ACCOUNT}:notifications`),
    approvalRequest: fn('ApprovalRequest'),
    auditAppender: fn('AuditAppender'),
    createFunction: (id) => fn(id),
    followUps: [],
  });
  const graph = new sfn.StateGraph(definition.startState, playbook.name);
  const json = graph.toGraphJson() as { States: Record<string, { Type: string }> };
  return Object.entries(json.States).map(([name, state]) => ({ name, type: state.Type }));
}
