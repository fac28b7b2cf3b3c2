import type {
  CreateFlowLogsRequest,
  DeleteFlowLogsRequest,
  DescribeFlowLogsRequest,
  DestinationOptionsResponse,
  FlowLog,
  UnsuccessfulItem,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../protocol.ts';
import { type Ec2Context, type Ec2Operations, missingParameter } from './context.ts';
import { applyFilters, type FilterFields, paginate, readFilters } from './filters.ts';
import { newEc2Id } from './ids.ts';
import { KINDS, type ResourceKind } from './lookups.ts';
import type { Ec2State } from './state.ts';
import { applyTagSpecifications, readTagSpecifications } from './tags.ts';

/**
 * VPC flow logs: CreateFlowLogs, DescribeFlowLogs, DeleteFlowLogs
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateFlowLogs.html,
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeFlowLogs.html,
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteFlowLogs.html). The sandbox
 * keeps flow logs of VPCs, subnets and network interfaces; nothing is delivered anywhere.
 */

/** One flow log as the sandbox keeps it. */
export interface FlowLogRecord {
  readonly flowLogId: string;
  readonly creationTime: Date;
  readonly resourceId: string;
  readonly trafficType: string;
  readonly logDestinationType: string;
  /** The log group's ARN (CloudWatch Logs), the bucket ARN (S3) or the stream ARN (Firehose). */
  readonly logDestination?: string;
  readonly logGroupName?: string;
  readonly deliverLogsPermissionArn?: string;
  readonly logFormat: string;
  readonly maxAggregationInterval: number;
  readonly destinationOptions?: DestinationOptionsResponse;
}

/**
 * The default format: the version 2 fields, in order
 * (https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html#flow-logs-default).
 */
export const DEFAULT_FLOW_LOG_FORMAT =
  // biome-ignore lint/suspicious/noTemplateCurlyInString: flow log fields are written ${field}.
  '${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}';

/** The resource types the sandbox keeps flow logs of, and how each is looked up. */
const RESOURCE_KINDS: Readonly<Record<string, ResourceKind<unknown>>> = {
  VPC: KINDS.vpc,
  Subnet: KINDS.subnet,
  NetworkInterface: KINDS.networkInterface,
};

/** Idempotent creates by ClientToken, per account and Region. */
const createdByToken = new WeakMap<Ec2State, Map<string, Readonly<Record<string, unknown>>>>();

function invalid(message: string): AwsError {
  return new AwsError('InvalidParameter', message);
}

/** The destination a request names, checked as EC2 checks it per destination type. */
function destinationOf(input: CreateFlowLogsRequest, state: Ec2State) {
  const type = input.LogDestinationType ?? 'cloud-watch-logs';
  const { LogDestination: destination, LogGroupName: group, DeliverLogsPermissionArn: role } = input;
  if (type === 'cloud-watch-logs') {
    if ((destination === undefined) === (group === undefined))
      throw invalid('Please only provide LogGroupName or only provide LogDestination.');
    if (role === undefined) throw missingParameter('DeliverLogsPermissionArn');
    const logGroupName = group ?? destination?.split(':log-group:')[1]?.replace(/:\*$/, '');
    if (!logGroupName) throw invalid(`LogDestination ${destination} is not a CloudWatch Logs log group ARN.`);
    return {
      logDestinationType: type,
      logGroupName,
      logDestination:
        destination ?? `arn:aws:logs:${state.region}:${state.accountId}:log-group:${logGroupName}`,
      deliverLogsPermissionArn: role,
    };
  }
  if (group !== undefined) throw invalid(`LogGroupName is not supported for destination type ${type}.`);
  if (destination === undefined) throw missingParameter('LogDestination');
  if (type === 's3') {
    if (role !== undefined)
      throw invalid('DeliverLogsPermissionArn is not supported for destination type s3.');
    if (!destination.startsWith('arn:aws:s3:::'))
      throw invalid(`LogDestination ${destination} is not an S3 ARN.`);
    const options = input.DestinationOptions;
    return {
      logDestinationType: type,
      logDestination: destination,
      destinationOptions: {
        FileFormat: options?.FileFormat ?? 'plain-text',
        HiveCompatiblePartitions: options?.HiveCompatiblePartitions ?? false,
        PerHourPartition: options?.PerHourPartition ?? false,
      },
    };
  }
  return {
    logDestinationType: type,
    logDestination: destination,
    ...(role !== undefined ? { deliverLogsPermissionArn: role } : {}),
  };
}

function createFlowLogs({ input: raw, state, now }: Ec2Context) {
  const input = raw as CreateFlowLogsRequest;
  const token = input.ClientToken;
  const byToken = createdByToken.get(state) ?? new Map<string, Readonly<Record<string, unknown>>>();
  createdByToken.set(state, byToken);
  const earlier = token === undefined ? undefined : byToken.get(token);
  if (earlier) return earlier;
  const kind = RESOURCE_KINDS[input.ResourceType as string];
  if (!kind)
    throw new AwsError(
      'InvalidParameterValue',
      `The sandbox keeps flow logs of VPCs, subnets and network interfaces, not of ${input.ResourceType}.`,
    );
  if (input.TrafficType === undefined) throw missingParameter('TrafficType');
  if (input.DestinationOptions && input.LogDestinationType !== 's3')
    throw invalid('DestinationOptions is supported only for destination type s3.');
  const interval = input.MaxAggregationInterval ?? 600;
  if (interval !== 60 && interval !== 600)
    throw new AwsError('InvalidParameterValue', 'MaxAggregationInterval must be 60 or 600.');
  const destination = destinationOf(input, state);
  const tags = readTagSpecifications(input);
  const flowLogIds: string[] = [];
  const unsuccessful: UnsuccessfulItem[] = [];
  for (const resourceId of input.ResourceIds ?? []) {
    if (!kind.store(state).has(resourceId)) {
      unsuccessful.push({
        ResourceId: resourceId,
        Error: { Code: kind.notFoundCode, Message: kind.notFoundMessage([resourceId]) },
      });
      continue;
    }
    // One flow log per resource, traffic type and destination.
    const duplicate = [...state.flowLogs.values()].some(
      (f) =>
        f.resourceId === resourceId &&
        f.trafficType === input.TrafficType &&
        f.logDestinationType === destination.logDestinationType &&
        f.logDestination === destination.logDestination,
    );
    if (duplicate) {
      unsuccessful.push({
        ResourceId: resourceId,
        Error: {
          Code: 'FlowLogAlreadyExists',
          Message: 'Error. There is an existing Flow Log with the same configuration and log destination.',
        },
      });
      continue;
    }
    const flowLogId = newEc2Id('fl');
    state.flowLogs.set(flowLogId, {
      flowLogId,
      creationTime: now,
      resourceId,
      trafficType: input.TrafficType,
      logFormat: input.LogFormat ?? DEFAULT_FLOW_LOG_FORMAT,
      maxAggregationInterval: interval,
      ...destination,
    });
    applyTagSpecifications(state, flowLogId, 'vpc-flow-log', tags);
    flowLogIds.push(flowLogId);
  }
  const result = {
    ...(token !== undefined ? { ClientToken: token } : {}),
    FlowLogIds: flowLogIds,
    Unsuccessful: unsuccessful,
  };
  if (token !== undefined) byToken.set(token, result);
  return result;
}

/** DescribeFlowLogs' filters (its `Filter.N`). */
const FIELDS: FilterFields<FlowLogRecord> = {
  'deliver-log-status': () => 'SUCCESS',
  'log-destination-type': (f) => f.logDestinationType,
  'flow-log-id': (f) => f.flowLogId,
  'log-group-name': (f) => f.logGroupName,
  'resource-id': (f) => f.resourceId,
  'traffic-type': (f) => f.trafficType,
};

function flowLogJson(state: Ec2State, f: FlowLogRecord): FlowLog {
  return {
    CreationTime: f.creationTime,
    DeliverLogsStatus: 'SUCCESS',
    FlowLogId: f.flowLogId,
    FlowLogStatus: 'ACTIVE',
    ResourceId: f.resourceId,
    TrafficType: f.trafficType as FlowLog['TrafficType'],
    LogDestinationType: f.logDestinationType as FlowLog['LogDestinationType'],
    LogFormat: f.logFormat,
    MaxAggregationInterval: f.maxAggregationInterval,
    ...(f.logDestination !== undefined ? { LogDestination: f.logDestination } : {}),
    ...(f.logGroupName !== undefined ? { LogGroupName: f.logGroupName } : {}),
    ...(f.deliverLogsPermissionArn !== undefined
      ? { DeliverLogsPermissionArn: f.deliverLogsPermissionArn }
      : {}),
    ...(f.destinationOptions !== undefined ? { DestinationOptions: f.destinationOptions } : {}),
    ...(state.tagSet(f.flowLogId) ? { Tags: state.tagSet(f.flowLogId) } : {}),
  };
}

// Ids that name no flow log are left out of the answer, not refused. Its filters are `Filter.N`
// (the member is `Filter`, not `Filters`).
function describeFlowLogs({ input: raw, state }: Ec2Context) {
  const input = raw as DescribeFlowLogsRequest;
  const ids = input.FlowLogIds;
  const named = [...state.flowLogs.values()].filter((f) => !ids || ids.includes(f.flowLogId));
  const matching = applyFilters(
    state,
    named,
    (f) => f.flowLogId,
    readFilters({ Filters: input.Filter }),
    FIELDS,
  );
  const page = paginate(matching, input);
  return {
    FlowLogs: page.items.map((f) => flowLogJson(state, f)),
    ...(page.nextToken ? { NextToken: page.nextToken } : {}),
  };
}

// An id that names no flow log is answered as an unsuccessful item; the others are deleted.
function deleteFlowLogs({ input: raw, state }: Ec2Context) {
  const input = raw as DeleteFlowLogsRequest;
  const unsuccessful: UnsuccessfulItem[] = [];
  for (const id of input.FlowLogIds ?? []) {
    if (state.flowLogs.has(id)) state.forget(id, state.flowLogs);
    else
      unsuccessful.push({
        ResourceId: id,
        Error: {
          Code: 'InvalidFlowLogId.NotFound',
          Message: `These flow log ids in the input list are not found: [TotalCount: 1] ${id}`,
        },
      });
  }
  return { Unsuccessful: unsuccessful };
}

/** Flow log operations. */
export const flowLogOperations: Ec2Operations = {
  CreateFlowLogs: createFlowLogs,
  DescribeFlowLogs: describeFlowLogs,
  DeleteFlowLogs: deleteFlowLogs,
};
