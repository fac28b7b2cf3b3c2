import type { SandboxRequest } from '../../protocol.ts';
import { resourceTypeOf } from '../ec2/ids.ts';

/** EC2 resource types whose ARN names no account (public images and snapshots are regional). */
const WITHOUT_ACCOUNT = new Set(['image', 'snapshot']);

/**
 * Fields whose ids are not resources the call acts on: a rule's referenced group, a filter's
 * value, a tag's value.
 */
const NOT_ACTED_ON = /^(IpPermissions|Filter|TagSpecification|Tag)\./;

function ec2Arn(req: SandboxRequest, type: string, id: string): string {
  const account = WITHOUT_ACCOUNT.has(type) ? '' : req.accountId;
  return `arn:aws:ec2:${req.region}:${account}:${type}/${id}`;
}

/**
 * The EC2 resources a request acts on: every resource id it names (`InstanceId`, `GroupId.1`,
 * `ResourceId.2`, `LaunchTemplate.LaunchTemplateId`...) whose type the action takes, each typed
 * by its id's prefix as EC2 types them; then, for each type the action requires and the request
 * does not name (the instance RunInstances creates, the snapshot of CreateSnapshot), the ARN of a
 * resource of that type not yet known, with `*` for its id. A policy naming a specific resource
 * of that type therefore never covers a resource being created, as in AWS.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html#amazonec2-resources-for-iam-policies
 */
export function ec2Resources(
  req: SandboxRequest,
  fields: URLSearchParams,
  types: readonly { readonly name: string; readonly required: boolean }[],
): string[] {
  const accepted = new Set(types.map((t) => t.name));
  const named = new Map<string, string>();
  const namedTypes = new Set<string>();
  for (const [key, value] of fields) {
    if (NOT_ACTED_ON.test(key)) continue;
    const type = resourceTypeOf(value);
    if (!type || !accepted.has(type)) continue;
    named.set(value, ec2Arn(req, type, value));
    namedTypes.add(type);
  }
  const created = types
    .filter((t) => t.required && !namedTypes.has(t.name))
    .map((t) => ec2Arn(req, t.name, '*'));
  return [...named.values(), ...created];
}
