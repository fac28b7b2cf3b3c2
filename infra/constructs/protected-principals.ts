import { aws_iam as iam } from 'aws-cdk-lib';

/**
 * The IAM resource ARNs an explicit Deny names for one principal pattern of the policy
 * (`protectedPrincipals`): users and roles (a role session's pattern stands for its role), each
 * both where the pattern puts it and under any path (`user/*\/<name>`), since IAM matches a
 * `Resource` against the full ARN, path included. IAM matches `Resource` case-sensitively
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html),
 * while IAM names are unique regardless of case: the name is listed as written, lower-cased and
 * upper-cased. Other spellings (`Break-Glass`) are refused by the classifier, which matches names
 * case-insensitively, not by this Deny. The root user and other principals have no IAM resource
 * to deny: nothing to list.
 */
export function protectedResourceArns(pattern: string): string[] {
  const match = /^arn:([^:]*):(iam|sts)::([^:]*):(user|role|assumed-role)\/(.+)$/.exec(pattern);
  if (!match) return [];
  const [, partition, service, account, kind, rest = ''] = match;
  if (service === 'sts' && kind !== 'assumed-role') return [];
  if (service === 'iam' && kind === 'assumed-role') return [];
  const type = kind === 'assumed-role' ? 'role' : kind;
  const prefix = `arn:${partition}:iam::${account}:${type}/`;
  // `assumed-role/<role>/<session>`: the role. `*` alone already covers every path in IAM.
  const resource = kind === 'assumed-role' ? (rest.split('/')[0] ?? '') : rest;
  if (resource === '*') return [`${prefix}*`];
  const slash = resource.lastIndexOf('/');
  const path = slash < 0 ? '' : resource.slice(0, slash + 1);
  const name = resource.slice(slash + 1);
  const names = [...new Set([name, name.toLowerCase(), name.toUpperCase()])];
  const paths = path === '' ? ['', '*/'] : [path];
  return paths.flatMap((p) => names.map((n) => `${prefix}${p}${n}`));
}

/**
 * One statement denying every IAM action on the protected principals and on the product's own
 * roles: whatever a playbook's grant on `user/*` or `role/*` allows (PutUserPolicy,
 * PutRolePolicy, PassRole...), an explicit Deny wins over it
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html),
 * so no decision, however wrong, lets the product act on them or raise its own permissions.
 */
export function protectedPrincipalsDeny(
  patterns: readonly string[],
  ownRoleArns: readonly string[],
): iam.PolicyStatement {
  const resources = [...new Set([...patterns.flatMap(protectedResourceArns), ...ownRoleArns])];
  return new iam.PolicyStatement({
    sid: 'ProtectedPrincipalsAndOwnRoles',
    effect: iam.Effect.DENY,
    actions: ['iam:*'],
    resources,
  });
}
