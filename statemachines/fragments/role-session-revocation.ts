import { aws_stepfunctions as sfn } from 'aws-cdk-lib';
import type { PlaybookSteps } from './playbook-steps.ts';
import { sessionDenyPolicy } from './session-deny-policy.ts';

/**
 * The intrinsic naming a role by the last part of its ARN at `arnPath` (`role/path/name`): IAM's
 * calls take the name.
 */
export function roleNameOf(arnPath: string): string {
  const parts = `States.StringSplit(${arnPath}, '/')`;
  return `States.ArrayGetItem(${parts}, States.MathAdd(States.ArrayLength(${parts}), -1))`;
}

/** A role the revocation never touches, as its states and notification name it. */
export interface RoleLeftAlone {
  /** Prefix of its states' names, e.g. `Identity Center task role`. */
  readonly id: string;
  /** A notification subject after the playbook's name (SNS subjects hold 100 characters). */
  readonly headline: string;
}

/** What {@link roleSessionRevocation} revokes, and where it keeps what it read. */
export interface RoleSessionRevocationProps {
  /** The role whose sessions are denied: the JSONPath of its name. */
  readonly roleNamePath: string;
  /** The inline policy put on the role. */
  readonly policyName: string;
  /**
   * Which role this is, in its states' names: `task` gives `Read task role`, `Revoke task role
   * sessions`, `Identity Center task role?`. @default '' (`Read role`, `Revoke role sessions`)
   */
  readonly kind?: string;
  /** Where the role as read (name, path, ARN) is kept: the PutRolePolicy record's before-state. */
  readonly rolePath: string;
  /** Where the deny policy is built: the PutRolePolicy record's after-state. @default `${rolePath}Deny` */
  readonly denyPolicyPath?: string;
  /** Where a role left alone keeps the reason. @default `${rolePath}Skipped` */
  readonly skippedPath?: string;
  /**
   * What follows the `skipped` record of a role left alone (e.g. notify and end).
   * @default nothing: the run goes on to the state after the revocation
   */
  readonly afterLeftAlone?: (role: RoleLeftAlone) => sfn.IChainable;
}

/** The two halves of a revocation, for a playbook that puts something (the mode choice) between them. */
export interface RoleSessionRevocation {
  /** The first state: an IAM Identity Center role is left alone, any other role goes on to `next`. */
  unlessIdentityCenter(next: sfn.IChainable): sfn.Chain;
  /** Read the role; a service-linked one is left alone, any other gets the session deny policy. */
  readonly revoke: sfn.Chain;
}

/**
 * Deny every session of a role issued before now, AWS's documented revocation of temporary
 * credentials (the inline policy of fragments/session-deny-policy.ts,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_revoke-sessions.html), with its
 * exceptions: IAM Identity Center roles (`AWSReservedSSO_*`, whose sessions Identity Center
 * manages) and service-linked roles (path `/aws-service-role/`, which AWS manages) are left alone
 * with a `RevokeRoleSessions` `skipped` record saying why; the product's own roles and protected
 * principals are refused by explicit Denies. Records `PutRolePolicy` with the role as before and
 * the policy as after, which is what the undo reversers read.
 */
export function roleSessionRevocation(
  steps: PlaybookSteps,
  props: RoleSessionRevocationProps,
): RoleSessionRevocation {
  const { scope } = steps;
  const { roleNamePath, policyName, rolePath, afterLeftAlone } = props;
  const kind = props.kind ? `${props.kind} ` : '';
  const denyPolicyPath = props.denyPolicyPath ?? `${rolePath}Deny`;
  const skippedPath = props.skippedPath ?? `${rolePath}Skipped`;
  const leftAlone = (role: RoleLeftAlone, reason: string) => {
    const recorded = new sfn.Pass(scope, `${role.id}: left alone`, {
      parameters: { reason },
      resultPath: skippedPath,
    }).next(
      steps.audit(`Audit ${role.id} left alone`, 'RevokeRoleSessions', 'skipped', {
        reasonPath: `${skippedPath}.reason`,
      }),
    );
    return afterLeftAlone ? recorded.next(afterLeftAlone(role)) : recorded;
  };
  const readRole = steps.call(`Read ${kind}role`, {
    service: 'iam',
    action: 'getRole',
    parameters: { 'RoleName.$': roleNamePath },
    iamResources: [steps.arns.roles],
    resultSelector: { 'roleName.$': '$.Role.RoleName', 'path.$': '$.Role.Path', 'arn.$': '$.Role.Arn' },
    resultPath: rolePath,
  });
  const deny = sessionDenyPolicy(scope, `Build ${kind}session deny policy`, denyPolicyPath)
    .next(
      steps.call(`Revoke ${kind}role sessions`, {
        service: 'iam',
        action: 'putRolePolicy',
        parameters: {
          'RoleName.$': `${rolePath}.roleName`,
          PolicyName: policyName,
          'PolicyDocument.$': `States.JsonToString(${denyPolicyPath})`,
        },
        iamResources: [steps.arns.roles],
        resultPath: sfn.JsonPath.DISCARD,
      }),
    )
    .next(
      steps.audit(`Audit ${kind}sessions revoked`, 'PutRolePolicy', 'succeeded', {
        beforePath: rolePath,
        afterPath: denyPolicyPath,
      }),
    );
  const revoke = readRole.next(
    new sfn.Choice(scope, `Service-linked ${kind}role?`)
      .when(
        sfn.Condition.stringMatches(`${rolePath}.path`, '/aws-service-role/*'),
        leftAlone(
          { id: `Service-linked ${kind}role`, headline: `service-linked ${kind}role left alone` },
          'service-linked role: AWS manages it and a deny would break the service; review the finding by hand',
        ),
      )
      .otherwise(deny)
      .afterwards(),
  );
  return {
    revoke,
    unlessIdentityCenter: (next) =>
      new sfn.Choice(scope, `Identity Center ${kind}role?`)
        .when(
          sfn.Condition.stringMatches(roleNamePath, 'AWSReservedSSO_*'),
          leftAlone(
            { id: `Identity Center ${kind}role`, headline: `Identity Center ${kind}role left alone` },
            'IAM Identity Center role (AWSReservedSSO_*): revoke the sessions in IAM Identity Center, not on the role',
          ),
        )
        .otherwise(next)
        .afterwards(),
  };
}

/**
 * {@link roleSessionRevocation} as one chain: an IAM Identity Center role is left alone, any
 * other is read and, unless service-linked, gets the session deny policy. Every branch goes on to
 * the next state.
 */
export function revokeRoleSessionsOf(steps: PlaybookSteps, props: RoleSessionRevocationProps): sfn.Chain {
  const revocation = roleSessionRevocation(steps, props);
  return revocation.unlessIdentityCenter(revocation.revoke);
}
