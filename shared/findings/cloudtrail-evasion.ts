import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { InvalidFindingError } from '#shared/errors.ts';
import { requestAs } from './cloudtrail-request.ts';
import type { Resource } from './finding.ts';

/**
 * Defense evasion: calls that turn off what watches the account (CloudTrail, GuardDuty, AWS
 * Config, VPC flow logs, Security Hub, the organization's guardrails). Each becomes a finding
 * carrying `change`, the request fields that say what was turned off, so the notification shows
 * it. Calls that weaken nothing (a trail update that only renames its SNS topic) score Low, below
 * every rule, and are recorded as matching none.
 *
 * CloudTrail records `requestParameters` with the API's member names in lower camel case; the
 * member names cited per call are the API reference's.
 */

/** What one kind of call means; `change` is copied from the request, so it is untrusted text. */
export interface EvasionAssessment {
  resource: Resource;
  score: number;
  title: string;
  change: Record<string, unknown>;
}

/** Severity scores of the evasion calls. */
export const EVASION_SEVERITY = {
  /** Write management events no longer logged: every later change goes unseen. */
  managementEventsDropped: 8,
  /** Some management event sources (KMS, RDS Data API) excluded from the trail. */
  managementSourcesExcluded: 5,
  /** Multi-region off, log file validation off, or the logs sent elsewhere. */
  trailWeakened: 7,
  /** A selector or trail change that leaves management events and integrity in place. */
  harmlessChange: 2,
  guardDutyDisabled: 8,
  guardDutyDeleted: 9,
  guardDutyDetached: 8,
  /** An archive filter hides every future finding it matches. */
  guardDutyArchiveFilter: 7,
  /** A trusted IP list silences findings about the addresses on it. */
  guardDutyTrustedIps: 7,
  configStopped: 7,
  configDeleted: 8,
  flowLogsDeleted: 7,
  securityHubDisabled: 8,
  securityHubStandardsDisabled: 7,
  /** Leaving the organization sheds every service control policy at once. */
  leftOrganization: 9,
} as const;

const requestOf = (event: { detail: { requestParameters?: Record<string, unknown> | null } }) =>
  event.detail.requestParameters ?? {};

type Call = {
  detail: {
    eventName: string;
    requestParameters?: Record<string, unknown> | null;
    responseElements?: Record<string, unknown> | null;
  };
};

const TRAIL_ARN = /^arn:aws[\w-]*:cloudtrail:[\w-]+:\d{12}:trail\/(.+)$/;
function trailResource(nameOrArn: string): Resource {
  const trailName = TRAIL_ARN.exec(nameOrArn)?.[1];
  return trailName
    ? { kind: 'Trail', trailName, trailArn: nameOrArn }
    : { kind: 'Trail', trailName: nameOrArn };
}

// PutEventSelectors: TrailName, EventSelectors[] (ReadWriteType, IncludeManagementEvents,
// DataResources, ExcludeManagementEventSources) or AdvancedEventSelectors[] (Name, FieldSelectors[]
// of Field, Equals, NotEquals, ...). https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_PutEventSelectors.html
// There is no separate PutAdvancedEventSelectors API: advanced selectors are put by this call.
const EventSelectorsSchema = z.looseObject({
  trailName: z.string().check(z.minLength(1)),
  eventSelectors: z.optional(
    z.array(
      z.looseObject({
        readWriteType: z.optional(z.string()),
        includeManagementEvents: z.optional(z.boolean()),
        excludeManagementEventSources: z.optional(z.array(z.string())),
      }),
    ),
  ),
  advancedEventSelectors: z.optional(
    z.array(
      z.looseObject({
        fieldSelectors: z.array(
          z.looseObject({ field: z.string(), equals: z.optional(z.array(z.string())) }),
        ),
      }),
    ),
  ),
});

/**
 * Whether write management events are still logged after the call. Basic selectors: some
 * selector with IncludeManagementEvents (default true) and ReadWriteType `All` or `WriteOnly`
 * (default `All`). Advanced selectors: some selector with `eventCategory` equal to `Management`
 * that does not narrow `readOnly` to `true`
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-management-events-with-cloudtrail.html).
 */
