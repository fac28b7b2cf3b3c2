import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SFNClient } from '@aws-sdk/client-sfn';
import middy from '@middy/core';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { cachedApprovalKeys } from '#shared/approvals/secret-value.ts';
import { AuditWriter, appenderFromEnv } from '#shared/audit/writer.ts';
import { clientConfig, onFirstUse } from '#shared/aws-clients.ts';
import { ConfigurationError } from '#shared/errors.ts';
import { CliRequestSchema, type CliResponse, serveCli } from './cli-actions.ts';
import { type PageResponse, servePage } from './page.ts';
import { ApprovalStore } from './store.ts';

const logger = new Logger({ serviceName: 'approval-decision' });
const env = z
  .object({
    APPROVALS_TABLE: z.string().check(z.minLength(1)),
    AUDIT_TABLE: z.string().check(z.minLength(1)),
    APPROVAL_SECRET_ARN: z.string().check(z.minLength(1)),
    /** JSON array of IAM principal ARN wildcards (the policy's approvals.approvers). */
    APPROVERS: z._default(z.string(), '[]'),
  })
  .safeParse(process.env);
if (!env.success) throw new ConfigurationError(`approval-decision is misconfigured: ${env.error.message}`);
const config = env.data;
const dynamodb = onFirstUse(() => new DynamoDBClient(clientConfig()));
const deps = {
  store: new ApprovalStore(dynamodb, config.APPROVALS_TABLE, config.AUDIT_TABLE),
  sfn: onFirstUse(() => new SFNClient(clientConfig())),
  audit: new AuditWriter(
    onFirstUse(() => new LambdaClient(clientConfig())),
    appenderFromEnv(),
  ),
  keys: cachedApprovalKeys(config.APPROVAL_SECRET_ARN),
  approvers: z.array(z.string()).parse(JSON.parse(config.APPROVERS)),
  // Only set outside AWS (the sandbox); in AWS the identity proof must be addressed to STS itself.
  stsEndpoint: process.env.AWS_ENDPOINT_URL_STS ?? process.env.AWS_ENDPOINT_URL,
};

function isFunctionUrlEvent(event: unknown): event is LambdaFunctionURLEvent {
  return typeof (event as LambdaFunctionURLEvent | null)?.requestContext?.http?.method === 'string';
}

/**
 * The only code that answers approval task tokens: the approval page (function URL) and the
 * `remediate approvals` CLI (lambda:InvokeFunction). Query strings, forms and proofs are never
 * logged: they hold link signatures and signed requests.
 */
async function approvalDecision(event: unknown): Promise<PageResponse | CliResponse> {
  if (isFunctionUrlEvent(event)) {
    const result = await servePage(event, deps);
    logger.info('approval page', { method: event.requestContext.http.method, status: result.statusCode });
    return result;
  }
  const request = CliRequestSchema.parse(event);
  const response = await serveCli(request, deps);
  logger.info('approval cli', { action: request.action, ok: response.ok });
  return response;
}

export const handler = middy(approvalDecision).use(injectLambdaContext(logger, { clearState: true }));
