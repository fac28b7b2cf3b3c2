import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import middy from '@middy/core';
import { appendChained } from '#shared/audit/chain.ts';
import { KmsRecordMac } from '#shared/audit/record-mac.ts';
import { chainTablesFromEnv } from '#shared/audit/writer.ts';
import { clientConfig, onFirstUse } from '#shared/aws-clients.ts';
import { METRIC_NAMESPACE } from '#shared/metrics/names.ts';
import { emitRecordMetrics } from '#shared/metrics/record-metrics.ts';
import { AppendRequestSchema } from './request.ts';

const logger = new Logger({ serviceName: 'audit-append' });
const metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: 'audit-append' });
const tables = chainTablesFromEnv();
const dynamodb = onFirstUse(() => new DynamoDBClient(clientConfig()));
const mac = new KmsRecordMac(
  onFirstUse(() => new KMSClient(clientConfig())),
  tables.macKeyId,
);

/**
 * The trail's one writer: every playbook's audit steps and every function that audits call it.
 * It links the record into its finding's hash chain, MACs it with the trail's KMS key, and
 * appends it. A record whose key is already in the trail (a retried step) is returned as it is.
 * Bad input is a typed error, so the step fails into the playbook's needs-human path.
 */
async function auditAppend(event: unknown): Promise<{ seq: number; hash: string }> {
  const request = AppendRequestSchema.parse(event);
  const chained = await appendChained(dynamodb, tables, request.record, mac);
  if (request.metrics !== false) {
    emitRecordMetrics(metrics, chained, {
      findingTime: request.findingTime,
      containment: request.containment,
    });
  }
  logger.info('appended', {
    pk: chained.pk,
    seq: chained.seq,
    action: chained.action,
    outcome: chained.outcome,
  });
  return { seq: chained.seq, hash: chained.hash };
}

export const handler = middy(auditAppend).use(injectLambdaContext(logger, { clearState: true }));
