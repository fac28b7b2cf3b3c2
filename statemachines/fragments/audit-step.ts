import type { aws_dynamodb as dynamodb } from 'aws-cdk-lib';
import { aws_stepfunctions as sfn, aws_stepfunctions_tasks as tasks } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { AuditOutcome } from '#shared/audit/record.ts';
import { retryOnThrottling } from './retry.ts';

/** One audit step: what was done, how it ended, and optionally the state before and after. */
export interface AuditStepProps {
  readonly table: dynamodb.ITable;
  readonly playbook: string;
  /** The action recorded, e.g. `UpdateAccessKey`. Also the sort-key suffix. */
  readonly action: string;
  readonly outcome: AuditOutcome;
  /** JSONPath of the state before the action (serialized to JSON text). */
  readonly beforePath?: string;
  /** JSONPath of the state after the action (serialized to JSON text). */
  readonly afterPath?: string;
  /** JSONPath of further detail, e.g. the plan or the caught error. */
  readonly detailsPath?: string;
}

const S = tasks.DynamoAttributeValue.fromString;

/**
 * A DynamoDB PutItem that appends one audit record, conditional on the key being new (the
 * trail is append-only). The sort key starts with the state's entry time, so a finding's
 * history reads in order.
 */
export function auditStep(scope: Construct, id: string, props: AuditStepProps): tasks.DynamoPutItem {
  const item: Record<string, tasks.DynamoAttributeValue> = {
    pk: S(sfn.JsonPath.stringAt('$.audit.pk')),
    sk: S(
      sfn.JsonPath.format(
        '{}#{}#{}',
        sfn.JsonPath.stringAt('$$.State.EnteredTime'),
        props.action,
        props.outcome,
      ),
    ),
    resourceKey: S(sfn.JsonPath.stringAt('$.audit.resourceKey')),
    at: S(sfn.JsonPath.stringAt('$$.State.EnteredTime')),
    actor: S(`playbook/${props.playbook}`),
    action: S(props.action),
    outcome: S(props.outcome),
    findingId: S(sfn.JsonPath.stringAt('$.finding.id')),
    playbook: S(props.playbook),
    mode: S(sfn.JsonPath.stringAt('$.decision.mode')),
    executionArn: S(sfn.JsonPath.stringAt('$$.Execution.Id')),
  };
  if (props.beforePath) item.before = S(sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt(props.beforePath)));
  if (props.afterPath) item.after = S(sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt(props.afterPath)));
  if (props.detailsPath)
    item.details = S(sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt(props.detailsPath)));
  const task = new tasks.DynamoPutItem(scope, id, {
    table: props.table,
    item,
    conditionExpression: 'attribute_not_exists(pk)',
    resultPath: sfn.JsonPath.DISCARD,
  });
  return retryOnThrottling(task, 'DynamoDb');
}
