import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import { AuditWriter } from '#shared/audit/writer.ts';
import { clientConfig } from '#shared/aws-clients.ts';
import { loadConfig } from './config.ts';
import { type RouteOutcome, routeEvent } from './route.ts';

const logger = new Logger({ serviceName: 'classify' });
const metrics = new Metrics({ namespace: 'AutoRemediation', serviceName: 'classify' });
const config = loadConfig();
const dynamodb = new DynamoDBClient(clientConfig());
const deps = {
  ...config,
  audit: new AuditWriter(dynamodb, config.auditTable),
  dynamodb,
  sfn: new SFNClient(clientConfig()),
  sns: new SNSClient(clientConfig()),
  sqs: new SQSClient(clientConfig()),
};

/** EventBridge target: one event in, one audited outcome per finding out. */
async function classify(event: unknown): Promise<RouteOutcome[]> {
  const outcomes = await routeEvent(event, deps);
  for (const o of outcomes) {
    metrics.addMetric(`finding_${o.outcome}`, MetricUnit.Count, 1);
    logger.info('classified', { ...o });
  }
  return outcomes;
}

export const handler = middy(classify)
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(logMetrics(metrics));
