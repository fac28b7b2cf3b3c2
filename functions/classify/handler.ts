import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import { AuditWriter } from '#shared/audit/writer.ts';
import { clientConfig, onFirstUse } from '#shared/aws-clients.ts';
import { METRIC_NAMESPACE, MetricName } from '#shared/metrics/names.ts';
import { loadConfig } from './config.ts';
import { type RouteOutcome, routeEvent } from './route.ts';

const logger = new Logger({ serviceName: 'classify' });
const metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: 'classify' });
const config = loadConfig();
const dynamodb = onFirstUse(() => new DynamoDBClient(clientConfig()));
const deps = {
  ...config,
  audit: new AuditWriter(
    onFirstUse(() => new LambdaClient(clientConfig())),
    config.auditAppender,
  ),
  dynamodb,
  sfn: onFirstUse(() => new SFNClient(clientConfig())),
  sfnIn: regionalClient((region) => new SFNClient({ ...clientConfig(), region })),
  sns: onFirstUse(() => new SNSClient(clientConfig())),
  sqs: onFirstUse(() => new SQSClient(clientConfig())),
};

/** One client per region, made on first use. */
function regionalClient<T>(make: (region: string) => T): (region: string) => T {
  const clients = new Map<string, T>();
  return (region) => {
    let client = clients.get(region);
    if (!client) {
      client = make(region);
      clients.set(region, client);
    }
    return client;
  };
}

/** EventBridge target: one event in, one audited outcome per finding out. */
async function classify(event: unknown): Promise<RouteOutcome[]> {
  const outcomes = await routeEvent(event, deps);
  for (const o of outcomes) {
    // Each its own EMF document, so the dimensions are exactly these.
    const received = metrics.singleMetric();
    received.addDimension('Source', o.source ?? 'unparsed');
    received.addDimension('FindingType', o.findingType ?? 'unparsed');
    received.addMetric(MetricName.FindingsReceived, MetricUnit.Count, 1);
    const decided = metrics.singleMetric();
    decided.addDimension('Outcome', o.outcome);
    decided.addMetric(MetricName.ClassifierOutcome, MetricUnit.Count, 1);
    logger.info('classified', { ...o });
  }
  return outcomes;
}

/** A classifier failure: counted, then rethrown so the event goes to the dead-letter queue. */
async function classifyOrCount(event: unknown): Promise<RouteOutcome[]> {
  try {
    return await classify(event);
  } catch (error) {
    metrics.singleMetric().addMetric(MetricName.ClassifierErrors, MetricUnit.Count, 1);
    throw error;
  }
}

export const handler = middy(classifyOrCount).use(injectLambdaContext(logger, { clearState: true }));
