import { aws_stepfunctions as sfn } from 'aws-cdk-lib';
import { facts } from '#shared/playbooks/quarantine-instance.ts';
import { awsCall } from '../fragments/aws-call.ts';
import { INSTANCE_ID } from '../fragments/finding-paths.ts';
import { catchToHuman } from '../fragments/needs-human.ts';
import type { PlaybookSteps } from '../fragments/playbook-steps.ts';
import { sessionDenyPolicyInline } from '../fragments/session-deny-policy.ts';
import { FOUND } from './discover.ts';

/** The inline policy on the instance role that denies every session issued before quarantine. */
export const REVOKE_INSTANCE_SESSIONS_POLICY = 'remediation-revoke-instance-sessions';

/**
 * Cut the instance's credentials. Credentials already taken from the instance metadata stay
 * valid for hours after the profile is gone, so first deny, on the role, every session issued
 * before now (`aws:TokenIssueTime`): stolen copies stop working at once. This also ends the
 * current sessions of other instances sharing the role; they fetch fresh ones, which the
 * condition allows. Then disassociate the profile so the instance gets no new credentials. The
 * association and role are in the state before (`FOUND`) for undo. An association that was changing when it was
 * read cannot be removed safely: sessions are still denied, and {@link profileLeftInPlace} ends the
 * run in needs-human once the rest is done.
 */
export function cutCredentials(steps: PlaybookSteps): sfn.Chain {
  const { scope, arns } = steps;
  // The policy is built by the call itself and recorded from its ResultSelector: no state of its own.
  const denyPolicy = sessionDenyPolicyInline();
  const putPolicy = awsCall(scope, 'Revoke instance role sessions', {
    service: 'iam',
    action: 'putRolePolicy',
    parameters: {
      'RoleName.$': `${FOUND}.instanceRole.roleName`,
      PolicyName: REVOKE_INSTANCE_SESSIONS_POLICY,
      'PolicyDocument.$': denyPolicy.document,
    },
    iamResources: [arns.roles],
    resultSelector: denyPolicy.record,
    resultPath: '$.after.sessionDenyPolicy',
  });
  // The state before quarantine is recorded with the first change after the reads, in one step;
  // a refused change still records it first, so undo can restore the network.
  const before = { action: 'RecordBeforeState', outcome: 'succeeded', beforePath: FOUND } as const;
  const auditBefore = (id: string) => steps.audit(id, before.action, before.outcome, before);
  catchToHuman(
    putPolicy,
    auditBefore('Audit before state, sessions not revoked').next(steps.human),
    facts.name,
  );
  const revoke = new sfn.Choice(scope, 'Instance role?')
    .when(
      sfn.Condition.isPresent(`${FOUND}.instanceRole.roleName`),
      putPolicy.next(
        steps.auditBatch('Audit before state and role sessions revoked', [
          before,
          {
            action: 'PutRolePolicy',
            outcome: 'succeeded',
            beforePath: `${FOUND}.instanceRole`,
            afterPath: '$.after.sessionDenyPolicy',
          },
        ]),
      ),
    )
    .otherwise(auditBefore('Audit before state'))
    .afterwards();
  const disassociate = steps.call('Disassociate instance profile', {
    service: 'ec2',
    action: 'disassociateIamInstanceProfile',
    parameters: { 'AssociationId.$': `${FOUND}.instanceProfile.associationId` },
    iamResources: [arns.instances],
  });
  return revoke.next(
    new sfn.Choice(scope, 'Instance profile to remove?')
      .when(
        sfn.Condition.booleanEquals(`${FOUND}.instanceProfile.associated`, true),
        disassociate.next(
          steps.audit('Audit profile disassociated', 'DisassociateIamInstanceProfile', 'succeeded', {
            beforePath: `${FOUND}.instanceProfile`,
          }),
        ),
      )
      .afterwards({ includeOtherwise: true }),
  );
}

/**
 * An association that was changing when it was read was left in place by {@link cutCredentials}:
 * once everything else is done (the evidence protected, the instance out of service), the run
 * ends in needs-human saying so, instead of in `contained`.
 */
export function profileLeftInPlace(steps: PlaybookSteps): sfn.Chain {
  const { scope } = steps;
  const unsettled = steps.stop('Profile association unsettled', {
    Error: 'InstanceProfileAssociationUnsettled',
    'Cause.$': `States.Format('The instance profile association of {} was changing when quarantine read it: the network is isolated, the role sessions are denied and the evidence is protected, but the profile was not removed. Check it and disassociate it by hand.', ${INSTANCE_ID})`,
  });
  return new sfn.Choice(scope, 'Profile left in place?')
    .when(sfn.Condition.isPresent(`${FOUND}.instanceProfile.unsettled`), unsettled)
    .afterwards({ includeOtherwise: true });
}
