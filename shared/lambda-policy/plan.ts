import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { type AddPermissionRequest, restoreRequest } from './add-permission.ts';
import {
  InvalidFunctionPolicyError,
  isPublicStatement,
  type PolicyStatement,
  statementsOf,
} from './public-statements.ts';

/** What the planner is given: the function and its policy as GetPolicy returned it, if any. */
const PlanInputSchema = z.object({
  functionName: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/)),
  functionArn: z
    .string()
    .check(z.regex(/^arn:aws[\w-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}$/)),
  /** GetPolicy's `Policy`; null when the function has no policy. */
  policy: z.nullish(z.string()),
});

/** One public statement: what RemovePermission takes out, and how undo would put it back. */
export interface PublicStatement {
  readonly sid: string;
  readonly statement: PolicyStatement;
  /** The AddPermission request restoring it exactly; absent when none can. */
  readonly restore?: AddPermissionRequest;
  /** Why AddPermission cannot restore it exactly (undo reports it, and leaves it out). */
  readonly notRestorable?: string;
}

/** What the playbook removes, verifies and records. */
export interface PublicAccessPlan {
  readonly publicCount: number;
  readonly public: PublicStatement[];
  /** The policy as read; null when the function has none. */
  readonly current: object | null;
  /** The audit record's details of RemovePermission, which undo reads. */
  readonly change: {
    readonly functionName: string;
    readonly functionArn: string;
    readonly removed: PublicStatement[];
  };
}

/** The public statements of the function's policy, each with how it can be restored. */
export function planPublicAccessRemoval(event: unknown): PublicAccessPlan {
  const input = PlanInputSchema.safeParse(event);
  if (!input.success)
    throw new InvalidFunctionPolicyError(`remove-public-lambda-access input: ${input.error.message}`);
  const { functionName, functionArn, policy } = input.data;
  const statements = policy ? statementsOf(policy) : [];
  const removed = statements.filter(isPublicStatement).map((statement): PublicStatement => {
    // RemovePermission takes out a statement by its Sid, which Lambda gives every statement it writes.
    if (!statement.Sid)
      throw new InvalidFunctionPolicyError(
        `a public statement of ${functionName}'s policy has no Sid to remove it by`,
      );
    const restore = restoreRequest(statement, functionName, functionArn);
    return {
      sid: statement.Sid,
      statement,
      ...('request' in restore ? { restore: restore.request } : restore),
    };
  });
  return {
    publicCount: removed.length,
    public: removed,
    current: policy ? (JSON.parse(policy) as object) : null,
    change: { functionName, functionArn, removed },
  };
}
