import path from 'node:path';
import {
  Aws,
  type aws_lambda as lambda,
  aws_stepfunctions as sfn,
  aws_stepfunctions_tasks as tasks,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { PlaybookContext } from '../playbook.ts';
import { MemberAwsCall, memberCredentials } from './member-credentials.ts';
import { catchToHuman } from './needs-human.ts';

const EDITOR_ENTRY = path.resolve(import.meta.dirname, '../../functions/edit-bucket-policy/handler.ts');

/**
 * S3 answers GetBucketPolicy on a bucket without a policy with `NoSuchBucketPolicy`, which its model
 * does not declare, so the AWS SDK integration reports the generic `S3.S3Exception` with S3's
 * message in the cause; the message is what tells "no policy" apart from other undeclared errors.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketPolicy.html
 */
export const NO_POLICY_ERRORS = ['S3.NoSuchBucketPolicyException', 'S3.S3Exception'];
export const NO_POLICY_MESSAGE = '*bucket policy does not exist*';

/**
 * The function that adds the threat-read deny statement, or removes the statement of a given Sid
 * (pure computation, no permissions).
 */
export function bucketPolicyEditor(ctx: PlaybookContext): lambda.IFunction {
  return ctx.createFunction('EditBucketPolicy', {
    entry: EDITOR_ENTRY,
    description:
      'Adds the threat-read deny statement to a bucket policy, or removes the statement of a given Sid, keeping every other statement',
  });
}

/** Props of {@link readAndEditPolicy}. */
export interface ReadAndEditProps {
  /** Prefix of the states' ids, unique in the state machine. */
  readonly id: string;
  readonly editor: lambda.IFunction;
  /**
   * `add`: the threat-read deny statement for the bucket's objects; `remove`: the statement whose
   * Sid is at `sidPath`.
   */
  readonly edit: { readonly operation: 'add' } | { readonly operation: 'remove'; readonly sidPath: string };
  /** Where the bucket's name is. */
  readonly bucketPath: string;
  /** The bucket ARN pattern the read is granted on. */
  readonly bucketArn: string;
  /** Where the policy read is put (`{ Policy }`, or `{ NoPolicy: true }`). */
  readonly readPath: string;
  /** Where the edit (`{ changed, policy?, statements }`) is put. */
  readonly editPath: string;
  /**
   * The needs-human path of a playbook, where any other failure goes. @default none: failures
   * propagate (inside a Map, which catches them)
   */
  readonly human?: sfn.IChainable;
}

/**
 * Read the bucket's policy (none is fine) and compute it with the statement added or removed.
 * The read is not retried: S3 reports "no policy" under the same error name as throttling.
 */
export function readAndEditPolicy(scope: Construct, props: ReadAndEditProps): sfn.Chain {
  const { id } = props;
  const read = new MemberAwsCall(scope, `${id} read policy`, {
    service: 's3',
    action: 'getBucketPolicy',
    iamAction: 's3:GetBucketPolicy',
    iamResources: [props.bucketArn],
    parameters: { 'Bucket.$': props.bucketPath },
    resultPath: props.readPath,
    credentials: memberCredentials(scope),
  });
  const edit = new tasks.LambdaInvoke(scope, `${id} edit policy`, {
    lambdaFunction: props.editor,
    payloadResponseOnly: true,
    payload: sfn.TaskInput.fromObject({
      operation: props.edit.operation,
      current: sfn.JsonPath.objectAt(props.readPath),
      ...(props.edit.operation === 'add'
        ? {
            objectsArn: sfn.JsonPath.format(
              `arn:${Aws.PARTITION}:s3:::{}/*`,
              sfn.JsonPath.stringAt(props.bucketPath),
            ),
          }
        : { sid: sfn.JsonPath.stringAt(props.edit.sidPath) }),
    }),
    resultPath: props.editPath,
  });
  if (props.human) catchToHuman(edit, props.human);
  const none = new sfn.Pass(scope, `${id} no policy`, {
    result: sfn.Result.fromObject({ NoPolicy: true }),
    resultPath: props.readPath,
  });
  // Catchers are tried in order: "no policy" first, then everything else.
  read.addCatch(
    new sfn.Choice(scope, `${id} no policy?`)
      .when(sfn.Condition.stringMatches('$.error.Cause', NO_POLICY_MESSAGE), none.next(edit))
      .otherwise(
        props.human ??
          new sfn.Fail(scope, `${id} read failed`, {
            errorPath: '$.error.Error',
            causePath: '$.error.Cause',
          }),
      ),
    { errors: NO_POLICY_ERRORS, resultPath: '$.error' },
  );
  if (props.human) catchToHuman(read, props.human);
  return read.next(edit);
}