function writeManagementLogged(request: z.infer<typeof EventSelectorsSchema>): boolean {
  if (request.advancedEventSelectors)
    return request.advancedEventSelectors.some((selector) => {
      const equalsOf = (field: string) => selector.fieldSelectors.find((f) => f.field === field)?.equals;
      const readOnly = equalsOf('readOnly');
      return (
        (equalsOf('eventCategory') ?? []).includes('Management') &&
        !(readOnly !== undefined && readOnly.length > 0 && readOnly.every((value) => value === 'true'))
      );
    });
  return (request.eventSelectors ?? []).some(
    (s) => s.includeManagementEvents !== false && (s.readWriteType ?? 'All') !== 'ReadOnly',
  );
}

function assessEventSelectors(event: Call): EvasionAssessment {
  const request = requestAs(event, EventSelectorsSchema);
  const resource = trailResource(request.trailName);
  const change = {
    trailName: request.trailName,
    ...(request.eventSelectors ? { eventSelectors: request.eventSelectors } : {}),
    ...(request.advancedEventSelectors ? { advancedEventSelectors: request.advancedEventSelectors } : {}),
  };
  if (!writeManagementLogged(request))
    return {
      resource,
      change,
      score: EVASION_SEVERITY.managementEventsDropped,
      title: `CloudTrail trail ${request.trailName} no longer logs write management events`,
    };
  const excluded = (request.eventSelectors ?? []).flatMap((s) => s.excludeManagementEventSources ?? []);
  if (excluded.length > 0)
    return {
      resource,
      change,
      score: EVASION_SEVERITY.managementSourcesExcluded,
      title: `CloudTrail trail ${request.trailName} excludes management events from ${excluded.join(', ')}`,
    };
  return {
    resource,
    change,
    score: EVASION_SEVERITY.harmlessChange,
    title: `CloudTrail trail ${request.trailName} event selectors changed (management events still logged)`,
  };
}

// UpdateTrail: Name, S3BucketName, IsMultiRegionTrail, EnableLogFileValidation, ... (every field
// but Name optional: only those passed change).
// https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_UpdateTrail.html
const UpdateTrailSchema = z.looseObject({
  name: z.string().check(z.minLength(1)),
  s3BucketName: z.optional(z.string()),
  s3KeyPrefix: z.optional(z.string()),
  isMultiRegionTrail: z.optional(z.boolean()),
  enableLogFileValidation: z.optional(z.boolean()),
});

function assessUpdateTrail(event: Call): EvasionAssessment {
  const request = requestAs(event, UpdateTrailSchema);
  const weakened = [
    ...(request.isMultiRegionTrail === false ? ['multi-region logging turned off'] : []),
    ...(request.enableLogFileValidation === false ? ['log file validation turned off'] : []),
    ...(request.s3BucketName !== undefined ? [`logs now delivered to bucket ${request.s3BucketName}`] : []),
  ];
  const change = Object.fromEntries(
    ['name', 's3BucketName', 's3KeyPrefix', 'isMultiRegionTrail', 'enableLogFileValidation'].flatMap((key) =>
      request[key] === undefined ? [] : [[key, request[key]]],
    ),
  );
  return {
    resource: trailResource(request.name),
    change,
    score: weakened.length > 0 ? EVASION_SEVERITY.trailWeakened : EVASION_SEVERITY.harmlessChange,
    title:
      weakened.length > 0
        ? `CloudTrail trail ${request.name} weakened: ${weakened.join('; ')}`
        : `CloudTrail trail ${request.name} updated (logging kept in place)`,
  };
}

// GuardDuty (REST-JSON, already camelCase): every call names `detectorId`. UpdateDetector takes
// `enable`; CreateFilter `name`, `action` (NOOP | ARCHIVE), `findingCriteria`; CreateIPSet
// `name`, `format`, `location`, `activate`; UpdateIPSet `ipSetId`, `name`, `location`, `activate`.
// https://docs.aws.amazon.com/guardduty/latest/APIReference/API_Operations.html
const DetectorSchema = z.looseObject({ detectorId: z.string().check(z.minLength(1)) });
const detector = (detectorId: string): Resource => ({
  kind: 'Other',
  type: 'GuardDutyDetector',
  id: detectorId,
});

