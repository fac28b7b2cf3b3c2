import { aws_stepfunctions as sfn } from 'aws-cdk-lib';
import { facts } from '#shared/playbooks/quarantine-instance.ts';
import { awsCall } from '../fragments/aws-call.ts';
import { INSTANCE_ID } from '../fragments/finding-paths.ts';
import { catchToHuman } from '../fragments/needs-human.ts';
import type { PlaybookSteps } from '../fragments/playbook-steps.ts';
import { sessionDenyPolicyInline } from '../fragments/session-deny-policy.ts';
import { CHANGES, FOUND } from './discover.ts';
import type { FlaggedPart } from './flag-choice.ts';
import { recordsBefore, SESSION_DENY_POLICY } from './records.ts';

/** The inline policy on the instance role that denies every session issued before quarantine. */
export const REVOKE_INSTANCE_SESSIONS_POLICY = 'remediation-revoke-instance-sessions';

/**
 * The two parts that cut the instance's credentials, for the one choice after the reads
 * (flag-choice.ts), each run only when the read found it needed (`CHANGES`). Credentials already taken from the instance metadata stay
 * valid for hours after the profile is gone, so first deny, on the role, every session issued
 * before now (`aws:TokenIssueTime`): stolen copies stop working at once. This also ends the
 * current sessions of other instances sharing the role; they fetch fresh ones, which the
 * condition allows. Then disassociate the profile so the instance gets no new credentials. The
 * association and role are in the state before (`FOUND`) for undo; the calls are recorded with
 * the state before in the one audit step after the phases (records.ts). An association that was
 * changing when it was read cannot be removed safely: sessions are still denied, and the run ends
 * in needs-human once the rest is done (leave-service.ts). With no role there is no policy: the
 * audit step still reads its place, which the isolation leaves empty (isolate-network.ts).
 */
export function credentialParts(steps: PlaybookSteps): FlaggedPart[] {
  const { scope, arns } = steps;
  // The policy is built by the call itself and recorded from its ResultSelector: no state of its own.
  const denyPolicy = sessionDenyPolicyInline();
  // A refused change still records the state before first, so undo can restore the network.
  const sessionsNotRevoked = recordsBefore(
    steps,
    'PutRolePolicy',
    'Audit before state, sessions not revoked',
  );
  const profileKept = recordsBefore(
    steps,
    'DisassociateIamInstanceProfile',
    'Audit quarantine steps before the profile',
  );
  const putPolicy = (suffix: string) =>
    sfn.Chain.start(
      catchToHuman(
        awsCall(scope, `Revoke instance role sessions${suffix}`, {
          service: 'iam',
          action: 'putRolePolicy',
          parameters: {
            'RoleName.$': `${FOUND}.instanceRole.roleName`,
            PolicyName: REVOKE_INSTANCE_SESSIONS_POLICY,
            'PolicyDocument.$': denyPolicy.document,
          },
          iamResources: [arns.roles],
          resultSelector: denyPolicy.record,
          resultPath: SESSION_DENY_POLICY,
        }),
        sessionsNotRevoked,
        facts.name,
      ),
    );
  const disassociate = (suffix: string) =>
    sfn.Chain.start(
      catchToHuman(
        awsCall(scope, `Disassociate instance profile${suffix}`, {
          service: 'ec2',
          action: 'disassociateIamInstanceProfile',
          parameters: { 'AssociationId.$': `${FOUND}.instanceProfile.associationId` },
          iamResources: [arns.instances],
        }),
        profileKept,
        facts.name,
      ),
    );
  return [
    { flag: `${CHANGES}.revokeSessions`, label: 'role sessions', build: putPolicy },
    { flag: `${CHANGES}.removeProfile`, label: 'profile', build: disassociate },
  ];
}

/**
 * An association that was changing when it was read was left in place by {@link credentialParts}:
 * once everything else is done (the evidence protected, the instance out of service), the run
 * records what it did and ends in needs-human saying so, instead of in `contained`.
 */
export const PROFILE_UNSETTLED = sfn.Condition.isPresent(`${FOUND}.instanceProfile.unsettled`);

/** The end of a run that left an unsettled profile association in place (see {@link PROFILE_UNSETTLED}). */
export function profileLeftInPlace(steps: PlaybookSteps): sfn.IChainable {
  return new sfn.Pass(steps.scope, 'Profile association unsettled', {
    parameters: {
      Error: 'InstanceProfileAssociationUnsettled',
      'Cause.$': `States.Format('The instance profile association of {} was changing when quarantine read it: the network is isolated, the role sessions are denied and the evidence is protected, but the profile was not removed. Check it and disassociate it by hand.', ${INSTANCE_ID})`,
    },
    resultPath: '$.error',
  }).next(recordsBefore(steps, undefined, 'Audit quarantine steps, profile left in place'));
}
