import { type CfnElement, Stack, aws_stepfunctions as sfn, Validations } from 'aws-cdk-lib';
import type { UndoActionType } from '#shared/undo/actions.ts';
import { bucketPolicyEditor, readAndEditPolicy } from '../fragments/bucket-policy.ts';
import type { ResourceArns } from '../fragments/resource-arns.ts';
import type { PlaybookContext } from '../playbook.ts';

/** The undo types that remove a statement a playbook added to a bucket policy, by its Sid. */
export const BUCKET_POLICY_TYPES: ReadonlySet<string> = new Set<UndoActionType>([
  'PutBucketPolicy',
  'DeleteBucketPolicy',
]);

/**
 * Remove the statement whose Sid the action carries (`statementSid`, put there by the reverser of
 * the playbook that added it) from the bucket policy as it is at undo time, not as the plan
 * expected it: statements added since the playbook ran stay, and so do other playbooks'
 * statements. Then put the policy without it (`Undo PutBucketPolicy`), or delete the policy when
 * it was the only statement (`Undo DeleteBucketPolicy`); a policy that no longer holds it is left
 * alone. `calls` are the reverse calls by type, each already followed by its audit step.
 */
export function removeBucketPolicyStatement(
  ctx: PlaybookContext,
  arns: ResourceArns,
  calls: ReadonlyMap<string, sfn.Chain>,
): sfn.Chain {
  const { scope } = ctx;
  const editor = bucketPolicyEditor(ctx);
  const put = calls.get('PutBucketPolicy');
  const remove = calls.get('DeleteBucketPolicy');
  if (!put || !remove) throw new Error('undo has no bucket-policy reverse calls');
  const withoutStatement = new sfn.Pass(scope, 'Policy without statement', {
    parameters: { 'Bucket.$': '$.action.request.Bucket', 'Policy.$': '$.undo.edit.policy' },
    resultPath: '$.action.request',
  });
  const stack = Stack.of(scope);
  const editorResource = editor.node.defaultChild as CfnElement | undefined;
  Validations.of(scope).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${editorResource ? stack.getLogicalId(editorResource) : 'none'}.Arn>:*]`,
    reason:
      'The ":*" suffix CDK grants covers the versions and aliases of the policy editor function only; it is this state machine\'s own function.',
  });
  return readAndEditPolicy(scope, {
    id: 'Undo statement',
    editor,
    edit: { operation: 'remove', sidPath: '$.action.statementSid' },
    bucketPath: '$.action.request.Bucket',
    bucketArn: arns.buckets,
    readPath: '$.undo.read',
    editPath: '$.undo.edit',
  }).next(
    new sfn.Choice(scope, 'Statement still there?')
      .when(
        sfn.Condition.booleanEquals('$.undo.edit.changed', false),
        new sfn.Pass(scope, 'Statement already removed'),
      )
      .when(sfn.Condition.isPresent('$.undo.edit.policy'), withoutStatement.next(put))
      .otherwise(remove),
  );
}
