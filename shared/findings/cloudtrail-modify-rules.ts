import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { InvalidFindingError } from '#shared/errors.ts';
import type { Assessment, CloudTrailEvent } from './cloudtrail.ts';
import { assessRules } from './cloudtrail-ingress.ts';
import type { IngressRule } from './finding.ts';

/**
 * ModifySecurityGroupRules replaces existing rules of a group, each named by its `sgr-` id
 * (`SecurityGroupRules[].SecurityGroupRuleId`) with its new content (`SecurityGroupRule`:
 * protocol, ports, and a CIDR, prefix list or referenced group).
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifySecurityGroupRules.html
 *
 * CloudTrail records this newer EC2 API with the request wrapped in `ModifySecurityGroupRulesRequest`
 * and the API's own (PascalCase) member names, one rule as an object and several as a list:
 * `requestParameters.ModifySecurityGroupRulesRequest.{GroupId, SecurityGroupRule: {SecurityGroupRuleId,
 * SecurityGroupRule: {IpProtocol, FromPort, ToPort, CidrIpv4, ...}}}`. Each changed rule becomes an
 * added rule of the finding, with its id, so revoke-open-ingress revokes that rule only, and only
 * when its new content opens it to the whole internet on a revoked port. The record does not say
 * whether a rule is ingress or egress: the playbook reads the group and acts on ingress rules only.
 */

const RuleContent = z.looseObject({
  IpProtocol: z.string(),
  FromPort: z.optional(z.coerce.number().check(z.int())),
  ToPort: z.optional(z.coerce.number().check(z.int())),
  CidrIpv4: z.optional(z.string()),
  CidrIpv6: z.optional(z.string()),
});
const RuleUpdate = z.looseObject({
  SecurityGroupRuleId: z.string().check(z.regex(/^sgr-[0-9a-f]{8,17}$/)),
  SecurityGroupRule: RuleContent,
});
const ModifyCallSchema = z.looseObject({
  ModifySecurityGroupRulesRequest: z.looseObject({
    GroupId: z.optional(z.string()),
    SecurityGroupRule: z.array(RuleUpdate).check(z.minLength(1)),
  }),
});

/** One rule is recorded as an object, several as a list: read both as a list, so issues name the field. */
function asList(request: Record<string, unknown>): Record<string, unknown> {
  const wrapped = request.ModifySecurityGroupRulesRequest;
  if (!wrapped || typeof wrapped !== 'object') return request;
  const rules = (wrapped as Record<string, unknown>).SecurityGroupRule;
  return {
    ...request,
    ModifySecurityGroupRulesRequest: {
      ...wrapped,
      SecurityGroupRule: rules === undefined || Array.isArray(rules) ? rules : [rules],
    },
  };
}

/** The rules a ModifySecurityGroupRules call changed, as they are after it. */
export function assessModifyRules(event: CloudTrailEvent): Assessment {
  const parsed = ModifyCallSchema.safeParse(asList(event.detail.requestParameters ?? {}));
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (issue) => `detail.requestParameters.${issue.path.join('.')}: ${issue.message}`,
    );
    throw new InvalidFindingError(`ModifySecurityGroupRules names no usable rule: ${issues[0]}`, issues);
  }
  const request = parsed.data.ModifySecurityGroupRulesRequest;
  const rules: IngressRule[] = [request.SecurityGroupRule]
    .flat()
    .map(({ SecurityGroupRuleId, SecurityGroupRule: rule }) => ({
      ruleId: SecurityGroupRuleId,
      protocol: rule.IpProtocol,
      fromPort: rule.FromPort,
      toPort: rule.ToPort,
      cidrIpv4: rule.CidrIpv4,
      cidrIpv6: rule.CidrIpv6,
    }));
  return assessRules(
    'ModifySecurityGroupRules',
    request.GroupId,
    rules,
    'detail.requestParameters.ModifySecurityGroupRulesRequest.GroupId',
  );
}
