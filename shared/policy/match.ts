import type { Finding, Resource, SeverityLabel } from '#shared/findings/finding.ts';
import { type FindingPrincipal, matchingPrincipal } from './principals.ts';
import type { FindingSelector, SeverityThreshold } from './selector.ts';
import { firstMatchingPattern, matchesWildcard } from './wildcard.ts';

/** Lower bound of each GuardDuty severity band: `minSeverity: Medium` means a score of 4.0 or more. */
const BAND_FLOOR: Record<SeverityLabel, number> = {
  Informational: 0,
  Low: 1,
  Medium: 4,
  High: 7,
  Critical: 9,
};

/** The score a `minSeverity` stands for. */
export function thresholdScore(threshold: SeverityThreshold): number {
  return typeof threshold === 'number' ? threshold : BAND_FLOOR[threshold];
}

/** The identifiers an exemption's `resourceIds` may name, per resource kind. */
export function resourceIdsOf(resource: Resource): string[] {
  switch (resource.kind) {
    case 'AccessKey':
      return [resource.accessKeyId];
    case 'Instance':
      return [resource.instanceId];
    case 'SecurityGroup':
      return [resource.groupId];
    case 'Trail':
      return resource.trailArn ? [resource.trailName, resource.trailArn] : [resource.trailName];
    case 'Bucket':
      return [resource.bucketName];
    case 'KmsKey':
      return resource.keyArn ? [resource.keyId, resource.keyArn] : [resource.keyId];
    case 'LambdaFunction':
      return [resource.functionName, resource.functionArn];
    case 'EcsTask':
      return [resource.taskArn];
    case 'Other':
      return [resource.id];
    case 'Account':
      return [];
  }
}

/**
 * True when every criterion `selector` sets holds for `finding` (an empty selector matches all).
 * `principals`: the finding's, when the caller has them already (one evaluation checks the same
 * finding against every rule, so it derives them once).
 */
export function matchesSelector(
  finding: Finding,
  selector: FindingSelector,
  principals?: readonly FindingPrincipal[],
): boolean {
  if (selector.source && !selector.source.includes(finding.source)) return false;
  if (selector.type && !firstMatchingPattern(finding.type, selector.type)) return false;
  if (selector.controls && (finding.control === undefined || !selector.controls.includes(finding.control)))
    return false;
  if (selector.resource && !selector.resource.includes(finding.resource.kind)) return false;
  if (
    selector.reportedAs &&
    !firstMatchingPattern(finding.reportedAs ?? finding.resource.kind, selector.reportedAs)
  )
    return false;
  if (selector.accounts && !selector.accounts.includes(finding.accountId)) return false;
  if (selector.regions && !firstMatchingPattern(finding.region, selector.regions)) return false;
  if (selector.tags) {
    for (const [key, pattern] of Object.entries(selector.tags)) {
      const value = finding.resourceTags[key];
      if (value === undefined || !matchesWildcard(value, pattern)) return false;
    }
  }
  if (selector.principals) {
    // As IAM names principals: names case-insensitively, paths only where written (principal-pattern.ts).
    if (!matchingPrincipal(finding, selector.principals, principals)) return false;
  }
  return true;
}

/** True when one of the finding's resource identifiers matches one of `patterns`. */
export function matchesResourceIds(finding: Finding, patterns: readonly string[]): boolean {
  return resourceIdsOf(finding.resource).some((id) => firstMatchingPattern(id, patterns));
}
