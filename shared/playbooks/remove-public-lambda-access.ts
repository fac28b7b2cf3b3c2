import { reverseRemovePublicLambdaAccess } from '../undo/reverse-function-permissions.ts';
import type { PlaybookFacts } from './definition.ts';

/** remove-public-lambda-access: take the statements that make a Lambda function public out of its policy. */
export const facts: PlaybookFacts = {
  name: 'remove-public-lambda-access',
  description:
    "Remove the statements of a Lambda function's resource-based policy that let anyone invoke it, keep every other statement, then verify.",
  resourceKinds: ['LambdaFunction'],
  containmentAction: 'RemovePermission',
  steps: [
    "Read the function's resource-based policy and find the statements that make it public (Principal * without a fixed-value condition such as AWS:SourceAccount, or Amazon S3 without AWS:SourceAccount).",
    'Record each, with whether AddPermission can put it back exactly, and remove it by its Sid; every other statement stays.',
    'Read the policy again to verify no public statement is left, then notify the on-call topic.',
  ],
  undo: { reverse: reverseRemovePublicLambdaAccess },
  // Lambda.1: Lambda function policies should prohibit public access.
  // https://docs.aws.amazon.com/securityhub/latest/userguide/lambda-controls.html#lambda-1
  controls: ['Lambda.1'],
};
