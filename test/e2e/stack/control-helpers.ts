import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { STSClient } from '@aws-sdk/client-sts';
import { expect } from 'vitest';
import type { ApprovalsClient } from '#cli/approvals/client.ts';
import { SANDBOX_CREDENTIALS } from '#sandbox/aws-sdk-clients.ts';
import { findingKey } from '#shared/audit/record.ts';
import { resourceKey } from '#shared/audit/resource-key.ts';
import { normalizeEvent } from '#shared/findings/normalize.ts';
import { approvalNotice, waitFor } from './approval-helpers.ts';
import type { StackHarness } from './harness.ts';
import { approveUndo } from './undo-helpers.ts';

const ACCOUNT = '111122223333';
const UPDATED_AT = '2026-11-22T12:06:02.311Z';

/**
 * Security Hub's consolidated control finding, FAILED, about one resource of the sandbox account.
 * `id` is the finding id the audit trail keys it by (the ASFF Id and its UpdatedAt).
 */
export function controlFinding(
  control: string,
  resource: { type: string; id: string },
  title: string,
  suffix: string,
) {
  const asffId = `arn:aws:securityhub:us-east-1:${ACCOUNT}:security-control/${control}/finding/0f1e2d3c-4b5a-4697-8877-${suffix}`;
  const event = {
    source: 'aws.securityhub',
    'detail-type': 'Security Hub Findings - Imported',
    detail: {
      findings: [
        {
          Id: asffId,
          ProductArn: 'arn:aws:securityhub:us-east-1::product/aws/securityhub',
          GeneratorId: `security-control/${control}`,
          AwsAccountId: ACCOUNT,
          Types: ['Software and Configuration Checks/Industry and Regulatory Standards'],
          Title: title,
          Region: 'us-east-1',
          CreatedAt: UPDATED_AT,
          UpdatedAt: UPDATED_AT,
          Severity: { Label: 'HIGH' },
          Resources: [{ Type: resource.type, Id: resource.id, Region: 'us-east-1' }],
          Compliance: { Status: 'FAILED', SecurityControlId: control },
          RecordState: 'ACTIVE',
          Workflow: { Status: 'NEW' },
        },
      ],
    },
  };
  return { event, id: `${asffId}/${UPDATED_AT}` };
}

/** The finding's trail as (action, outcome) pairs. */
export const steps = async (h: StackHarness, findingId: string) =>
  (await h.history(findingId)).map((r) => [r.action, r.outcome]);

/** Put the finding, wait for its approval request, approve it and wait until the playbook ended. */
export async function putAndApprove(
  h: StackHarness,
  oncall: ApprovalsClient,
  finding: ReturnType<typeof controlFinding>,
): Promise<void> {
  await h.put(finding.event);
  const notice = await waitFor('the approval request', () => approvalNotice(h, finding.id));
  await oncall.decide(notice.approvalId, 'approve', 'reviewed');
  // It ends contained, or with the resource found already as the playbook leaves it (skipped).
  await waitFor('the playbook to finish', async () =>
    (await steps(h, finding.id)).some(([action, outcome]) => action === 'Complete' || outcome === 'skipped')
      ? true
      : undefined,
  );
}

/** `remediate undo` of the finding's playbook run, approved by on-call; resolves once the undo ended. */
export async function undoApproved(h: StackHarness, oncall: ApprovalsClient, findingId: string) {
  const sts = new STSClient({
    endpoint: h.sandbox.endpoint,
    region: 'us-east-1',
    credentials: SANDBOX_CREDENTIALS,
  });
  try {
    const { ended } = await approveUndo(h, { oncall, sts }, findingId, { reason: 'test' });
    expect(ended.status).toBe('SUCCEEDED');
  } finally {
    sts.destroy();
  }
}

/**
 * Start the playbook's state machine directly in `mode` with the finding's event normalized, as
 * classify would (the default policy names one mode per control; dry-run is chosen per rule).
 */
export async function startIn(
  h: StackHarness,
  playbook: string,
  mode: 'dry-run' | 'auto' | 'approve',
  event: { source: string; 'detail-type': string; detail: unknown },
): Promise<string> {
  const normalized = normalizeEvent(event);
  const finding = normalized.ok ? normalized.findings[0] : undefined;
  if (!finding) throw new Error('the event no longer normalizes');
  const suffix = playbook.replaceAll('-', '').toLowerCase();
  const stateMachineArn = Object.entries(h.sandbox.deployment?.outputs ?? {}).find(
    ([key]) => key.toLowerCase() === `statemachine${suffix}`,
  )?.[1] as string;
  const started = await h.sandbox.clients.sfn.send(
    new StartExecutionCommand({
      stateMachineArn,
      input: JSON.stringify({
        finding,
        decision: { playbook, mode, ruleId: 'test', reason: 'test' },
        audit: { pk: findingKey(finding.id), resourceKey: resourceKey(finding.accountId, finding.resource) },
        target: { accountId: finding.accountId, region: finding.region },
      }),
    }),
  );
  return started.executionArn as string;
}
