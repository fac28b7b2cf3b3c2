import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import type { IngressRule } from '#shared/findings/finding.ts';
import { protocolOf, worldOpenRules } from './world-open.ts';

/**
 * The ports that may stay open to the whole internet, per protocol: Security Hub EC2.18's
 * `authorizedTcpPorts` and `authorizedUdpPorts` (AWS Config rule
 * vpc-sg-open-only-to-authorized-ports). Security Hub's defaults are TCP 80 and 443 and no UDP
 * port. https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-18
 * https://docs.aws.amazon.com/config/latest/developerguide/vpc-sg-open-only-to-authorized-ports.html
 */
export interface AuthorizedPorts {
  readonly tcp: readonly number[];
  readonly udp: readonly number[];
}

const PortListSchema = z.array(z.number().check(z.int(), z.gte(0), z.lte(65535)));

/** A policy rule's `params` naming authorized ports (either list makes the rule an EC2.18 one). */
export const AuthorizedPortsParamsSchema = z.looseObject({
  authorizedTcpPorts: z.optional(PortListSchema),
  authorizedUdpPorts: z.optional(PortListSchema),
});

/** The authorized ports a rule's params name, or undefined when they name none (ports are then a list to revoke). */
export function authorizedPortsOf(
  params: z.infer<typeof AuthorizedPortsParamsSchema> | null | undefined,
): AuthorizedPorts | undefined {
  if (params?.authorizedTcpPorts === undefined && params?.authorizedUdpPorts === undefined) return undefined;
  return { tcp: params.authorizedTcpPorts ?? [], udp: params.authorizedUdpPorts ?? [] };
}

/**
 * One port of each stretch that is not authorized, for `rules` of one protocol: which rules admit a
 * port, and whether it is authorized, change only where a rule's range or an authorized port starts
 * or ends, so the first port of each stretch stands for the rest of it.
 */
function unauthorizedPortSamples(rules: readonly IngressRule[], authorized: readonly number[]): number[] {
  const edges = [0];
  for (const rule of rules) edges.push(rule.fromPort ?? 0, (rule.toPort ?? 65535) + 1);
  for (const port of authorized) edges.push(port, port + 1);
  const allowed = new Set(authorized);
  return [...new Set(edges)].filter((port) => port >= 0 && port <= 65535 && !allowed.has(port));
}

/**
 * Every rule that opens a port the control does not authorize to the whole internet, alone or with
 * others of the group: a TCP or UDP rule admitting any port outside the protocol's authorized list,
 * and an all-traffic rule (it admits every TCP and UDP port). A world-open rule admitting only
 * authorized ports stays; so do rules of other protocols (ICMP), which the control does not judge:
 * it checks that world-open groups "only allow inbound TCP or UDP connections on authorized ports".
 */
export function unauthorizedWorldOpenRules(
  rules: readonly IngressRule[],
  authorized: AuthorizedPorts,
): IngressRule[] {
  const of = (protocol: string) => rules.filter((rule) => protocolOf(rule.protocol) === protocol);
  const open = new Set([
    ...worldOpenRules(of('-1'), [-1]),
    ...worldOpenRules(of('tcp'), unauthorizedPortSamples(of('tcp'), authorized.tcp)),
    ...worldOpenRules(of('udp'), unauthorizedPortSamples(of('udp'), authorized.udp)),
  ]);
  return rules.filter((rule) => open.has(rule));
}
