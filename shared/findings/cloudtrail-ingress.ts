import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { InvalidFindingError } from '#shared/errors.ts';
import { worldOpenCover, worldOpenRules } from '#shared/network/world-open.ts';
import type { Assessment, CloudTrailEvent } from './cloudtrail.ts';
import { type IngressRule, type Resource, SECURITY_GROUP_ID } from './finding.ts';

/**
 * Ports whose exposure to the whole internet is High: remote shells and desktops, file
 * sharing, databases, caches and the Docker daemon. Any other world-open port is Medium.
 */
export const SENSITIVE_PORTS: readonly number[] = [
  20, 21, 22, 23, 135, 445, 1433, 1521, 2375, 3306, 3389, 5432, 5900, 6379, 9200, 11211, 27017,
];

/** Severity scores of an AuthorizeSecurityGroupIngress call, by what it opened. */
export const INGRESS_SEVERITY = { worldOpenSensitivePort: 8, worldOpenOtherPort: 5, narrower: 2 } as const;

/** EC2 records lists the way its XML API does: `{ "items": [...] }`, or `{}` when empty. */
const itemsOf = <T extends z.ZodMiniType>(item: T) =>
  z.nullish(z.looseObject({ items: z.optional(z.array(item)) }));
const Ports = {
  ipProtocol: z.string(),
  fromPort: z.optional(z.number().check(z.int())),
  toPort: z.optional(z.number().check(z.int())),
};
/**
 * The parts of an AuthorizeSecurityGroupIngress record that say what was added. The event was
 * validated whole already (CloudTrailEventSchema): the two outer levels only root the issue paths
 * at the event, so they drop what they do not name rather than copy the event a second time.
 */
const IngressCallSchema = z.object({
  detail: z.object({
    requestParameters: z.looseObject({
      groupId: z.optional(z.string()),
      // Older records (the EC2-Classic-era request form) name one rule at the top level.
      ...Ports,
      ipProtocol: z.optional(z.string()),
      cidrIp: z.optional(z.string()),
      ipPermissions: itemsOf(
        z.looseObject({
          ...Ports,
          ipRanges: itemsOf(z.looseObject({ cidrIp: z.string() })),
          ipv6Ranges: itemsOf(z.looseObject({ cidrIpv6: z.string() })),
        }),
      ),
    }),
    responseElements: z.nullish(
      z.looseObject({
        securityGroupRuleSet: itemsOf(
          z.looseObject({
            ...Ports,
            securityGroupRuleId: z.optional(z.string()),
            groupId: z.optional(z.string()),
            isEgress: z.optional(z.boolean()),
            cidrIpv4: z.optional(z.string()),
            cidrIpv6: z.optional(z.string()),
          }),
        ),
      }),
    ),
  }),
});

/** True when the rule alone admits the whole IPv4 or IPv6 internet (any block of prefix length 0). */
export function isWorldOpen(rule: IngressRule): boolean {
  return worldOpenCover([rule]).length > 0;
}

/** True when the rule's protocol and port range cover one of {@link SENSITIVE_PORTS}. */
export function exposesSensitivePort(rule: IngressRule): boolean {
  const protocol = rule.protocol.toLowerCase();
  // -1 is "all protocols, all ports"; 6 and 17 are TCP and UDP by number.
  if (protocol === '-1' || protocol === 'all') return true;
  if (!['tcp', 'udp', '6', '17'].includes(protocol)) return false;
  const from = rule.fromPort ?? 0;
  const to = rule.toPort ?? 65535;
  return SENSITIVE_PORTS.some((port) => port >= from && port <= to);
}

/**
 * The rules a call added. EC2 reports each added rule, with its `sgr-` id, in
 * `responseElements.securityGroupRuleSet`, which is what a revoke by rule id needs; older
 * records only have the request, expanded here to one rule per CIDR.
 */
