import {
  App,
  aws_dynamodb as dynamodb,
  aws_lambda as lambda,
  Stack,
  aws_stepfunctions as sfn,
  aws_sns as sns,
} from 'aws-cdk-lib';
import type { StateMachineDefinition } from '#statemachines/playbook.ts';

/** One state of a built playbook: its name and Step Functions type. */
export interface PlaybookState {
  readonly name: string;
  readonly type: string;
  /** Inside a Map's iteration or a Parallel's branch, not a top-level state. */
  readonly nested: boolean;
}

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';

/**
 * The states of a playbook's state machine, top-level first, then those inside Maps and Parallels, built as `cdk synth` builds it (no AWS, no
 * deployment): the names the runbook's steps refer to and the needs-human notification names.
 */
export function playbookStates(playbook: StateMachineDefinition): PlaybookState[] {
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
  const json = graph.toGraphJson() as Machine;
  return [...statesOf(json, false)].sort((a, b) => Number(a.nested) - Number(b.nested));
}

/** A state machine definition, as far as the states' names and types go. */
interface Machine {
  States: Record<string, { Type: string; ItemProcessor?: Machine; Iterator?: Machine; Branches?: Machine[] }>;
}

function* statesOf(machine: Machine, nested: boolean): Generator<PlaybookState> {
  for (const [name, state] of Object.entries(machine.States)) {
    yield { name, type: state.Type, nested };
    for (const inner of [state.ItemProcessor, state.Iterator, ...(state.Branches ?? [])])
      if (inner) yield* statesOf(inner, true);
  }
}
