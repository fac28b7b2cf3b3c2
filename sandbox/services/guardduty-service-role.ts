import type { SandboxRequest } from '../protocol.ts';
import type { RequestAuthorizer } from '../server.ts';
import { SERVICE_LINKED_ROLE_NAMES } from './iam/service-linked-roles.ts';
import type { IamService } from './iam.ts';

const SERVICE = 'guardduty.amazonaws.com';

/**
 * What GuardDuty's CreateDetector does about its service-linked role, AWSServiceRoleForAmazonGuardDuty:
 * nothing where it exists; where it does not, GuardDuty creates it as the caller, so the caller
 * must be allowed `iam:CreateServiceLinkedRole` on it, else the call is refused with
 * AccessDeniedException naming that action (https://docs.aws.amazon.com/guardduty/latest/ug/slr-permissions.html,
 * whose AmazonGuardDutyFullAccess grants exactly that for guardduty.amazonaws.com).
 */
export function guardDutyServiceRole(
  iam: IamService,
  authorizer: RequestAuthorizer,
): (req: SandboxRequest) => Promise<void> {
  const roleName = SERVICE_LINKED_ROLE_NAMES[SERVICE] as string;
  return async (req) => {
    if (iam.role(req.accountId, roleName)) return;
    // The caller's own IAM call, as the sandbox authorizes any: the role is its resource.
    const createRole: SandboxRequest = {
      ...req,
      service: 'iam',
      query: new URLSearchParams({ Action: 'CreateServiceLinkedRole', AWSServiceName: SERVICE }),
      headers: Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== 'content-type')),
      body: Buffer.alloc(0),
    };
    // GuardDuty speaks REST-JSON: a refusal is its AccessDeniedException (HTTP 403).
    await authorizer.authorize(createRole, 'CreateServiceLinkedRole', 'rest-json');
    iam.createServiceLinkedRole(req.accountId, SERVICE);
  };
}
