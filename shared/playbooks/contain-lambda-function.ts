import * as z from 'zod/mini';
import { type UndoAction, undoActions } from '../undo/actions.ts';
import { type ExecutionTrail, type Reversal, recorded } from '../undo/reverse.ts';
import type { PlaybookFacts } from './definition.ts';

/** The inline policy on the function's execution role that denies its sessions issued before now. */
export const REVOKE_FUNCTION_SESSIONS_POLICY = 'remediation-revoke-function-sessions';

/**
 * contain-lambda-function: GuardDuty Lambda Protection saw a function talk to a command-and-control
 * server, mine, or use Tor. Setting its reserved concurrency to 0 throttles every invocation until
 * the limit is removed ("To throttle a function, set the reserved concurrency to zero"), and the
 * function's code and configuration are kept as they are, as evidence.
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
 * Credentials the code already took from its environment stay valid until they expire, so its
 * execution role's sessions issued before now are denied too, as revoke-role-sessions does.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_revoke-sessions.html
 */
export const facts: PlaybookFacts = {
  name: 'contain-lambda-function',
  description:
    "Record the function's configuration, version and code hash, throttle it to zero concurrency, deny its role's older sessions, optionally roll back an alias, notify.",
  resourceKinds: ['LambdaFunction'],
  containmentAction: 'PutFunctionConcurrency',
  steps: [
    'Record the function as it is: configuration, version, code hash (SHA-256), execution role and reserved concurrency.',
    'Throttle it: reserved concurrency 0, so every invocation is refused and nothing runs its code.',
    `Deny every session of its execution role issued before now (inline policy ${REVOKE_FUNCTION_SESSIONS_POLICY}); credentials the code took stop working.`,
    'With the rule parameter rollbackAlias, point that alias at the version before the one it names (version N becomes N-1).',
    'Read the concurrency back to verify, then notify the on-call topic.',
  ],
  undo: { reverse: reverseContainLambdaFunction },
};

/** The PutFunctionConcurrency record's before: the function and the reserved concurrency it had, if any. */
const ConcurrencyBefore = z.looseObject({
  functionName: z.string(),
  reservedConcurrency: z.optional(z.number()),
});
/** The PutRolePolicy record's before: the role the deny went on. */
const RoleBefore = z.looseObject({ roleName: z.string() });
/** The UpdateAlias record's before (the alias as it was) and after (the function and version it points at now). */
const AliasBefore = z.looseObject({ name: z.string(), functionVersion: z.string() });
const AliasAfter = z.looseObject({ functionName: z.string(), version: z.string() });

/**
 * Undo: the reserved concurrency the function had (or none), and the session deny removed from
 * its role. The code and configuration were never changed, so nothing else is put back.
 */
function reverseContainLambdaFunction(trail: ExecutionTrail): Reversal {
  const actions: UndoAction[] = [];
  const notes: string[] = [];
  const throttled = recorded(trail, 'PutFunctionConcurrency', 'before', ConcurrencyBefore);
  if (throttled) {
    const { functionName, reservedConcurrency } = throttled;
    actions.push(
      reservedConcurrency === undefined
        ? undoActions.deleteFunctionConcurrency(functionName)
        : undoActions.putFunctionConcurrency(functionName, reservedConcurrency),
    );
    notes.push(`Lambda function ${functionName} runs again: the code GuardDuty reported runs with it.`);
  }
  const role = recorded(trail, 'PutRolePolicy', 'before', RoleBefore);
  if (role) {
    const policy = recorded(trail, 'PutRolePolicy', 'after', z.unknown());
    actions.push(undoActions.deleteRolePolicy(role.roleName, REVOKE_FUNCTION_SESSIONS_POLICY, policy));
    notes.push(
      `Sessions of role ${role.roleName} issued before the containment work again, if they have not expired.`,
    );
  }
  const alias = recorded(trail, 'UpdateAlias', 'before', AliasBefore);
  const pointed = recorded(trail, 'UpdateAlias', 'after', AliasAfter);
  if (alias && pointed) {
    actions.push(
      undoActions.pointAlias(pointed.functionName, alias.name, alias.functionVersion, pointed.version),
    );
    notes.push(
      `Alias ${alias.name} points at version ${alias.functionVersion} again: the version GuardDuty reported.`,
    );
  }
  return { actions, notes };
}
