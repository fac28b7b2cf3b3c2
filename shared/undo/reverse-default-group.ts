import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { type IpPermission, type UndoAction, undoActions } from './actions.ts';
import { type ExecutionTrail, type Reversal, UnreadableTrailError } from './reverse.ts';

/** One rule as DescribeSecurityGroupRules reported it before close-default-security-group revoked it. */
const RecordedRuleSchema = z.looseObject({
  SecurityGroupRuleId: z.optional(z.string()),
  IsEgress: z.boolean(),
  IpProtocol: z.string(),
  FromPort: z.optional(z.number().check(z.int())),
  ToPort: z.optional(z.number().check(z.int())),
  CidrIpv4: z.optional(z.string()),
  CidrIpv6: z.optional(z.string()),
  PrefixListId: z.optional(z.string()),
  ReferencedGroupInfo: z.optional(z.looseObject({ GroupId: z.string(), UserId: z.optional(z.string()) })),
  Description: z.optional(z.string()),
});
type RecordedRule = z.infer<typeof RecordedRuleSchema>;

/** The `before` of the revocation record: the group's rules as DescribeSecurityGroupRules listed them. */
const RevokedRulesSchema = z.looseObject({ SecurityGroupRules: z.optional(z.array(RecordedRuleSchema)) });

/** A rule as the one permission AuthorizeSecurityGroupIngress/Egress takes to add it back. */
function permissionOf(rule: RecordedRule): IpPermission {
  const described = rule.Description ? { Description: rule.Description } : {};
  // FromPort and ToPort are -1 for all traffic, and given for the other protocols (ICMP type and code too).
  const ports = rule.IpProtocol === '-1' ? {} : { FromPort: rule.FromPort, ToPort: rule.ToPort };
  const base = { IpProtocol: rule.IpProtocol, ...ports };
  if (rule.CidrIpv4) return { ...base, IpRanges: [{ CidrIp: rule.CidrIpv4, ...described }] };
  if (rule.CidrIpv6) return { ...base, Ipv6Ranges: [{ CidrIpv6: rule.CidrIpv6, ...described }] };
  if (rule.PrefixListId)
    return { ...base, PrefixListIds: [{ PrefixListId: rule.PrefixListId, ...described }] };
  const referenced = rule.ReferencedGroupInfo;
  if (referenced)
    return {
      ...base,
      UserIdGroupPairs: [
        {
          GroupId: referenced.GroupId,
          ...(referenced.UserId && { UserId: referenced.UserId }),
          ...described,
        },
      ],
    };
  throw new UnreadableTrailError(
    `revoked rule ${rule.SecurityGroupRuleId ?? '?'} names no source or destination`,
  );
}

/**
 * close-default-security-group: authorize again exactly the inbound and outbound rules it
 * revoked, as the record before the revocation lists them (each gets a new `sgr-` id).
 */
export function reverseCloseDefaultSecurityGroup(trail: ExecutionTrail): Reversal {
  const { finding } = trail;
  if (finding.resource.kind !== 'SecurityGroup')
    throw new UnreadableTrailError(`the finding names a ${finding.resource.kind}, not a SecurityGroup`);
  const { groupId } = finding.resource;
  const record = trail.succeeded.findLast((r) => r.action === 'RevokeSecurityGroupRules');
  if (!record) return { actions: [], notes: [] };
  let json: unknown;
  try {
    json = JSON.parse(record.before ?? 'null');
  } catch (error) {
    throw new UnreadableTrailError("the RevokeSecurityGroupRules record's before is not JSON", {
      cause: error,
    });
  }
  const parsed = RevokedRulesSchema.safeParse(json);
  if (!parsed.success)
    throw new UnreadableTrailError(
      `the RevokeSecurityGroupRules record's before is not the group's rules: ${parsed.error.message}`,
    );
  const rules = parsed.data.SecurityGroupRules ?? [];
  const inbound = rules.filter((rule) => !rule.IsEgress);
  const outbound = rules.filter((rule) => rule.IsEgress);
  const actions: UndoAction[] = [];
  if (inbound.length > 0)
    actions.push(undoActions.authorizeIngress(groupId, inbound.map(permissionOf), inbound));
  if (outbound.length > 0)
    actions.push(undoActions.authorizeEgress(groupId, outbound.map(permissionOf), outbound));
  return {
    actions,
    notes:
      actions.length > 0
        ? [
            `This lets traffic through VPC default security group ${groupId} again: the risk Security Hub EC2.2 reports comes back. The re-added rules get new sgr- ids.`,
          ]
        : [],
  };
}
