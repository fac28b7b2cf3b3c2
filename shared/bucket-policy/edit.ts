import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { type BucketPolicyEdit, BucketPolicyEditError } from './policy-document.ts';
import { removeStatement } from './remove-statement.ts';
import { addThreatReadDeny } from './threat-read-deny.ts';

/** GetBucketPolicy's answer (`{ Policy }`); without `Policy` when the bucket has none. */
const CurrentSchema = z.looseObject({ Policy: z.optional(z.string()) });

/**
 * What the state machines give the policy editor. `add` puts deny-threat-object-reads' statement
 * for the bucket's objects; `remove` takes out the statement with `sid`, whichever playbook added
 * it (undo passes the Sid the playbook's reverser recorded in its action). IAM's Sid is letters and
 * digits (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html).
 */
export const BucketPolicyEditInputSchema = z.discriminatedUnion('operation', [
  z.object({
    operation: z.literal('add'),
    current: CurrentSchema,
    objectsArn: z.string().check(z.regex(/^arn:aws[\w-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/\*$/)),
  }),
  z.object({
    operation: z.literal('remove'),
    current: CurrentSchema,
    sid: z.string().check(z.regex(/^[A-Za-z0-9]{1,128}$/)),
  }),
]);
export type BucketPolicyEditInput = z.infer<typeof BucketPolicyEditInputSchema>;

/** Parse and apply the input, throwing {@link BucketPolicyEditError} for what S3 would not take. */
export function editBucketPolicy(event: unknown): BucketPolicyEdit {
  const input = BucketPolicyEditInputSchema.safeParse(event);
  if (!input.success)
    throw new BucketPolicyEditError(`invalid bucket-policy edit: ${input.error.message}`, {
      cause: input.error,
    });
  const { data } = input;
  return data.operation === 'add'
    ? addThreatReadDeny(data.current.Policy, data.objectsArn)
    : removeStatement(data.current.Policy, data.sid);
}
