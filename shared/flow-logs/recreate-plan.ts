import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { RemediationError } from '#shared/errors.ts';
import { displayText } from '#shared/text/display.ts';
import { type CreateCall, type CreatedConfiguration, createCallOf } from './created-configuration.ts';

/**
 * recreate-flow-logs' planning, the parts the state language cannot do: read each CreateFlowLogs
 * record of the CloudTrail event history (a JSON string per event), find the call that created each
 * deleted flow log, and turn its configuration into the exact CreateFlowLogs request to make again;
 * afterwards, compare the flow logs read back with that request.
 *
 * Never a guess: a deleted flow log whose creating call is not in the history (older than the 90
 * days LookupEvents reaches, created some other way, or beyond the pages read), a call that created
 * flow logs for several resources of which only some were deleted (its record does not say which id
 * is which resource), or a configuration this playbook cannot make again exactly is a reason for a
 * person, and nothing is created.
 */

/** LookupEvents pages read at most (20 events each): the loop is bounded, the history is not. */
export const MAX_LOOKUP_PAGES = 50;
/** Events per LookupEvents page: small enough that a page stays far below the 256 KiB state limit. */
export const LOOKUP_PAGE_SIZE = 20;

/**
 * The default format, used when the call gave none
 * (https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html#flow-logs-default).
 */
export const DEFAULT_LOG_FORMAT =
  // biome-ignore lint/suspicious/noTemplateCurlyInString: flow log fields are written ${field}.
  '${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}';

/** The input of the planner function that is not well formed. */
export class InvalidFlowLogPlanInputError extends RemediationError {
  override name = 'InvalidFlowLogPlanInputError';
}

/** Which CreateFlowLogs task makes the request: each has a fixed set of members, all present. */
export type CreateBranch = 'cloud-watch-logs-group' | 'cloud-watch-logs-arn' | 's3' | 'kinesis-data-firehose';

/** One CreateFlowLogs to make again. */
export interface Recreation {
  /** The deleted flow logs this brings back. */
  deletedIds: string[];
  createdAt: string;
  createdBy: string;
  branch: CreateBranch;
  /** The request, PascalCase, every member of its branch present (defaults written out). */
  request: Record<string, unknown>;
  /** One line for people: what the deleted flow logs were (display-safe). */
  summary: string;
}

const FoundSchema = z.record(
  z.string(),
  z.looseObject({ eventId: z.string(), createdIds: z.array(z.string()) }),
);
const LookupSchema = z.looseObject({
  found: FoundSchema,
  calls: z.record(z.string(), z.unknown()),
  pages: z.number(),
  nextToken: z.optional(z.string()),
});

const InputSchema = z.discriminatedUnion('step', [
  z.object({
    step: z.literal('match'),
    deletedIds: z.array(z.string()).check(z.minLength(1)),
    page: z.looseObject({
      Events: z.optional(z.array(z.looseObject({ CloudTrailEvent: z.optional(z.string()) }))),
      NextToken: z.optional(z.string()),
    }),
    lookup: LookupSchema,
  }),
  z.object({
    step: z.literal('plan'),
    findingId: z.string(),
    deletedIds: z.array(z.string()).check(z.minLength(1)),
    lookup: LookupSchema,
  }),
  z.object({
    step: z.literal('verify'),
    flowLogs: z.array(z.looseObject({ request: z.record(z.string(), z.unknown()), branch: z.string() })),
    recreated: z.array(
      z.looseObject({
        read: z.looseObject({ FlowLogs: z.optional(z.array(z.record(z.string(), z.unknown()))) }),
      }),
    ),
  }),
]);
export type FlowLogPlanInput = z.infer<typeof InputSchema>;

/** Read the planner's input, or throw naming the first problem. */
export function parseFlowLogPlanInput(input: unknown): FlowLogPlanInput {
  const parsed = InputSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new InvalidFlowLogPlanInputError(
    `recreate-flow-logs input: ${issue?.path.join('.') || 'input'}: ${issue?.message ?? 'invalid'}`,
  );
}

type Lookup = z.infer<typeof LookupSchema>;

/** After one page: the creating calls found so far for the deleted ids, and whether to read on. */
export function matchPage(
  deletedIds: readonly string[],
  page: { Events?: { CloudTrailEvent?: string }[]; NextToken?: string },
  lookup: Lookup,
): Lookup & { more: boolean; missing: string[] } {
  const found = { ...lookup.found };
  const calls = { ...lookup.calls };
  for (const event of page.Events ?? []) {
    const call = event.CloudTrailEvent === undefined ? undefined : createCallOf(event.CloudTrailEvent);
    if (!call) continue;
    const deletedHere = call.createdIds.filter((id) => deletedIds.includes(id) && !found[id]);
    if (deletedHere.length === 0) continue;
    calls[call.eventId] = call;
    for (const id of deletedHere) found[id] = { eventId: call.eventId, createdIds: call.createdIds };
  }
  const missing = deletedIds.filter((id) => !found[id]);
  const pages = lookup.pages + 1;
  const nextToken = page.NextToken;
  return {
    found,
    calls,
    pages,
    ...(nextToken ? { nextToken } : {}),
    missing,
    more: missing.length > 0 && nextToken !== undefined && pages < MAX_LOOKUP_PAGES,
  };
}

