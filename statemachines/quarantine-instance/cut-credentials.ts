import { aws_stepfunctions as sfn } from 'aws-cdk-lib';
import { sessionDenyPolicy } from '../fragments/session-deny-policy.ts';
import type { QuarantineSteps } from './steps.ts';

/** The inline policy on the instance role that denies every session issued before quarantine. */
export const REVOKE_INSTANCE_SESSIONS_POLICY = 'remediation-revoke-instance-sessions';

/**
 * Cut the instance's credentials. Credentials already taken from the instance metadata stay
 * valid for hours after the profile is gone, so first deny, on the role, every session issued
 * before now (`aws:TokenIssueTime`): stolen copies stop working at once. This also ends the
 * current sessions of other instances sharing the role; they fetch fresh ones, which the
 * condition allows. Then disassociate the profile so the instance gets no new credentials. The
 * association and role are in `$.before` for undo.
 */
export function cutCredentials(steps: QuarantineSteps): sfn.Chain {
  const { scope, arns } = steps;
  const denyPolicy = sessionDenyPolicy(
    scope,
    'Build instance session deny policy',
    '$.after.sessionDenyPolicy',
  );
  const putPolicy = steps.call('Revoke instance role sessions', {
    service: 'iam',
    action: 'putRolePolicy',
    parameters: {
      'RoleName.$': '$.before.instanceRole.roleName',
      PolicyName: REVOKE_INSTANCE_SESSIONS_POLICY,
      'PolicyDocument.$': 'States.JsonToString($.after.sessionDenyPolicy)',
    },
    iamResources: [arns.roles],
  });
  const revoke = new sfn.Choice(scope, 'Instance role?')
    .when(
      sfn.Condition.isPresent('$.before.instanceRole.roleName'),
      denyPolicy.next(putPolicy).next(
        steps.audit('Audit role sessions revoked', 'PutRolePolicy', {
          beforePath: '$.before.instanceRole',
          afterPath: '$.after.sessionDenyPolicy',
        }),
      ),
    )
    .afterwards({ includeOtherwise: true });
  const disassociate = steps.call('Disassociate instance profile', {
    service: 'ec2',
    action: 'disassociateIamInstanceProfile',
    parameters: { 'AssociationId.$': '$.before.instanceProfile.associationId' },
    iamResources: [arns.instances],
  });
  return new sfn.Choice(scope, 'Instance profile to remove?')
    .when(
      sfn.Condition.booleanEquals('$.before.instanceProfile.associated', true),
      revoke.next(disassociate).next(
        steps.audit('Audit profile disassociated', 'DisassociateIamInstanceProfile', {
          beforePath: '$.before.instanceProfile',
        }),
      ),
    )
    .afterwards({ includeOtherwise: true });
}