function assessGuardDuty(event: Call): EvasionAssessment {
  const request = requestAs(event, DetectorSchema);
  const resource = detector(request.detectorId);
  const pick = (...keys: string[]) =>
    Object.fromEntries(keys.flatMap((key) => (request[key] === undefined ? [] : [[key, request[key]]])));
  switch (event.detail.eventName) {
    case 'UpdateDetector': {
      const disabled = request['enable'] === false;
      return {
        resource,
        change: pick('detectorId', 'enable', 'findingPublishingFrequency'),
        score: disabled ? EVASION_SEVERITY.guardDutyDisabled : EVASION_SEVERITY.harmlessChange,
        title: disabled
          ? `GuardDuty detector ${request.detectorId} disabled`
          : `GuardDuty detector ${request.detectorId} updated (still enabled)`,
      };
    }
    case 'DeleteDetector':
      return {
        resource,
        change: pick('detectorId'),
        score: EVASION_SEVERITY.guardDutyDeleted,
        title: `GuardDuty detector ${request.detectorId} deleted`,
      };
    case 'DisassociateFromAdministratorAccount':
      return {
        resource,
        change: pick('detectorId'),
        score: EVASION_SEVERITY.guardDutyDetached,
        title: `GuardDuty detector ${request.detectorId} left its administrator account`,
      };
    case 'CreateFilter': {
      const archives = request['action'] === 'ARCHIVE';
      return {
        resource,
        change: pick('detectorId', 'name', 'action', 'findingCriteria'),
        score: archives ? EVASION_SEVERITY.guardDutyArchiveFilter : EVASION_SEVERITY.harmlessChange,
        title: archives
          ? `GuardDuty filter ${String(request['name'])} archives matching findings automatically`
          : `GuardDuty filter ${String(request['name'])} created (does not archive)`,
      };
    }
    default: {
      // CreateIPSet returns the new list's id (`ipSetId`) only in its response; UpdateIPSet names it.
      const created = event.detail.responseElements?.['ipSetId'];
      const ipSetId = typeof created === 'string' && created !== '' ? { ipSetId: created } : {};
      return {
        resource,
        change: { ...pick('detectorId', 'ipSetId', 'name', 'format', 'location', 'activate'), ...ipSetId },
        score: EVASION_SEVERITY.guardDutyTrustedIps,
        title: `GuardDuty trusted IP list ${String(request['name'] ?? request['ipSetId'])} ${event.detail.eventName === 'CreateIPSet' ? 'created' : 'changed'}: findings about its addresses are no longer raised`,
      };
    }
  }
}

// AWS Config: StopConfigurationRecorder and DeleteConfigurationRecorder take
// ConfigurationRecorderName; DeleteDeliveryChannel takes DeliveryChannelName.
// https://docs.aws.amazon.com/config/latest/APIReference/API_StopConfigurationRecorder.html
// https://docs.aws.amazon.com/config/latest/APIReference/API_DeleteDeliveryChannel.html
const RecorderSchema = z.looseObject({ configurationRecorderName: z.string().check(z.minLength(1)) });
const ChannelSchema = z.looseObject({ deliveryChannelName: z.string().check(z.minLength(1)) });

function assessConfig(event: Call): EvasionAssessment {
  if (event.detail.eventName === 'DeleteDeliveryChannel') {
    const { deliveryChannelName } = requestAs(event, ChannelSchema);
    return {
      resource: { kind: 'Other', type: 'ConfigDeliveryChannel', id: deliveryChannelName },
      change: { deliveryChannelName },
      score: EVASION_SEVERITY.configDeleted,
      title: `AWS Config delivery channel ${deliveryChannelName} deleted`,
    };
  }
  const { configurationRecorderName } = requestAs(event, RecorderSchema);
  const stopped = event.detail.eventName === 'StopConfigurationRecorder';
  return {
    resource: { kind: 'Other', type: 'ConfigRecorder', id: configurationRecorderName },
    change: { configurationRecorderName },
    score: stopped ? EVASION_SEVERITY.configStopped : EVASION_SEVERITY.configDeleted,
    title: `AWS Config recorder ${configurationRecorderName} ${stopped ? 'stopped' : 'deleted'}`,
  };
}

/** Flow log id as EC2 issues it. */
const FLOW_LOG_ID = /^fl-[0-9a-f]{8,17}$/;

/**
 * DeleteFlowLogs takes FlowLogId.N (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteFlowLogs.html).
 * CloudTrail nests the query request as `DeleteFlowLogsRequest.FlowLogId`, one `{tag, content}`
 * item or a list of them, so every flow log id anywhere in the request is collected.
 */
