import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SNSClient } from '@aws-sdk/client-sns';
import middy from '@middy/core';
import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { cachedApprovalKeys } from '#shared/approvals/secret-value.ts';
import { AuditWriter, appenderFromEnv } from '#shared/audit/writer.ts';
import { clientConfig, onFirstUse } from '#shared/aws-clients.ts';
import { ConfigurationError } from '#shared/errors.ts';
import { METRIC_NAMESPACE } from '#shared/metrics/names.ts';
import { emitRecordMetrics } from '#shared/metrics/record-metrics.ts';
import { approvalReader, checkDecision, DecisionCheckEventSchema, type RecordedDecision } from './check.ts';
import { ApprovalRequestEventSchema, requestApproval } from './request.ts';

const logger = new Logger({ serviceName: 'approval-request' });
const metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: 'approval-request' });
const env = z
  .object({
    APPROVALS_TABLE: z.string().check(z.minLength(1)),
    AUDIT_TABLE: z.string().check(z.minLength(1)),
    TOPIC_ARN: z.string().check(z.minLength(1)),
    ESCALATION_TOPIC_ARN: z.string().check(z.minLength(1)),
    APPROVAL_SECRET_ARN: z.string().check(z.minLength(1)),
    APPROVAL_PAGE_URL: z.string().check(z.url()),
  })
  .safeParse(process.env);
if (!env.success) throw new ConfigurationError(`approval-request is misconfigured: ${env.error.message}`);
const config = env.data;
const dynamodb = onFirstUse(() => new DynamoDBClient(clientConfig()));

const deps = {
  dynamodb,
  sns: onFirstUse(() => new SNSClient(clientConfig())),
  audit: new AuditWriter(
    onFirstUse(() => new LambdaClient(clientConfig())),
    appenderFromEnv(),
    (r) => emitRecordMetrics(metrics, r),
  ),
  keys: cachedApprovalKeys(config.APPROVAL_SECRET_ARN),
  approvalsTable: config.APPROVALS_TABLE,
  topicArn: config.TOPIC_ARN,
  escalationTopicArn: config.ESCALATION_TOPIC_ARN,
  pageUrl: config.APPROVAL_PAGE_URL,
};
const readApproval = approvalReader(dynamodb, config.APPROVALS_TABLE);

/**
 * The approval gate's two calls. With a task token (`waitForTaskToken`): record the request,
 * audit, notify, return; the event carries the token, so it is never logged. With `check`, after
 * the wait was answered: return the decision the decision function recorded for that wait, or
 * fail with `ApprovalNotRecordedError`.
 */
async function approvalRequest(
  event: unknown,
): Promise<{ approvalId: string; expiresAt: string } | RecordedDecision> {
  if (typeof event === 'object' && event !== null && 'check' in event) {
    const check = DecisionCheckEventSchema.parse(event);
    try {
      const decision = await checkDecision(check, readApproval);
      logger.info('decision checked', { ...decision, gate: check.gate });
      return decision;
    } catch (error) {
      logger.warn('decision refused', {
        check: check.check,
        gate: check.gate,
        problem: (error as Error).message,
      });
      throw error;
    }
  }
  const request = ApprovalRequestEventSchema.parse(event);
  const out = await requestApproval(request, deps);
  logger.info('approval requested', {
    ...out,
    escalation: request.escalation,
    findingId: request.finding.id,
  });
  return out;
}

export const handler = middy(approvalRequest).use(injectLambdaContext(logger, { clearState: true }));
