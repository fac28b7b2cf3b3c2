/**
 * What a CreateFlowLogs CloudTrail record says was created: the request's configuration and the
 * flow log ids of the response. LookupEvents answers each event's record as a JSON string,
 * `CloudTrailEvent` (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_Event.html).
 *
 * EC2 records CreateFlowLogs with the query request wrapped in `CreateFlowLogsRequest`, members
 * under their query names (`ResourceId`, one `{tag, content}` item or a list of them; `TrafficType`,
 * `LogDestinationType`, ...), and the response as its XML in JSON: `CreateFlowLogsResponse` with
 * `flowLogIdSet` (`{item}`) and `unsuccessful`, the element names of the API's answer
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateFlowLogs.html#API_CreateFlowLogs_ResponseElements);
 * DeleteFlowLogs is recorded the same way (`DeleteFlowLogsRequest.FlowLogId`). Names are matched
 * case-insensitively, so a record in lower camel case reads the same. The record is untrusted text:
 * nothing here is shown without displayText, and what cannot be read is a reason, never a guess.
 */

/** The configuration of the flow logs one CreateFlowLogs call created, in the API's member names. */
export interface CreatedConfiguration {
  ResourceIds: string[];
  ResourceType?: string;
  TrafficType?: string;
  LogDestinationType?: string;
  LogDestination?: string;
  LogGroupName?: string;
  DeliverLogsPermissionArn?: string;
  DeliverCrossAccountRole?: string;
  LogFormat?: string;
  MaxAggregationInterval?: number;
  DestinationOptions?: {
    FileFormat?: string;
    HiveCompatiblePartitions?: boolean;
    PerHourPartition?: boolean;
  };
}

/** One successful CreateFlowLogs call, as its record tells it. */
export interface CreateCall {
  eventId: string;
  eventTime: string;
  /** Who made the call (the record's userIdentity ARN), untrusted text. */
  createdBy: string;
  /** The ids the call answered, in its answer's order. */
  createdIds: string[];
  /** The resources the call names that it did not create a flow log for (its `unsuccessful` items). */
  failedResourceIds: string[];
  configuration: CreatedConfiguration;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The member named `name` in any letter case (`ResourceId`, `resourceId`). */
function member(object: unknown, ...names: string[]): unknown {
  if (!isObject(object)) return undefined;
  const wanted = names.map((n) => n.toLowerCase());
  const key = Object.keys(object).find((k) => wanted.includes(k.toLowerCase()));
  return key === undefined ? undefined : object[key];
}

/** The values of a query list as CloudTrail records it: `{tag, content}`, a list of those, or plain values. */
function listValues(value: unknown): string[] {
  if (value === undefined || value === null || value === '') return [];
  if (Array.isArray(value)) return value.flatMap(listValues);
  if (isObject(value)) {
    const inner = member(value, 'content', 'item', 'member');
    return inner === undefined ? [] : listValues(inner);
  }
  return [String(value)];
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : undefined;
const flag = (value: unknown): boolean | undefined => {
  const t = text(value)?.toLowerCase();
  return t === 'true' ? true : t === 'false' ? false : undefined;
};

function configurationOf(request: unknown): CreatedConfiguration {
  const r = member(request, 'CreateFlowLogsRequest') ?? request;
  const interval = text(member(r, 'MaxAggregationInterval'));
  const options = member(r, 'DestinationOptions');
  const pick = (name: string) => {
    const value = text(member(r, name));
    return value === undefined ? {} : { [name]: value };
  };
  return {
    ResourceIds: listValues(member(r, 'ResourceId', 'ResourceIds')),
    ...pick('ResourceType'),
    ...pick('TrafficType'),
    ...pick('LogDestinationType'),
    ...pick('LogDestination'),
    ...pick('LogGroupName'),
    ...pick('DeliverLogsPermissionArn'),
    ...pick('DeliverCrossAccountRole'),
    ...pick('LogFormat'),
    ...(interval !== undefined ? { MaxAggregationInterval: Number(interval) } : {}),
    ...(isObject(options)
      ? {
          DestinationOptions: {
            ...(text(member(options, 'FileFormat'))
              ? { FileFormat: text(member(options, 'FileFormat')) }
              : {}),
            ...(flag(member(options, 'HiveCompatiblePartitions')) !== undefined
              ? { HiveCompatiblePartitions: flag(member(options, 'HiveCompatiblePartitions')) }
              : {}),
            ...(flag(member(options, 'PerHourPartition')) !== undefined
              ? { PerHourPartition: flag(member(options, 'PerHourPartition')) }
              : {}),
          },
        }
      : {}),
  };
}

/** The resource ids of the response's `unsuccessful` items. */
function failedResources(response: unknown): string[] {
  const unsuccessful = member(response, 'unsuccessful');
  const items = listValues(isObject(unsuccessful) ? undefined : unsuccessful);
  const found: string[] = [...items];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (isObject(value)) {
      const id = text(member(value, 'resourceId'));
      if (id !== undefined) found.push(id);
      else for (const inner of Object.values(value)) walk(inner);
    }
  };
  walk(unsuccessful);
  return found;
}

/**
 * The successful CreateFlowLogs call a CloudTrail record describes, or `undefined` for a record
 * that is not one (unreadable JSON, another call, a call that failed: `errorCode` set).
 */
export function createCallOf(cloudTrailEvent: string): CreateCall | undefined {
  let record: unknown;
  try {
    record = JSON.parse(cloudTrailEvent);
  } catch {
    // Not JSON: not a record this reads, like a record of another call; the id stays unmatched.
    return undefined;
  }
  if (!isObject(record) || record['eventName'] !== 'CreateFlowLogs' || record['errorCode'] !== undefined)
    return undefined;
  const response = member(record['responseElements'], 'CreateFlowLogsResponse') ?? record['responseElements'];
  const createdIds = listValues(member(response, 'flowLogIdSet', 'FlowLogIds')).filter((id) =>
    /^fl-[0-9a-f]{8,17}$/.test(id),
  );
  if (createdIds.length === 0) return undefined;
  return {
    eventId: text(record['eventID']) ?? '',
    eventTime: text(record['eventTime']) ?? '',
    createdBy: text(member(record['userIdentity'], 'arn')) ?? 'unknown caller',
    createdIds,
    failedResourceIds: failedResources(response),
    configuration: configurationOf(record['requestParameters']),
  };
}
