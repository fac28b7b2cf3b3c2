import * as z from 'zod/mini';
import { type UndoAction, undoActions } from '../undo/actions.ts';
import { type ExecutionTrail, type Reversal, recorded } from '../undo/reverse.ts';
import type { PlaybookFacts } from './definition.ts';

/** The inline policy on the task role that denies its sessions issued before now. */
export const REVOKE_TASK_SESSIONS_POLICY = 'remediation-revoke-task-sessions';

/** The reason StopTask records on the task (ECS shows it as the task's stopped reason). */
export const STOP_TASK_REASON =
  'Stopped by contain-ecs-task: GuardDuty runtime finding, approved by a person';

/**
 * contain-ecs-task: GuardDuty Runtime Monitoring saw a compromised ECS task that runs on no
 * instance the product could quarantine (Fargate). The task and its task definition are recorded
 * as evidence, and the task role's sessions issued before now are denied, AWS's documented
 * revocation of temporary credentials, so credentials the code took stop working.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_revoke-sessions.html
 * Its network cannot be isolated: a Fargate task's network interface is managed by Fargate ("The
 * ENIs that are created are fully managed by AWS Fargate",
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-networking.html), and
 * the security groups of a requester-managed interface cannot be changed ("you can't change other
 * properties of a requester-managed network interface",
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/requester-managed-eni.html). So the task is
 * stopped instead, in approve mode only: a person has agreed to what stopping breaks.
 */
export const facts: PlaybookFacts = {
  name: 'contain-ecs-task',
  description:
    "Record the ECS task and its task definition, deny its task role's older sessions, and in approve mode stop the task (its network cannot be isolated), notify.",
  resourceKinds: ['EcsTask'],
  containmentAction: 'PutRolePolicy',
  steps: [
    'Record the task as it is: task definition, containers and images, network attachment, status; and its task definition (family, revision, roles, images).',
    `Deny every session of the task role issued before now (inline policy ${REVOKE_TASK_SESSIONS_POLICY}); credentials the code took stop working. Service-linked, IAM Identity Center and this product’s own roles are left alone.`,
    'In approve mode, stop the task (StopTask, with the reason recorded on it): a Fargate task’s network interface is managed by AWS and cannot be moved to an isolating security group. A service starts a replacement task from the same task definition.',
    'Read the task back to verify, then notify the on-call topic.',
  ],
  undo: { reverse: reverseContainEcsTask },
};

/** What the PutRolePolicy record holds as before: the role the deny went on. */
const RoleBefore = z.looseObject({ roleName: z.string() });

/**
 * Undo: the session deny removed from the task role. A stopped task is not undone: ECS cannot
 * restart a stopped task (a task is started anew, with a new id, from its task definition:
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_run_task.html), so people are told.
 */
function reverseContainEcsTask(trail: ExecutionTrail): Reversal {
  const actions: UndoAction[] = [];
  const notes: string[] = [];
  const role = recorded(trail, 'PutRolePolicy', 'before', RoleBefore);
  if (role) {
    const policy = recorded(trail, 'PutRolePolicy', 'after', z.unknown());
    actions.push(undoActions.deleteRolePolicy(role.roleName, REVOKE_TASK_SESSIONS_POLICY, policy));
    notes.push(
      `Sessions of task role ${role.roleName} issued before the containment work again, if they have not expired.`,
    );
  }
  if (trail.succeeded.some((r) => r.action === 'StopTask'))
    notes.push(
      'The stopped task stays stopped: ECS cannot restart a stopped task. A service has already started a replacement; a task run by hand is run again from its task definition.',
    );
  return { actions, notes };
}
