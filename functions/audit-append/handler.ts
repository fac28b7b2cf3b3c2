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
import { AppendAnyRequestSchema, type AppendRequest, recordsToAppend } from './request.ts';

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
 * A batch appends its records in order, one after the other, each as a single request would: a
 * retried batch finds the records it already appended and appends only the rest. A batch record
 * listed with `appended: false` (a phase the run skipped) is dropped before anything is chained.
 * Bad input is a typed error, so the step fails into the playbook's needs-human path.
 */
async function auditAppend(event: unknown): Promise<{ seq: number; hash: string }> {
  const request = AppendAnyRequestSchema.parse(event);
  const requests = 'records' in request ? recordsToAppend(request).map((record) => ({ record })) : [request];
  let last: { seq: number; hash: string } | undefined;
  for (const one of requests) last = await appendOne(one);
  return last as { seq: number; hash: string };
}

async function appendOne(request: AppendRequest): Promise<{ seq: number; hash: string }> {
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
