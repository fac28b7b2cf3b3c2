import { aws_stepfunctions as sfn } from 'aws-cdk-lib';
import { catchToHuman } from './needs-human.ts';
import type { PlaybookSteps } from './playbook-steps.ts';

/** What a read records when the resource has nothing to read, and how AWS says so. */
export interface NoneProps {
  /** The Pass state that records "none". */
  readonly id: string;
  /** What it records, at `resultPath`. */
  readonly value: Readonly<Record<string, unknown>>;
  /** Where the read keeps what it read, and the Pass "none". */
  readonly resultPath: string;
  /** The errors AWS answers with when there is nothing, e.g. `Iam.NoSuchEntityException`. */
  readonly errors: readonly string[];
  /**
   * When those errors also stand for other failures (S3 reports "none" under its undeclared
   * `S3Exception`, as it does throttling), the Choice that tells "none" by the error's Cause; any
   * other cause goes to a human. @default none: the errors alone mean "none"
   */
  readonly cause?: { readonly choiceId: string; readonly matches: string };
}

/**
 * A read where "there is none" is an answer, not a failure (a bucket without a policy, an account
 * without a password policy): the errors that say so are caught first and record `value`; every
 * other failure goes to a human, through the kit's stopped step. `read` is a task with no catch of
 * its own (`awsCall` or a `MemberAwsCall`, not `steps.call`: catchers are tried in order). Both the
 * read and "none" carry on to the next state.
 */
export function readOrNone(steps: PlaybookSteps, read: sfn.TaskStateBase, none: NoneProps): sfn.Chain {
  const { scope, human } = steps;
  const recorded = new sfn.Pass(scope, none.id, {
    result: sfn.Result.fromObject(none.value),
    resultPath: none.resultPath,
  });
  read.addCatch(
    none.cause
      ? new sfn.Choice(scope, none.cause.choiceId)
          .when(sfn.Condition.stringMatches('$.error.Cause', none.cause.matches), recorded)
          .otherwise(human)
      : recorded,
    { errors: [...none.errors], resultPath: '$.error' },
  );
  catchToHuman(read, human);
  return sfn.Chain.custom(read, [read, recorded], read);
}
