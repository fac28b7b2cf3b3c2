import { aws_stepfunctions as sfn } from 'aws-cdk-lib';

/**
 * True when nothing is at `path`: `IsPresent: true` negated. Written with `Not` rather than
 * `IsPresent: false`, which aws-local-stepfunctions 3.0.0 evaluates as always false.
 */
export function isAbsent(path: string): sfn.Condition {
  return sfn.Condition.not(sfn.Condition.isPresent(path));
}