function addedIngressRules(event: CloudTrailEvent): { groupId?: string; rules: IngressRule[] } {
  const { requestParameters: request, responseElements: response } = IngressCallSchema.parse(event).detail;
  const reported = (response?.securityGroupRuleSet?.items ?? []).filter((item) => item.isEgress !== true);
  if (reported.length > 0) {
    const rules = reported.map((item) => ({
      ruleId: item.securityGroupRuleId,
      protocol: item.ipProtocol,
      fromPort: item.fromPort,
      toPort: item.toPort,
      cidrIpv4: item.cidrIpv4,
      cidrIpv6: item.cidrIpv6,
    }));
    return { groupId: request.groupId ?? reported[0]?.groupId, rules };
  }
  const rules: IngressRule[] = (request.ipPermissions?.items ?? []).flatMap((permission) => {
    const { ipProtocol: protocol, fromPort, toPort } = permission;
    const base = { protocol, fromPort, toPort };
    const v4 = (permission.ipRanges?.items ?? []).map((range) => ({ ...base, cidrIpv4: range.cidrIp }));
    const v6 = (permission.ipv6Ranges?.items ?? []).map((range) => ({ ...base, cidrIpv6: range.cidrIpv6 }));
    // A rule naming another group or a prefix list has no CIDR but is still an added rule.
    return v4.length + v6.length > 0 ? [...v4, ...v6] : [base];
  });
  if (request.cidrIp !== undefined && request.ipProtocol !== undefined)
    rules.push({
      protocol: request.ipProtocol,
      fromPort: request.fromPort,
      toPort: request.toPort,
      cidrIpv4: request.cidrIp,
    });
  return { groupId: request.groupId, rules };
}

function describePorts(rule: IngressRule): string {
  if (rule.protocol === '-1') return 'all traffic';
  const ports = rule.fromPort === rule.toPort ? `${rule.fromPort}` : `${rule.fromPort}-${rule.toPort}`;
  return `${ports}/${rule.protocol}`;
}

/**
 * Severity by the worst the added rules open, alone or together (`0.0.0.0/1` + `128.0.0.0/1` on
 * one port is world-open): world-open on a sensitive port is High, world-open on any other port
 * Medium, anything narrower Low. Every added rule is kept on the resource; the drift playbook
 * revokes only the world-open ones (shared/network/world-open.ts).
 */
export function assessIngress(event: CloudTrailEvent): Assessment {
  const { groupId, rules } = addedIngressRules(event);
  return assessRules(event.detail.eventName, groupId, rules, 'detail.requestParameters.groupId');
}

/**
 * The finding of a call that added or changed `rules` of `groupId`, scored by the worst they open
 * (also used for ModifySecurityGroupRules, shared/findings/cloudtrail-modify-rules.ts).
 */
export function assessRules(
  call: string,
  groupId: string | undefined,
  rules: IngressRule[],
  groupIdPath: string,
): Assessment {
  if (!groupId || !SECURITY_GROUP_ID.test(groupId))
    throw new InvalidFindingError(`${call} names no usable security group id ("${groupId ?? ''}")`, [
      `${groupIdPath}: missing or not an sg- id`,
    ]);
  const resource: Resource = { kind: 'SecurityGroup', groupId, addedRules: rules };
  const worst =
    worldOpenRules(rules, [...SENSITIVE_PORTS, -1]).find(exposesSensitivePort) ?? worldOpenRules(rules)[0];
  if (!worst)
    return {
      resource,
      score: INGRESS_SEVERITY.narrower,
      title:
        call === 'AuthorizeSecurityGroupIngress'
          ? `Ingress added to security group ${groupId}`
          : `Rules changed in security group ${groupId}`,
    };
  return {
    resource,
    score: exposesSensitivePort(worst)
      ? INGRESS_SEVERITY.worldOpenSensitivePort
      : INGRESS_SEVERITY.worldOpenOtherPort,
    title: `Security group ${groupId} opened to the internet on ${describePorts(worst)}`,
  };
}
