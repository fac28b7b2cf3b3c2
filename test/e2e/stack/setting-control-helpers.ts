import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { STSClient } from '@aws-sdk/client-sts';
import type { ApprovalsClient } from '#cli/approvals/client.ts';
import { findingKey } from '#shared/audit/record.ts';
import { resourceKey } from '#shared/audit/resource-key.ts';
import { normalizeEvent } from '#shared/findings/normalize.ts';
import { waitFor } from './approval-helpers.ts';
import type { StackHarness } from './harness.ts';
import { approveUndo } from './undo-helpers.ts';

/** What a Security Hub control finding names: the control, its title and the failing resource. */
export interface ControlFindingProps {
  readonly control: string;
  readonly title: string;
  readonly resourceType: string;
  readonly resourceId: string;
  /** Twelve hex digits that keep each test's finding apart. */
  readonly suffix: string;
}

/** Security Hub's FAILED finding of one control about one resource, and its finding id as recorded. */
export function controlFinding(props: ControlFindingProps) {
  const id = `arn:aws:securityhub:us-east-1:111122223333:security-control/${props.control}/finding/1b2c3d4e-5f60-4718-a9b0-${props.suffix}`;
  const event = {
    source: 'aws.securityhub',
    'detail-type': 'Security Hub Findings - Imported',
    detail: {
      findings: [
        {
          Id: id,
          ProductArn: 'arn:aws:securityhub:us-east-1::product/aws/securityhub',
          GeneratorId: `security-control/${props.control}`,
          AwsAccountId: '111122223333',
          Types: ['Software and Configuration Checks/Industry and Regulatory Standards'],
          Title: props.title,
          Region: 'us-east-1',
          CreatedAt: '2026-11-22T12:06:02.311Z',
          UpdatedAt: '2026-11-22T12:06:02.311Z',
          Severity: { Label: 'MEDIUM' },
          Resources: [{ Type: props.resourceType, Id: props.resourceId, Region: 'us-east-1' }],
          Compliance: { Status: 'FAILED', SecurityControlId: props.control },
          RecordState: 'ACTIVE',
          Workflow: { Status: 'NEW' },
        },
      ],
    },
  };
  return { event, id: `${id}/2026-11-22T12:06:02.311Z` };
}

/**
 * Start `playbook` on the finding without the classifier, in `mode` (the default policy's mode
 * otherwise comes from its rule); resolves with the execution's ARN.
 */
export async function startPlaybook(
  h: StackHarness,
  playbook: string,
  event: ReturnType<typeof controlFinding>['event'],
  mode: 'auto' | 'dry-run' | 'approve',
): Promise<string> {
  const normalized = normalizeEvent(event);
  const finding = normalized.ok ? normalized.findings[0] : undefined;
  if (!finding) throw new Error('the event no longer normalizes');
  const output = `StateMachine${playbook.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase())}`;
  const started = await h.sandbox.clients.sfn.send(
    new StartExecutionCommand({
      stateMachineArn: h.sandbox.deployment?.outputs[output] as string,
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

/** Run `remediate undo` on the execution and approve it as on-call; resolves with the undo's status. */
export async function undoApproved(
  h: StackHarness,
  clients: { sts: STSClient; oncall: ApprovalsClient },
  executionArn: string,
  findingId: string,
): Promise<string> {
  return (await approveUndo(h, clients, findingId, { executionArn, reason: 'test' })).ended.status as string;
}
