import {
  Duration,
  type aws_lambda as lambda,
  aws_stepfunctions as sfn,
  aws_stepfunctions_tasks as tasks,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { AuditOutcome } from '#shared/audit/record.ts';

/** One audit step: what was done, how it ended, and optionally the state before and after. */
export interface AuditStepProps {
  /** The trail's appender (`functions/audit-append`): links each record into its finding's hash chain. */
  readonly appender: lambda.IFunction;
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
  /** JSONPath of the reason, a sentence for people (why an undo keeps a containment in place). */
  readonly reasonPath?: string;
}

/**
 * Construct context key under which the state machine's construct puts its definition's
 * `containmentAction` (infra/constructs/playbook-state-machine.ts): the one audit action whose
 * `succeeded` record carries the finding's time, so the appender emits the `ContainmentLatency`
 * metric. Read from the definition, never from a table kept here.
 */
export const CONTAINMENT_ACTION_CONTEXT = 'remediation:containmentAction';

/** One record's template: what the step recorded, with JSONPaths read when the step runs. */
function auditRecord(props: Omit<AuditStepProps, 'appender'>): Record<string, unknown> {
  const record: Record<string, unknown> = {
    pk: sfn.JsonPath.stringAt('$.audit.pk'),
    sk: sfn.JsonPath.format(
      '{}#{}#{}',
      sfn.JsonPath.stringAt('$$.State.EnteredTime'),
      props.action,
      props.outcome,
    ),
    resourceKey: sfn.JsonPath.stringAt('$.audit.resourceKey'),
    at: sfn.JsonPath.stringAt('$$.State.EnteredTime'),
    actor: `playbook/${props.playbook}`,
    action: props.action,
    outcome: props.outcome,
    findingId: sfn.JsonPath.stringAt('$.finding.id'),
    playbook: props.playbook,
    mode: sfn.JsonPath.stringAt('$.decision.mode'),
    executionArn: sfn.JsonPath.stringAt('$$.Execution.Id'),
  };
  if (props.beforePath) record.before = sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt(props.beforePath));
  if (props.afterPath) record.after = sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt(props.afterPath));
  if (props.reasonPath) record.reason = sfn.JsonPath.stringAt(props.reasonPath);
  if (props.detailsPath) record.details = sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt(props.detailsPath));
  return record;
}

/**
 * Append one audit record through the trail's appender. The sort key starts with the state's
 * entry time, so a finding's history reads in order, and is the same when Step Functions retries
 * the step, so a retry never appends twice (the appender returns the record already there).
 */
export function auditStep(scope: Construct, id: string, props: AuditStepProps): tasks.LambdaInvoke {
  const record = auditRecord(props);
  const containmentAction: unknown = scope.node.tryGetContext(CONTAINMENT_ACTION_CONTEXT);
  const containment = containmentAction === props.action && props.outcome === 'succeeded';
  const task = new tasks.LambdaInvoke(scope, id, {
    lambdaFunction: props.appender,
    payload: sfn.TaskInput.fromObject({
      record,
      ...(containment && { findingTime: sfn.JsonPath.stringAt('$.finding.lastSeen'), containment: true }),
    }),
    payloadResponseOnly: true,
    resultPath: sfn.JsonPath.DISCARD,
    retryOnServiceExceptions: true,
  });
  return retryOnContention(task);
}

/** One record of an {@link auditBatchStep}: the step's fields without the appender and playbook. */
export type AuditEntry = Omit<AuditStepProps, 'appender' | 'playbook'> & {
  /**
   * JSONPath of a boolean, present on every way into the step: the record is appended only when
   * it is true (the call it records ran). Lets one step follow several phases a run may skip,
   * each leaving no record when skipped. @default always appended
   */
  readonly appendedPath?: string;
};

/**
 * Append several audit records in one step, in order: one state transition for a phase of calls,
 * each call still its own record (the same record {@link auditStep} would write). They share the
 * step's entry time; the chain's sequence keeps their order. No containment metric is emitted
 * here: the containment record is written alone, as soon as the containment is done.
 */
export function auditBatchStep(
  scope: Construct,
  id: string,
  props: {
    readonly appender: lambda.IFunction;
    readonly playbook: string;
    readonly records: readonly AuditEntry[];
  },
): tasks.LambdaInvoke {
  const task = new tasks.LambdaInvoke(scope, id, {
    lambdaFunction: props.appender,
    payload: sfn.TaskInput.fromObject({
      records: props.records.map(({ appendedPath, ...entry }) => {
        const record = auditRecord({ ...entry, playbook: props.playbook });
        return appendedPath ? { record, appended: sfn.JsonPath.objectAt(appendedPath) } : record;
      }),
    }),
    payloadResponseOnly: true,
    resultPath: sfn.JsonPath.DISCARD,
    retryOnServiceExceptions: true,
  });
  return retryOnContention(task);
}

/** The appender retries a moving chain head itself; past that, back off and try again. */
function retryOnContention(task: tasks.LambdaInvoke): tasks.LambdaInvoke {
  task.addRetry({
    errors: ['ChainContentionError'],
    interval: Duration.seconds(1),
    maxAttempts: 3,
    backoffRate: 2,
    jitterStrategy: sfn.JitterType.FULL,
  });
  return task;
}
