import { randomUUID } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import type { SandboxRequest, SandboxResponse } from '../protocol.ts';
import { queryParams } from '../query-protocol.ts';
import type { CallRecord } from '../server.ts';

/**
 * CloudTrail's event history of the sandbox: a record of each management call the sandbox served
 * that CloudTrail records with its request and response, in CloudTrail's record shape
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html),
 * for LookupEvents to answer from. Nothing is seeded: a record exists because the call was made.
 *
 * EC2's newer query actions are recorded with the request wrapped in `<Action>Request`, each
 * list item as `{tag, content}` (one item an object, several an array), and the response as its
 * XML answer in JSON (`<Action>Response` with `xmlns`, `requestId`, item sets as `{item}`), as in
 * this DeleteFlowLogs record from a real account:
 * `"requestParameters": {"DeleteFlowLogsRequest": {"FlowLogId": {"content": "fl-0e17aa62a21d4bbfe", "tag": 1}}}`,
 * `"responseElements": {"DeleteFlowLogsResponse": {"requestId": "…", "unsuccessful": "", "xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/"}}`
 * (Stratus Red Team's detonation log of aws.defense-evasion.vpc-remove-flow-logs,
 * https://stratus-red-team.cloud/attack-techniques/AWS/aws.defense-evasion.vpc-remove-flow-logs/).
 */

/** The calls recorded with their request and response, by signing name: the ones the sandbox's tests look up. */
const RECORDED: Readonly<Record<string, { eventSource: string; operations: ReadonlySet<string> }>> = {
  ec2: { eventSource: 'ec2.amazonaws.com', operations: new Set(['CreateFlowLogs', 'DeleteFlowLogs']) },
};

/** One recorded call: the record and what LookupEvents filters and answers on. */
export interface HistoryEvent {
  readonly accountId: string;
  readonly region: string;
  readonly time: Date;
  readonly record: Readonly<Record<string, unknown>>;
}

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', parseTagValue: false });

/** The management events of every account and Region, newest last. */
export class CloudTrailHistory {
  private readonly events: HistoryEvent[] = [];

  /** Every event of an account and Region, newest first (LookupEvents' order). */
  eventsOf(accountId: string, region: string): HistoryEvent[] {
    return this.events.filter((e) => e.accountId === accountId && e.region === region).reverse();
  }

  /** Record a served call, when CloudTrail records it with its request and response. */
  record(call: CallRecord, req: SandboxRequest, response: SandboxResponse): void {
    const recorded = RECORDED[call.service];
    if (!recorded?.operations.has(call.operation)) return;
    const time = new Date();
    const failed = call.status >= 400;
    const error = failed ? errorOf(response) : undefined;
    this.events.push({
      accountId: call.accountId,
      region: call.region,
      time,
      record: {
        eventVersion: '1.09',
        userIdentity: userIdentity(call, req),
        eventTime: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
        eventSource: recorded.eventSource,
        eventName: call.operation,
        awsRegion: call.region,
        sourceIPAddress: '127.0.0.1',
        userAgent: req.headers['user-agent'] ?? '',
        ...(error ? { errorCode: error.code, errorMessage: error.message } : {}),
        requestParameters: { [`${call.operation}Request`]: wrappedRequest(req) },
        responseElements: failed ? null : (xml.parse(String(response.body ?? '')) as Record<string, unknown>),
        requestID: req.requestId,
        eventID: randomUUID(),
        readOnly: false,
        eventType: 'AwsApiCall',
        managementEvent: true,
        recipientAccountId: call.accountId,
        eventCategory: 'Management',
      },
    });
  }
}

/** The query request's parameters as CloudTrail nests them (envelope and signature left out). */
function wrappedRequest(req: SandboxRequest): Record<string, unknown> {
  const tree: Record<string, unknown> = {};
  for (const [key, value] of queryParams(req)) {
    if (key === 'Action' || key === 'Version' || key.startsWith('X-Amz-')) continue;
    const segments = key.split('.');
    const last = segments.pop() as string;
    let node = tree;
    for (const segment of segments) {
      const inner = (node[segment] ?? {}) as Record<string, unknown>;
      node[segment] = inner;
      node = inner;
    }
    node[last] = value;
  }
  return listsAsItems(tree) as Record<string, unknown>;
}

/** `{1: a, 2: b}` as `[{tag: 1, content: a}, {tag: 2, content: b}]`, one item as the object alone. */
function listsAsItems(node: unknown): unknown {
  if (typeof node !== 'object' || node === null) return node;
  const entries = Object.entries(node as Record<string, unknown>);
  if (entries.length > 0 && entries.every(([key]) => /^\d+$/.test(key))) {
    const items = entries
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([tag, value]) => {
        const inner = listsAsItems(value);
        return typeof inner === 'object' && inner !== null
          ? { tag: Number(tag), ...(inner as object) }
          : { tag: Number(tag), content: inner };
      });
    return items.length === 1 ? items[0] : items;
  }
  return Object.fromEntries(entries.map(([key, value]) => [key, listsAsItems(value)]));
}

/** The caller as CloudTrail names it, from the signer the sandbox verified. */
function userIdentity(call: CallRecord, req: SandboxRequest): Record<string, unknown> {
  const arn = call.principalArn;
  const base = { accountId: call.accountId, ...(req.accessKeyId ? { accessKeyId: req.accessKeyId } : {}) };
  const session = arn ? /^arn:aws[\w-]*:sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/.exec(arn) : null;
  if (arn && session)
    return {
      type: 'AssumedRole',
      arn,
      ...base,
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          arn: `arn:aws:iam::${session[1]}:role/${session[2]}`,
          accountId: session[1],
          userName: session[2],
        },
      },
    };
  if (arn?.endsWith(':root')) return { type: 'Root', arn, ...base };
  if (arn) return { type: 'IAMUser', arn, ...base, userName: arn.slice(arn.lastIndexOf('/') + 1) };
  return { type: 'Unknown', ...base };
}

/** The code and message of a query-protocol error answer. */
function errorOf(response: SandboxResponse): { code: string; message: string } {
  const body = String(response.body ?? '');
  return {
    code: /<Code>([^<]*)<\/Code>/.exec(body)?.[1] ?? 'InternalFailure',
    message: /<Message>([^<]*)<\/Message>/.exec(body)?.[1] ?? '',
  };
}

/** The user name LookupEvents reports for a record: the session name, user name or `root`. */
export function usernameOf(record: Readonly<Record<string, unknown>>): string | undefined {
  const identity = record['userIdentity'] as { type?: string; arn?: string; userName?: string } | undefined;
  if (identity?.type === 'AssumedRole') return identity.arn?.slice(identity.arn.lastIndexOf('/') + 1);
  if (identity?.type === 'Root') return 'root';
  return identity?.userName;
}
