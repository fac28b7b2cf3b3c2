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
import { clientConfig } from '#shared/aws-clients.ts';
import { ConfigurationError } from '#shared/errors.ts';
import { METRIC_NAMESPACE } from '#shared/metrics/names.ts';
import { emitRecordMetrics } from '#shared/metrics/record-metrics.ts';
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
const dynamodb = new DynamoDBClient(clientConfig());

const deps = {
  dynamodb,
  sns: new SNSClient(clientConfig()),
  audit: new AuditWriter(new LambdaClient(clientConfig()), appenderFromEnv(), (r) =>
    emitRecordMetrics(metrics, r),
  ),
  keys: cachedApprovalKeys(config.APPROVAL_SECRET_ARN),
  approvalsTable: config.APPROVALS_TABLE,
  topicArn: config.TOPIC_ARN,
  escalationTopicArn: config.ESCALATION_TOPIC_ARN,
  pageUrl: config.APPROVAL_PAGE_URL,
};

/**
 * The approval gate's `waitForTaskToken` target: record the request, audit, notify, return.
 * The event carries the task token, so it is never logged.
 */
async function approvalRequest(event: unknown): Promise<{ approvalId: string; expiresAt: string }> {
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
