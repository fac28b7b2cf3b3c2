import type { aws_stepfunctions as sfn } from 'aws-cdk-lib';
import type { AuditEntry } from '../fragments/audit-step.ts';
import type { PlaybookSteps } from '../fragments/playbook-steps.ts';
import { CHANGES, FOUND } from './discover.ts';

/** The field of `$.after` that holds the session deny policy the credentials phase sent. */
export const SESSION_DENY_POLICY_FIELD = 'sessionDenyPolicy';
/**
 * Where the session deny policy is put by the call that sends it; empty (`{}`) in a run with no
 * role, as the isolation leaves it (isolate-network.ts), so the audit step can always read it.
 */
export const SESSION_DENY_POLICY = `$.after.${SESSION_DENY_POLICY_FIELD}`;

/**
 * Every record quarantine appends after the reads, in the order its calls are made: the state
 * before (what undo restores from), then each call of the credentials, evidence and service
 * phases. A phase the read found nothing to do for (its flag in `CHANGES` false) is listed as
 * left out, so it leaves no record. They are appended in one step once the phases are done
 * ({@link quarantineRecords}), or, when a call stops the run, those before it are
 * ({@link recordsBefore}): one state transition instead of one audit step per phase (Standard
 * workflows bill each state entered: https://aws.amazon.com/step-functions/pricing/).
 */
const RECORDS = [
  { action: 'RecordBeforeState', outcome: 'succeeded', beforePath: FOUND },
  {
    action: 'PutRolePolicy',
    outcome: 'succeeded',
    beforePath: `${FOUND}.instanceRole`,
    afterPath: SESSION_DENY_POLICY,
    appendedPath: `${CHANGES}.revokeSessions`,
  },
  {
    action: 'DisassociateIamInstanceProfile',
    outcome: 'succeeded',
    beforePath: `${FOUND}.instanceProfile`,
    appendedPath: `${CHANGES}.removeProfile`,
  },
  {
    action: 'EnableTerminationProtection',
    outcome: 'succeeded',
    appendedPath: `${CHANGES}.preserveEvidence`,
  },
  { action: 'SetShutdownBehaviorStop', outcome: 'succeeded', appendedPath: `${CHANGES}.preserveEvidence` },
  {
    action: 'KeepVolumesOnTermination',
    outcome: 'succeeded',
    beforePath: `${FOUND}.volumes`,
    appendedPath: `${CHANGES}.preserveEvidence`,
  },
  { action: 'TagInstance', outcome: 'succeeded', appendedPath: `${CHANGES}.preserveEvidence` },
  {
    action: 'DetachInstances',
    outcome: 'succeeded',
    beforePath: `${FOUND}.autoScaling`,
    appendedPath: `${CHANGES}.leaveAutoScalingGroup`,
  },
  {
    action: 'DeregisterTargets',
    outcome: 'succeeded',
    beforePath: `${FOUND}.targetGroups`,
    afterPath: '$.after.targetGroups',
  },
] as const satisfies readonly AuditEntry[];

/** The action of a record of {@link RECORDS}. */
export type QuarantineAction = (typeof RECORDS)[number]['action'];

/** Every record of the phases, for the one audit step after them. */
export function quarantineRecords(): readonly AuditEntry[] {
  return RECORDS;
}

/**
 * The audit step `id` a stopped call goes through before the needs-human path: the records of
 * every call made before `action` (the state before at least), so the trail misses none that
 * happened and undo restores them. `action` undefined: every phase's (a run stopped once they
 * are all done).
 */
export function recordsBefore(
  steps: PlaybookSteps,
  action: QuarantineAction | undefined,
  id: string,
): sfn.IChainable {
  const index = action ? RECORDS.findIndex((r) => r.action === action) : RECORDS.length;
  return steps.auditBatch(id, RECORDS.slice(0, index)).next(steps.human);
}