/** The plan: what to create again, or the reason a person must. */
export interface RecreationPlan {
  count: number;
  flowLogs: Recreation[];
  /** What the audit record keeps as the state before: the deleted flow logs' configuration. */
  before: { deletedIds: string[]; createdAt: string; createdBy: string; request: Record<string, unknown> }[];
  /** Display-safe lines: each deleted flow log's configuration, or why it is not known. */
  lines: string[];
  /** The lines in one string, for the approval request. */
  description: string;
  deletedIds: string[];
  /** Set when nothing is created: why, for the person the run ends with. */
  reason?: string;
}

const show = (value: string | undefined, max = 300) => (value === undefined ? '-' : displayText(value, max));
const RESOURCE_TYPES = new Set(['VPC', 'Subnet', 'NetworkInterface']);

/** The request to make again and its branch, or why it cannot be made exactly. */
function requestOf(
  configuration: CreatedConfiguration,
  resourceIds: string[],
  clientToken: string,
): { branch: CreateBranch; request: Record<string, unknown> } | { problem: string } {
  const c = configuration;
  if (!c.ResourceType || !RESOURCE_TYPES.has(c.ResourceType))
    return {
      problem: `resource type ${show(c.ResourceType, 60)} (only VPC, subnet and network interface flow logs are re-created)`,
    };
  if (!c.TrafficType) return { problem: 'the record names no traffic type' };
  const destinationType = c.LogDestinationType ?? 'cloud-watch-logs';
  const common = {
    ResourceIds: resourceIds,
    ResourceType: c.ResourceType,
    TrafficType: c.TrafficType,
    LogDestinationType: destinationType,
    LogFormat: c.LogFormat ?? DEFAULT_LOG_FORMAT,
    MaxAggregationInterval: c.MaxAggregationInterval ?? 600,
    ClientToken: clientToken,
  };
  if (destinationType === 'cloud-watch-logs') {
    if (!c.DeliverLogsPermissionArn)
      return { problem: 'the record names no delivery role for CloudWatch Logs' };
    if (c.LogGroupName !== undefined)
      return {
        branch: 'cloud-watch-logs-group',
        request: {
          ...common,
          LogGroupName: c.LogGroupName,
          DeliverLogsPermissionArn: c.DeliverLogsPermissionArn,
        },
      };
    if (c.LogDestination !== undefined)
      return {
        branch: 'cloud-watch-logs-arn',
        request: {
          ...common,
          LogDestination: c.LogDestination,
          DeliverLogsPermissionArn: c.DeliverLogsPermissionArn,
        },
      };
    return { problem: 'the record names no log group' };
  }
  if (c.LogDestination === undefined) return { problem: 'the record names no log destination' };
  if (destinationType === 's3')
    return {
      branch: 's3',
      request: {
        ...common,
        LogDestination: c.LogDestination,
        DestinationOptions: {
          FileFormat: c.DestinationOptions?.FileFormat ?? 'plain-text',
          HiveCompatiblePartitions: c.DestinationOptions?.HiveCompatiblePartitions ?? false,
          PerHourPartition: c.DestinationOptions?.PerHourPartition ?? false,
        },
      },
    };
  if (destinationType === 'kinesis-data-firehose') {
    if (c.DeliverLogsPermissionArn || c.DeliverCrossAccountRole)
      return { problem: "delivery to another account's Firehose stream (its roles are not re-created here)" };
    return { branch: 'kinesis-data-firehose', request: { ...common, LogDestination: c.LogDestination } };
  }
  return { problem: `destination type ${show(destinationType, 60)}` };
}

/** One line for people about what a call created. */
function summaryOf(deletedIds: string[], call: CreateCall, request: Record<string, unknown>): string {
  const c = call.configuration;
  const destination =
    request['LogGroupName'] !== undefined
      ? `log group ${show(String(request['LogGroupName']))}`
      : show(String(request['LogDestination']));
  const role = c.DeliverLogsPermissionArn ? `, delivery role ${show(c.DeliverLogsPermissionArn)}` : '';
  return displayText(
    `${deletedIds.join(', ')}: ${show(c.ResourceType, 40)} ${(request['ResourceIds'] as string[]).map((id) => show(id, 60)).join(', ')}, ${show(String(request['TrafficType']), 20)} traffic, to ${show(String(request['LogDestinationType']), 40)} ${destination}${role}, format [${show(String(request['LogFormat']), 600)}], aggregated every ${String(request['MaxAggregationInterval'])} s (created ${show(call.eventTime, 40)} by ${show(call.createdBy)})`,
    1500,
  );
}

