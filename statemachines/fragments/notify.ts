import type { aws_sns as sns } from 'aws-cdk-lib';
import { aws_stepfunctions as sfn, aws_stepfunctions_tasks as tasks } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { retryOnThrottling } from './retry.ts';

/** Publish a human-readable notification about the finding in `$.finding`. */
export function notifyStep(
  scope: Construct,
  id: string,
  props: {
    topic: sns.ITopic;
    playbook: string;
    headline: string;
    detailsPath?: string;
    /** JSONPath of `{ step, runbook }`: the step a playbook stopped at and its runbook link. */
    stoppedAtPath?: string;
  },
): tasks.SnsPublish {
  const task = new tasks.SnsPublish(scope, id, {
    topic: props.topic,
    subject: sfn.JsonPath.format(
      `[{}] ${props.playbook}: ${props.headline}`,
      sfn.JsonPath.stringAt('$.finding.severity.label'),
    ),
    message: sfn.TaskInput.fromObject({
      headline: props.headline,
      playbook: props.playbook,
      mode: sfn.JsonPath.stringAt('$.decision.mode'),
      finding: sfn.JsonPath.objectAt('$.finding'),
      execution: sfn.JsonPath.stringAt('$$.Execution.Id'),
      ...(props.stoppedAtPath
        ? {
            stoppedAt: sfn.JsonPath.stringAt(`${props.stoppedAtPath}.step`),
            runbook: sfn.JsonPath.stringAt(`${props.stoppedAtPath}.runbook`),
          }
        : {}),
      ...(props.detailsPath ? { details: sfn.JsonPath.objectAt(props.detailsPath) } : {}),
    }),
    resultPath: sfn.JsonPath.DISCARD,
  });
  return retryOnThrottling(task, 'Sns');
}
