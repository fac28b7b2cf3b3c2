import { AwsError, type Protocol, type SandboxRequest } from '../../protocol.ts';
import { queryParams } from '../../query-protocol.ts';
import { conditionContext, evaluatePolicies, type PolicyPrincipal } from './policy-evaluation.ts';

/** One call by a role session, to be checked against the role's identity policies. */
export interface IdentityPolicyCheck {
  readonly principal: PolicyPrincipal;
  /** The role's identity policy documents. */
  readonly policies: readonly string[];
  /** `<prefix>:<Action>` */
  readonly action: string;
  /**
   * The resource's ARN when known: statements apply where their `Resource` covers it (see
   * `evaluatePolicies`), and the message names it; `*` otherwise.
   */
  readonly resource?: string;
  /** The organization of the principal's account (`aws:PrincipalOrgID`). */
  readonly organizationId?: string;
  /**
   * The account that owns the resource (`aws:ResourceAccount`) and its organization
   * (`aws:ResourceOrgID`, present only for an account in an organization).
   * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-resourceorgid
   */
  readonly resourceAccount?: string;
  readonly resourceOrganizationId?: string;
  readonly request: SandboxRequest;
  /** The protocol of the service called: it decides the error's code, status and wording. */
  readonly protocol: Protocol;
}

/**
 * Check a role session's call against its role's identity policies, on the action and, where
 * the sandbox tells it (see {@link requestedResource}), the resource. Returns the
 * error the service answers with when the policies do not allow the call:
 * - query services (IAM, STS, Auto Scaling, ELBv2): `AccessDenied` (403);
 *   SNS: `AuthorizationError` (403);
 * - EC2: `UnauthorizedOperation` (403);
 * - S3: `AccessDenied` (403);
 * - JSON services: `AccessDeniedException` (400; 403 for Lambda's REST-JSON).
 */
export function identityPolicyDenial(check: IdentityPolicyCheck): AwsError | undefined {
  const { principal, action, request } = check;
  const decision = evaluatePolicies(check.policies, {
    action,
    resource: check.resource,
    context: conditionContext(principal, check.organizationId, {
      'aws:RequestedRegion': request.region,
      'aws:ResourceAccount': check.resourceAccount,
      'aws:ResourceOrgID': check.resourceOrganizationId,
    }),
  });
  if (decision === 'Allow') return undefined;
  const reason =
    decision === 'ExplicitDeny'
      ? 'with an explicit deny in an identity-based policy'
      : `because no identity-based policy allows the ${action} action`;
  const user = `User: ${principal.arn} is not authorized to perform: ${action}`;
  const onResource = `${user} on resource: ${check.resource ?? '*'} ${reason}`;
  switch (check.protocol) {
    case 'ec2':
      return new AwsError(
        'UnauthorizedOperation',
        `You are not authorized to perform this operation. ${user} ${reason}`,
        403,
      );
    case 'rest-xml':
      return new AwsError('AccessDenied', `${user} ${reason}`, 403);
    case 'query':
      return new AwsError(request.service === 'sns' ? 'AuthorizationError' : 'AccessDenied', onResource, 403);
    case 'json':
      return new AwsError('AccessDeniedException', onResource, 400);
    case 'rest-json':
      return new AwsError('AccessDeniedException', onResource, 403);
  }
}

/** Where {@link requestedResource} finds the ARN (path included) of an IAM user or role that exists. */
export interface IamPrincipalArns {
  user(accountId: string, userName: string): { arn: string } | undefined;
  role(accountId: string, roleName: string): { arn: string } | undefined;
}

/**
 * The resource a call names, where that is cheap to tell: the role of an AssumeRole, the user or
 * role of an IAM call (its ARN with its path when it exists, since a policy's `Resource` names
 * the path). `undefined` (rendered `*`, and matched as described in `evaluatePolicies`) otherwise.
 */
export function requestedResource(
  req: SandboxRequest,
  operation: string,
  iam?: IamPrincipalArns,
): string | undefined {
  if (req.service !== 'sts' && req.service !== 'iam') return undefined;
  const params = queryParams(req);
  if (req.service === 'sts')
    return operation === 'AssumeRole' ? (params.get('RoleArn') ?? undefined) : undefined;
  const user = params.get('UserName');
  if (user) return iam?.user(req.accountId, user)?.arn ?? `arn:aws:iam::${req.accountId}:user/${user}`;
  const role = params.get('RoleName');
  if (!role) return undefined;
  return iam?.role(req.accountId, role)?.arn ?? `arn:aws:iam::${req.accountId}:role/${role}`;
}
