import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { marshall } from '@aws-sdk/util-dynamodb';
import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import type { ApprovalKeys } from '#shared/approvals/keys.ts';
import { linkUrl, signLink } from '#shared/approvals/link.ts';
import { type ApprovalRecord, ApprovalRecordSchema, approvalId } from '#shared/approvals/model.ts';
import { riskFromRead } from '#shared/approvals/risk.ts';
import { hashToken, sealToken } from '#shared/approvals/sealed-token.ts';
import type { AuditWriter } from '#shared/audit/writer.ts';
import { FindingSchema } from '#shared/findings/finding.ts';
import { approvalMessage, approvalSubject } from './message.ts';

/** What the approval gate hands the function (see statemachines/fragments/approval-gate.ts). */
export const ApprovalRequestEventSchema = z.object({
  token: z.string().check(z.minLength(1)),
  gate: z.string().check(z.minLength(1)),
  escalation: z.boolean(),
  execution: z.string().check(z.minLength(1)),
  stateMachine: z.string().check(z.minLength(1)),
  /**
   * Random per wait, chosen by the gate (`States.UUID()`), so the gate can tell afterwards that a
   * recorded decision is for this wait. Part of the signed link; not a secret on its own.
   */
  nonce: z.string().check(z.minLength(16)),
  finding: FindingSchema,
  decision: z.object({
    playbook: z.string(),
    mode: z.string(),
    ruleId: z.string(),
    /** Why classify routed the finding here: the rule and its description. */
    reason: z.optional(z.string()),
    approval: z.object({
      timeoutSeconds: z.number().check(z.int(), z.positive()),
      onTimeout: z.enum(['proceed', 'abandon']),
    }),
  }),
  audit: z.object({ pk: z.string(), resourceKey: z.string() }),
  proposedActions: z.array(z.string()).check(z.minLength(1)),
  ifDenied: z.string(),
  /** The question in words; built by the playbook from the finding (untrusted parts). */
  title: z.optional(z.string()),
  /** What approving puts at risk, as the playbook read it just before the gate. */
  risk: z.optional(z.unknown()),
});
export type ApprovalRequestEvent = z.infer<typeof ApprovalRequestEventSchema>;

/** What the request path needs; injected so tests can replace any part. */
export interface RequestDeps {
  dynamodb: Pick<DynamoDBClient, 'send'>;
  sns: Pick<SNSClient, 'send'>;
  audit: Pick<AuditWriter, 'append'>;
  keys: () => Promise<ApprovalKeys>;
  approvalsTable: string;
  topicArn: string;
  escalationTopicArn: string;
  pageUrl: string;
  now?: () => Date;
}

/** Keep decided requests this long after expiry before DynamoDB's TTL may delete them. */
const RETENTION_SECONDS = 90 * 86_400;

/**
 * Record an approval request (or its escalation), audit it and notify. The raw task token is
 * stored only sealed, next to its hash; the link carries the approval id, a nonce and a signature.
 */
export async function requestApproval(
  event: ApprovalRequestEvent,
  deps: RequestDeps,
): Promise<{ approvalId: string; expiresAt: string }> {
  const now = deps.now?.() ?? new Date();
  const keys = await deps.keys();
  const id = approvalId(event.execution, event.gate);
  const expires = new Date(now.getTime() + event.decision.approval.timeoutSeconds * 1000);
  const record: ApprovalRecord = ApprovalRecordSchema.parse({
    id,
    status: 'pending',
    findingId: event.finding.id,
    finding: JSON.stringify(event.finding),
    playbook: event.decision.playbook,
    ruleId: event.decision.ruleId,
    mode: event.decision.mode,
    auditPk: event.audit.pk,
    resourceKey: event.audit.resourceKey,
    executionArn: event.execution,
    stateMachineArn: event.stateMachine,
    gate: event.gate,
    title: event.title,
    why: event.decision.reason,
    risk: riskFromRead(event.risk),
    proposedActions: event.proposedActions,
    ifDenied: event.ifDenied,
    onTimeout: event.decision.approval.onTimeout,
    createdAt: now.toISOString(),
    expiresAt: expires.toISOString(),
    ttl: Math.floor(expires.getTime() / 1000) + RETENTION_SECONDS,
    tokenHash: hashToken(event.token),
    sealedToken: sealToken(keys.seal, event.token, id),
    nonce: event.nonce,
    escalated: event.escalation,
  });
  // A decided request is never reopened: the condition fails and the task fails to needs-human.
  await deps.dynamodb.send(
    new PutItemCommand({
      TableName: deps.approvalsTable,
      Item: marshall(record, { removeUndefinedValues: true }),
      ConditionExpression: 'attribute_not_exists(id) OR #status = :pending',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':pending': { S: 'pending' } },
    }),
  );
  const link = linkUrl(deps.pageUrl, signLink(keys, id, event.nonce, expires));
  await deps.audit.append({
    pk: event.audit.pk,
    resourceKey: event.audit.resourceKey,
    at: now.toISOString(),
    actor: `playbook/${event.decision.playbook}`,
    action: event.escalation ? 'EscalateApproval' : 'RequestApproval',
    outcome: event.escalation ? 'escalated' : 'approval-required',
    findingId: event.finding.id,
    playbook: event.decision.playbook,
    mode: event.decision.mode,
    executionArn: event.execution,
    details: JSON.stringify({
      approvalId: id,
      expiresAt: record.expiresAt,
      proposedActions: event.proposedActions,
    }),
  });
  await deps.sns.send(
    new PublishCommand({
      TopicArn: event.escalation ? deps.escalationTopicArn : deps.topicArn,
      Subject: approvalSubject(event),
      Message: approvalMessage(event, id, record.expiresAt, link, now),
    }),
  );
  return { approvalId: id, expiresAt: record.expiresAt };
}