/** What to create again for the deleted ids, from the calls found; a reason when any is not exact. */
export function planRecreation(findingId: string, deletedIds: string[], lookup: Lookup): RecreationPlan {
  const problems: string[] = [];
  const missing = deletedIds.filter((id) => !lookup.found[id]);
  if (missing.length > 0)
    problems.push(
      `${missing.join(', ')}: no CreateFlowLogs call that created ${missing.length === 1 ? 'it' : 'them'} is in the CloudTrail event history (${lookup.pages} page(s) read${lookup.nextToken ? `, stopped at the limit of ${MAX_LOOKUP_PAGES}` : ''}; the history keeps 90 days of management events): older, or created another way`,
    );
  const flowLogs: Recreation[] = [];
  for (const [eventId, value] of Object.entries(lookup.calls)) {
    const call = value as CreateCall;
    const deletedHere = call.createdIds.filter((id) => deletedIds.includes(id));
    if (deletedHere.length === 0) continue;
    const resources = call.configuration.ResourceIds.filter((id) => !call.failedResourceIds.includes(id));
    let resourceIds: string[] | undefined;
    if (resources.length !== call.createdIds.length)
      problems.push(
        `${deletedHere.join(', ')}: the CreateFlowLogs call's resources and the flow logs it created do not pair up`,
      );
    else if (call.createdIds.length === 1 || deletedHere.length === call.createdIds.length)
      resourceIds = resources;
    else
      problems.push(
        `${deletedHere.join(', ')}: created by one call with ${call.createdIds.join(', ')} for ${resources.length} resources; its record does not say which flow log is which resource`,
      );
    if (!resourceIds) continue;
    // The same token for the same finding and call: a retried create does not make a second flow log.
    const token = `recreate-${createHash('sha256').update(`${findingId}:${eventId}`).digest('hex').slice(0, 40)}`;
    const made = requestOf(call.configuration, resourceIds, token);
    if ('problem' in made) {
      problems.push(`${deletedHere.join(', ')}: not re-created exactly: ${made.problem}`);
      continue;
    }
    flowLogs.push({
      deletedIds: deletedHere,
      createdAt: call.eventTime,
      createdBy: call.createdBy,
      ...made,
      summary: summaryOf(deletedHere, call, made.request),
    });
  }
  const reason = problems.length > 0 ? displayText(problems.join('; '), 2000) : undefined;
  const chosen = reason ? [] : flowLogs;
  const lines = [...flowLogs.map((f) => f.summary), ...problems.map((p) => displayText(p, 600))];
  return {
    count: chosen.length,
    flowLogs: chosen,
    before: chosen.map(({ deletedIds, createdAt, createdBy, request }) => ({
      deletedIds,
      createdAt,
      createdBy,
      request,
    })),
    lines,
    description: displayText(lines.join(' | '), 4000),
    deletedIds,
    ...(reason ? { reason } : {}),
  };
}

/** The fields a re-created flow log must read back with, per request member. */
const COMPARED = [
  'TrafficType',
  'LogDestinationType',
  'LogGroupName',
  'LogDestination',
  'DeliverLogsPermissionArn',
  'LogFormat',
  'MaxAggregationInterval',
] as const;

/** What differs between the flow logs read back and the requests made: nothing, once verified. */
export function verifyRecreation(
  flowLogs: readonly { request: Record<string, unknown> }[],
  recreated: readonly { read: { FlowLogs?: Record<string, unknown>[] } }[],
): { count: number; problems: string[] } {
  const problems: string[] = [];
  flowLogs.forEach(({ request }, i) => {
    const read = recreated[i]?.read.FlowLogs ?? [];
    const wanted = request['ResourceIds'] as string[];
    const covered = read.map((f) => String(f['ResourceId']));
    for (const id of wanted)
      if (!covered.includes(id)) problems.push(`no flow log of ${displayText(id, 60)} was read back`);
    for (const flowLog of read)
      for (const field of COMPARED)
        if (request[field] !== undefined && flowLog[field] !== request[field])
          problems.push(
            `${displayText(String(flowLog['FlowLogId']), 40)}: ${field} reads back as ${displayText(String(flowLog[field]), 200)}`,
          );
  });
  return { count: problems.length, problems };
}
