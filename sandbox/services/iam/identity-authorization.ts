import { AwsError, type Protocol, type SandboxRequest } from '../../protocol.ts';
import type { PolicyPrincipal } from './policy-evaluation.ts';
import type { AuthorizationOutcome } from './resource-authorization.ts';

/** One refused resource of a call, to be worded as the service words its refusals. */
export interface Refusal {
  readonly principal: PolicyPrincipal;
  /** `<prefix>:<Action>` */
  readonly action: string;
  /** The refused resource's ARN; `*` when the sandbox cannot tell it. */
  readonly resource: string | undefined;
  readonly outcome: Exclude<AuthorizationOutcome, { decision: 'Allow' }>;
  readonly request: SandboxRequest;
  /** The protocol of the service called: it decides the error's code, status and wording. */
  readonly protocol: Protocol;
}

/** Why a call was refused, in the words of AWS's access-denied messages. */
function reasonOf(refusal: Refusal): string {
  const { outcome, action } = refusal;
  if (outcome.decision === 'ExplicitDeny')
    return `with an explicit deny in ${outcome.by === 'identity' ? 'an identity-based' : 'a resource-based'} policy`;
  return outcome.missing === 'identity'
    ? `because no identity-based policy allows the ${action} action`
    : `because no resource-based policy allows the ${action} action`;
}

/**
 * The error the service answers a refused call with
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html):
 * - query services (IAM, STS, Auto Scaling, ELBv2): `AccessDenied` (403);
 *   SNS: `AuthorizationError` (403);
 * - EC2: `UnauthorizedOperation` (403);
 * - S3: `AccessDenied` (403);
 * - JSON services: `AccessDeniedException` (400; 403 for Lambda's REST-JSON).
 */
export function refusalError(refusal: Refusal): AwsError {
  const { principal, action, request } = refusal;
  const reason = reasonOf(refusal);
  const user = `User: ${principal.arn} is not authorized to perform: ${action}`;
  const onResource = `${user} on resource: ${refusal.resource ?? '*'} ${reason}`;
  switch (refusal.protocol) {
    case 'ec2': {
      // EC2 names the resource only when the action takes one.
      const named = refusal.resource && refusal.resource !== '*' ? ` on resource: ${refusal.resource}` : '';
      return new AwsError(
        'UnauthorizedOperation',
        `You are not authorized to perform this operation. ${user}${named} ${reason}`,
        403,
      );
    }
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
