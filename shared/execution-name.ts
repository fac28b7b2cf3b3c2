import { createHash } from 'node:crypto';
import { resourceKey } from './audit/resource-key.ts';
import type { Finding } from './findings/finding.ts';

/**
 * The deterministic Step Functions execution name of a remediation: the same finding, in the
 * same account, handled by the same playbook on the same resource, always gets the same name.
 * Step Functions refuses a second execution with a name already used (ExecutionAlreadyExists),
 * which is what makes a re-published GuardDuty finding (same id, higher count) contain once.
 * The name is built from the finding's own id and account, never from the delivery path.
 * Names are at most 80 characters of [A-Za-z0-9-_].
 */
export function executionName(finding: Finding, playbook: string): string {
  const digest = createHash('sha256')
    .update(
      [finding.accountId, finding.id, playbook, resourceKey(finding.accountId, finding.resource)].join('\n'),
    )
    .digest('hex')
    .slice(0, 40);
  return `${playbook.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 39)}-${digest}`;
}
