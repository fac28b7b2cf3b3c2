import { entityAlreadyExists, type IamAccount, iamId, limitExceeded, noSuchEntity } from './model.ts';
import type { IamCall, IamOperation } from './operation.ts';
import { checkName, checkPolicyDocument } from './validation.ts';

/*
 * Customer managed policies and their attachment to roles: what CloudFormation's
 * `AWS::IAM::ManagedPolicy` creates, and where CDK moves a role's grants once its inline policies
 * would pass IAM's 10,240-character limit. The sandbox keeps one version per policy (no
 * CreatePolicyVersion), which is all a deployment makes.
 */

/** A customer managed policy: its default (only) version's document, exactly as submitted. */
export interface ManagedPolicy {
  readonly policyName: string;
  readonly policyId: string;
  readonly path: string;
  readonly arn: string;
  readonly createDate: Date;
  readonly document: string;
}

/**
 * IAM's quotas: a managed policy document holds at most 6,144 characters (white space not
 * counted), and a role has at most 10 managed policies attached by default.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
 */
const MAX_DOCUMENT_CHARACTERS = 6_144;
const MAX_ATTACHED_PER_ROLE = 10;

const policiesOf = new WeakMap<IamAccount, Map<string, ManagedPolicy>>();
/** Attached policy ARNs by role (the role's record in its account). */
const attachedTo = new WeakMap<object, Set<string>>();

function accountPolicies(account: IamAccount): Map<string, ManagedPolicy> {
  let policies = policiesOf.get(account);
  if (!policies) {
    policies = new Map();
    policiesOf.set(account, policies);
  }
  return policies;
}

function requirePolicy(account: IamAccount, arn: string): ManagedPolicy {
  const policy = accountPolicies(account).get(arn);
  if (!policy) throw noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
  return policy;
}

/** The documents of the managed policies attached to a role, keyed by policy ARN. */
export function attachedPolicyDocuments(account: IamAccount, role: object): Record<string, string> {
  const arns = attachedTo.get(role) ?? new Set<string>();
  return Object.fromEntries(
    [...arns].flatMap((arn) => {
      const policy = accountPolicies(account).get(arn);
      return policy ? [[arn, policy.document]] : [];
    }),
  );
}

type CreatePolicyInput = { PolicyName: string; PolicyDocument: string; Path?: string; Description?: string };
type AttachInput = { RoleName: string; PolicyArn: string };

const view = (policy: ManagedPolicy) => ({
  PolicyName: policy.policyName,
  PolicyId: policy.policyId,
  Arn: policy.arn,
  Path: policy.path,
  DefaultVersionId: 'v1',
  AttachmentCount: 0,
  IsAttachable: true,
  CreateDate: policy.createDate,
  UpdateDate: policy.createDate,
});

/** CreatePolicy, GetPolicy, AttachRolePolicy, DetachRolePolicy and ListAttachedRolePolicies. */
export const managedPolicyOperations: Record<string, IamOperation> = {
  CreatePolicy: ({ input, account }: IamCall<CreatePolicyInput>) => {
    const policyName = checkName('policyName', input.PolicyName, 128);
    checkPolicyDocument(input.PolicyDocument, 'identity');
    const size = input.PolicyDocument.replace(/\s/g, '').length;
    if (size > MAX_DOCUMENT_CHARACTERS)
      throw limitExceeded(`Cannot exceed quota for PolicySize: ${MAX_DOCUMENT_CHARACTERS}`);
    const path = input.Path ?? '/';
    const arn = `arn:aws:iam::${account.accountId}:policy${path}${policyName}`;
    const policies = accountPolicies(account);
    if ([...policies.values()].some((p) => p.policyName.toLowerCase() === policyName.toLowerCase()))
      throw entityAlreadyExists(
        `A policy called ${policyName} already exists. Duplicate names are not allowed.`,
      );
    const policy: ManagedPolicy = {
      policyName,
      policyId: iamId('ANPA', 17),
      path,
      arn,
      createDate: new Date(),
      document: input.PolicyDocument,
    };
    policies.set(arn, policy);
    return { Policy: view(policy) };
  },
  GetPolicy: ({ input, account }: IamCall<{ PolicyArn: string }>) => ({
    Policy: view(requirePolicy(account, input.PolicyArn)),
  }),
  AttachRolePolicy: ({ input, account }: IamCall<AttachInput>) => {
    const role = account.requireRole(input.RoleName);
    requirePolicy(account, input.PolicyArn);
    const arns = attachedTo.get(role) ?? new Set<string>();
    if (!arns.has(input.PolicyArn) && arns.size >= MAX_ATTACHED_PER_ROLE)
      throw limitExceeded(`Cannot exceed quota for PoliciesPerRole: ${MAX_ATTACHED_PER_ROLE}`);
    arns.add(input.PolicyArn);
    attachedTo.set(role, arns);
    return undefined;
  },
  DetachRolePolicy: ({ input, account }: IamCall<AttachInput>) => {
    const role = account.requireRole(input.RoleName);
    if (!attachedTo.get(role)?.delete(input.PolicyArn))
      throw noSuchEntity(`Policy ${input.PolicyArn} was not found.`);
    return undefined;
  },
  ListAttachedRolePolicies: ({ input, account }: IamCall<{ RoleName: string }>) => {
    const role = account.requireRole(input.RoleName);
    const attached = [...(attachedTo.get(role) ?? [])].map((arn) => requirePolicy(account, arn));
    return {
      AttachedPolicies: attached.map((p) => ({ PolicyName: p.policyName, PolicyArn: p.arn })),
      IsTruncated: false,
    };
  },
};
