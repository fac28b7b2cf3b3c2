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

/** What {@link revokeRoleSessionsOf} revokes, and where it keeps what it read. */
export interface RoleSessionRevocationProps {
  /** The role whose sessions are denied: the JSONPath of its name. */
  readonly roleNamePath: string;
  /** The inline policy put on the role. */
  readonly policyName: string;
  /** Prefix of the states' names, unique in the state machine, e.g. `Task role`. */
  readonly label: string;
  /** Where the role as read (name, path, ARN) is kept: the PutRolePolicy record's before-state. */
  readonly resultPath: string;
}

/**
 * Deny every session of a role issued before now, as revoke-role-sessions does (the inline policy
 * of fragments/session-deny-policy.ts, https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_revoke-sessions.html),
 * with its exceptions: IAM Identity Center roles (`AWSReservedSSO_*`, whose sessions Identity
 * Center manages) and service-linked roles (path `/aws-service-role/`, which AWS manages) are left
 * alone with a `skipped` record saying why; the product's own roles and protected principals are
 * refused by explicit Denies. Records `PutRolePolicy` with the role as before and the policy as
 * after, which is what the undo reversers read. Every branch continues to the next state.
 */
export function revokeRoleSessionsOf(steps: PlaybookSteps, props: RoleSessionRevocationProps): sfn.Chain {
  const { scope } = steps;
  const { label, roleNamePath, policyName, resultPath } = props;
  const leftAlone = (kind: string, reason: string) =>
    new sfn.Pass(scope, `${label}: ${kind} left alone`, {
      parameters: { reason },
      resultPath: `${resultPath}Skipped`,
    }).next(
      steps.audit(`Audit ${label.toLowerCase()} ${kind} left alone`, 'RevokeRoleSessions', 'skipped', {
        reasonPath: `${resultPath}Skipped.reason`,
      }),
    );
  const readRole = steps.call(`Read ${label.toLowerCase()}`, {
    service: 'iam',
    action: 'getRole',
    parameters: { 'RoleName.$': roleNamePath },
    iamResources: [steps.arns.roles],
    resultSelector: { 'roleName.$': '$.Role.RoleName', 'path.$': '$.Role.Path', 'arn.$': '$.Role.Arn' },
    resultPath,
  });
  const revoke = sessionDenyPolicy(
    scope,
    `Build ${label.toLowerCase()} session deny policy`,
    `${resultPath}Deny`,
  )
    .next(
      steps.call(`Revoke ${label.toLowerCase()} sessions`, {
        service: 'iam',
        action: 'putRolePolicy',
        parameters: {
          'RoleName.$': `${resultPath}.roleName`,
          PolicyName: policyName,
          'PolicyDocument.$': `States.JsonToString(${resultPath}Deny)`,
        },
        iamResources: [steps.arns.roles],
        resultPath: sfn.JsonPath.DISCARD,
      }),
    )
    .next(
      steps.audit(`Audit ${label.toLowerCase()} sessions revoked`, 'PutRolePolicy', 'succeeded', {
        beforePath: resultPath,
        afterPath: `${resultPath}Deny`,
      }),
    );
  const byPath = new sfn.Choice(scope, `${label}: service-linked?`)
    .when(
      sfn.Condition.stringMatches(`${resultPath}.path`, '/aws-service-role/*'),
      leftAlone(
        'service-linked',
        'service-linked role: AWS manages it and a deny would break the service; review the finding by hand',
      ),
    )
    .otherwise(revoke)
    .afterwards();
  return sfn.Chain.start(
    new sfn.Choice(scope, `${label}: Identity Center role?`)
      .when(
        sfn.Condition.stringMatches(roleNamePath, 'AWSReservedSSO_*'),
        leftAlone(
          'Identity Center',
          'IAM Identity Center role (AWSReservedSSO_*): revoke the sessions in IAM Identity Center, not on the role',
        ),
      )
      .otherwise(readRole.next(byPath))
      .afterwards(),
  );
}
