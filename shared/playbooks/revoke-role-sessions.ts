import * as z from 'zod/mini';
import { undoActions } from '../undo/actions.ts';
import { type ExecutionTrail, type Reversal, recorded } from '../undo/reverse.ts';
import type { PlaybookFacts } from './definition.ts';

/** The inline policy that denies the role's sessions issued before the playbook ran. */
export const REVOKE_ROLE_SESSIONS_POLICY = 'remediation-revoke-older-sessions';

/**
 * revoke-role-sessions: a role's temporary credentials were used maliciously. Temporary
 * credentials cannot be deactivated; AWS's documented way to revoke them is an inline policy on
 * the role denying every action to sessions issued before now (`aws:TokenIssueTime`), so stolen
 * copies stop working while fresh sessions, issued afterwards, still work.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_revoke-sessions.html
 */
export const facts: PlaybookFacts = {
  name: 'revoke-role-sessions',
  description: "Deny every session of the finding's IAM role issued before now, verify, notify.",
  resourceKinds: ['AccessKey'],
  containmentAction: 'PutRolePolicy',
  steps: [
    'Leave service-linked roles, IAM Identity Center (AWSReservedSSO_*) roles and this product’s own roles alone: notify, with the reason.',
    `Deny every session of the role issued before now (inline policy ${REVOKE_ROLE_SESSIONS_POLICY}); sessions issued afterwards still work.`,
    'Read the policy back to verify, then notify the on-call topic.',
  ],
  undo: { reverse: reverseRevokeRoleSessions },
};

/** Undo: delete the inline policy the playbook put (nothing else was changed). */
function reverseRevokeRoleSessions(trail: ExecutionTrail): Reversal {
  const role = recorded(trail, 'PutRolePolicy', 'before', z.looseObject({ roleName: z.string() }));
  if (!role) return { actions: [], notes: [] };
  const document = recorded(trail, 'PutRolePolicy', 'after', z.unknown());
  return {
    actions: [undoActions.deleteRolePolicy(role.roleName, REVOKE_ROLE_SESSIONS_POLICY, document)],
    notes: [
      `Sessions of role ${role.roleName} issued before the revocation work again, if they have not expired: the stolen credentials the finding reported among them.`,
    ],
  };
}