function assessFlowLogs(event: Call): EvasionAssessment {
  const ids = new Set<string>();
  const walk = (value: unknown): void => {
    if (typeof value === 'string' && FLOW_LOG_ID.test(value)) ids.add(value);
    else if (value && typeof value === 'object') for (const inner of Object.values(value)) walk(inner);
  };
  walk(requestOf(event));
  const flowLogIds = [...ids];
  if (flowLogIds.length === 0)
    throw new InvalidFindingError('DeleteFlowLogs names no flow log id', [
      'detail.requestParameters: no fl- id found',
    ]);
  return {
    resource: { kind: 'Other', type: 'FlowLogs', id: flowLogIds.join(',') },
    change: { flowLogIds },
    score: EVASION_SEVERITY.flowLogsDeleted,
    title: `VPC flow logs deleted: ${flowLogIds.join(', ')}`,
  };
}

// Security Hub: DisableSecurityHub takes no body; BatchDisableStandards takes
// StandardsSubscriptionArns. https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_BatchDisableStandards.html
const StandardsSchema = z.looseObject({
  standardsSubscriptionArns: z.array(z.string()).check(z.minLength(1)),
});

function assessSecurityHub(event: Call): EvasionAssessment {
  if (event.detail.eventName === 'DisableSecurityHub')
    return {
      resource: { kind: 'Account' },
      change: {},
      score: EVASION_SEVERITY.securityHubDisabled,
      title: 'Security Hub disabled',
    };
  const { standardsSubscriptionArns } = requestAs(event, StandardsSchema);
  return {
    resource: { kind: 'Other', type: 'SecurityHubStandards', id: standardsSubscriptionArns.join(',') },
    change: { standardsSubscriptionArns },
    score: EVASION_SEVERITY.securityHubStandardsDisabled,
    title: `Security Hub standards disabled: ${standardsSubscriptionArns.join(', ')}`,
  };
}

/** LeaveOrganization takes no parameters (https://docs.aws.amazon.com/organizations/latest/APIReference/API_LeaveOrganization.html). */
const assessLeaveOrganization = (): EvasionAssessment => ({
  resource: { kind: 'Account' },
  change: {},
  score: EVASION_SEVERITY.leftOrganization,
  title: 'Account left its organization (service control policies no longer apply)',
});

type Assessor = (event: Call) => EvasionAssessment;
const cloudtrail = (assess: Assessor) => ({ eventSource: 'cloudtrail.amazonaws.com', assess });
const guardduty = { eventSource: 'guardduty.amazonaws.com', assess: assessGuardDuty };
const config = { eventSource: 'config.amazonaws.com', assess: assessConfig };
const securityhub = { eventSource: 'securityhub.amazonaws.com', assess: assessSecurityHub };

/**
 * The evasion calls, by CloudTrail event name, with the `eventSource` each must come from (names
 * such as CreateFilter exist in several services; only these are the ones that blind a detector).
 */
export const EVASION_CALLS: Readonly<Record<string, { eventSource: string; assess: Assessor }>> = {
  PutEventSelectors: cloudtrail(assessEventSelectors),
  UpdateTrail: cloudtrail(assessUpdateTrail),
  UpdateDetector: guardduty,
  DeleteDetector: guardduty,
  DisassociateFromAdministratorAccount: guardduty,
  CreateFilter: guardduty,
  CreateIPSet: guardduty,
  UpdateIPSet: guardduty,
  StopConfigurationRecorder: config,
  DeleteConfigurationRecorder: config,
  DeleteDeliveryChannel: config,
  DeleteFlowLogs: { eventSource: 'ec2.amazonaws.com', assess: assessFlowLogs },
  DisableSecurityHub: securityhub,
  BatchDisableStandards: securityhub,
  // Organizations records its calls in us-east-1 only.
  LeaveOrganization: { eventSource: 'organizations.amazonaws.com', assess: assessLeaveOrganization },
};

/** The EventBridge `source` of each service whose evasion calls are subscribed. */
export const EVASION_SOURCES = [
  'aws.cloudtrail',
  'aws.guardduty',
  'aws.config',
  'aws.ec2',
  'aws.securityhub',
  'aws.organizations',
] as const;
