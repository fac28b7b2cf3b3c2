import type { Protocol, SandboxRequest } from '../../protocol.ts';
import type { Caller } from './callers.ts';
import { refusalError } from './identity-authorization.ts';
import { conditionContext } from './policy-evaluation.ts';
import { type ResourceLookups, requestResources } from './request-resources.ts';
import { authorizeResource } from './resource-authorization.ts';
import type { ResourcePolicyStore } from './resource-policies.ts';

/** What {@link authorizeCall} needs beyond the request. */
export interface CallAuthorization {
  /** The signed caller: an IAM identity, or an account's root user. */
  readonly caller: Exclude<Caller, { kind: 'unsigned' }>;
  /** `<prefix>:<Action>` */
  readonly action: string;
  readonly request: SandboxRequest;
  readonly protocol: Protocol;
  readonly lookups: ResourceLookups;
  /** The resource policies the sandbox evaluates. @default none */
  readonly resourcePolicies?: ResourcePolicyStore;
  /** The organization an account belongs to. */
  readonly organizationOf?: (accountId: string) => string | undefined;
}

/**
 * `aws:SecureTransport` of a request: AWS endpoints are reached over TLS, and the sandbox's plain
 * HTTP listener stands in for them, so a request is secure unless it says it stands for one made
 * without TLS, with the standard `X-Forwarded-Proto: http` header (what a TLS-terminating proxy
 * sends for a client that connected over plain HTTP). Tests use it to show that a policy denying
 * `aws:SecureTransport` `false` refuses such a request.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-securetransport
 */
function secureTransportOf(request: SandboxRequest): 'false' | undefined {
  return request.headers['x-forwarded-proto']?.toLowerCase() === 'http' ? 'false' : undefined;
}

/** `arn:<partition>:s3:::<bucket>/<key>` */
const S3_OBJECT_ARN = /^arn:[^:]*:s3:::([^/]+)\/(.+)$/;

/**
 * `s3:ExistingObjectTag/<key>` for each tag of the object a request acts on
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/tagging-and-policies.html).
 */
function existingObjectTags(resource: string | undefined, lookups: ResourceLookups): Record<string, string> {
  const match = resource ? S3_OBJECT_ARN.exec(resource) : null;
  const tags = match && lookups.s3ObjectTags?.(match[1] ?? '', match[2] ?? '');
  return Object.fromEntries(Object.entries(tags ?? {}).map(([k, v]) => [`s3:ExistingObjectTag/${k}`, v]));
}

/** `arn:<partition>:<service>:<region>:<account>:` */
const ARN_ACCOUNT = /^arn:[^:]*:[^:]*:[^:]*:(\d{12}):/;

/**
 * Authorize a signed call on every resource it acts on (see {@link requestResources}): each must
 * be allowed and none denied, by the caller's identity policies and the resource's policy (see
 * {@link authorizeResource}). An account's root user is allowed everything by IAM; only
 * resource policies (a Deny, a KMS key policy, another account's resource) can refuse it.
 * Throws the service's access-denied error, naming the first resource refused.
 */
export async function authorizeCall(input: CallAuthorization): Promise<void> {
  const { caller, action, request } = input;
  const { principal } = caller;
  const resources = await requestResources(request, action, input.lookups);
  for (const resource of resources ?? [undefined]) {
    const resourcePolicy = input.resourcePolicies?.policyOf(resource);
    // The root user needs no identity policy; without a resource policy nothing can refuse it.
    if (caller.kind === 'root' && !resourcePolicy) continue;
    // The resource's account: the one its ARN names (or that owns it), else the account called.
    const resourceAccount =
      resourcePolicy?.accountId || (resource && ARN_ACCOUNT.exec(resource)?.[1]) || request.accountId;
    const context = conditionContext(
      principal,
      principal.accountId && input.organizationOf?.(principal.accountId),
      {
        'aws:RequestedRegion': request.region,
        'aws:ResourceAccount': resourceAccount,
        // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-resourceorgid
        'aws:ResourceOrgID': input.organizationOf?.(resourceAccount),
        'aws:SecureTransport': secureTransportOf(request),
        ...existingObjectTags(resource, input.lookups),
      },
    );
    const outcome = authorizeResource({
      principal,
      identityPolicies: caller.kind === 'identity' ? caller.policies : undefined,
      action,
      resource,
      resourcePolicy,
      context,
    });
    if (outcome.decision !== 'Allow') {
      throw refusalError({ principal, action, resource, outcome, request, protocol: input.protocol });
    }
  }
}
