import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { ApprovalsClient } from '#cli/approvals/client.ts';
import { findingKey } from '#shared/audit/record.ts';
import { resourceKey } from '#shared/audit/resource-key.ts';
import { normalizeEvent } from '#shared/findings/normalize.ts';
import { approvalNotice, waitFor } from './approval-helpers.ts';
import type { StackHarness } from './harness.ts';

const ACCOUNT = '111122223333';
const UPDATED_AT = '2026-11-22T12:06:02.311Z';

/** What a Security Hub control finding names: the control, its title and the failing resource. */
export interface ControlFindingProps {
  readonly control: string;
  readonly title: string;
  /** The ASFF resource type, e.g. `AwsEc2Instance`. */
  readonly resourceType: string;
  /** The resource's ARN (or id, where ASFF names the resource by id). */
  readonly resourceId: string;
  /** Twelve hex digits that keep each test's finding apart. */
  readonly suffix: string;
  /** The ASFF severity label. @default 'MEDIUM' */
  readonly severity?: string;
}

/**
 * Security Hub's consolidated control finding, FAILED, about one resource of the sandbox account.
 * `id` is the finding id the audit trail keys it by (the ASFF Id and its UpdatedAt).
 */
export function controlFinding(props: ControlFindingProps) {
  const asffId = `arn:aws:securityhub:us-east-1:${ACCOUNT}:security-control/${props.control}/finding/1b2c3d4e-5f60-4718-a9b0-${props.suffix}`;
  const event = {
    source: 'aws.securityhub',
    'detail-type': 'Security Hub Findings - Imported',
    detail: {
      findings: [
        {
          Id: asffId,
          ProductArn: 'arn:aws:securityhub:us-east-1::product/aws/securityhub',
          GeneratorId: `security-control/${props.control}`,
          AwsAccountId: ACCOUNT,
          Types: ['Software and Configuration Checks/Industry and Regulatory Standards'],
          Title: props.title,
          Region: 'us-east-1',
          CreatedAt: UPDATED_AT,
          UpdatedAt: UPDATED_AT,
          Severity: { Label: props.severity ?? 'MEDIUM' },
          Resources: [{ Type: props.resourceType, Id: props.resourceId, Region: 'us-east-1' }],
          Compliance: { Status: 'FAILED', SecurityControlId: props.control },
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

/**
 * Start `playbook` on the finding without the classifier, in `mode` (the default policy's mode
 * otherwise comes from its rule), with the input classify gives it; resolves with the execution's ARN.
 */
export async function startPlaybook(
  h: StackHarness,
  playbook: string,
  event: { source: string; 'detail-type': string; detail: unknown },
  mode: 'auto' | 'dry-run' | 'approve',
): Promise<string> {
  const normalized = normalizeEvent(event);
  const finding = normalized.ok ? normalized.findings[0] : undefined;
  if (!finding) throw new Error('the event no longer normalizes');
  const output = `StateMachine${playbook.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase())}`;
  const stateMachineArn = h.sandbox.deployment?.outputs[output];
  if (!stateMachineArn) throw new Error(`the stack has no output ${output}`);
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

/** The approval id of the latest message about `findingId` whose subject holds `subject`. */
export async function approvalIdFor(h: StackHarness, findingId: string, subject: string): Promise<string> {
  const notice = await waitFor(`the approval request (${subject})`, () =>
    h.sandbox.services.sns.published.findLast(
      (m) => m.message.includes(`Finding id: ${findingId}`) && (m.subject ?? '').includes(subject),
    ),
  );
  return /approval (apr-[0-9a-f]{16})/i.exec(notice.message)?.[1] as string;
}
