import type {
  AdvancedEventSelector,
  CreateTrailRequest,
  DescribeTrailsRequest,
  EventSelector,
  GetTrailStatusResponse,
  LookupEventsRequest,
  PutEventSelectorsRequest,
  Trail,
  UpdateTrailRequest,
} from '@aws-sdk/client-cloudtrail';
import { AwsError, type SandboxRequest } from '../protocol.ts';
import { ModelService, type OperationHandler, type WithRequired } from '../wire/model-service.ts';
import { tokenPage } from '../wire/pagination.ts';
import { ServiceModel } from '../wire/service-model.ts';
import { CloudTrailHistory, type HistoryEvent, usernameOf } from './cloudtrail-history.ts';

/**
 * The `X-Amz-Target` prefixes CloudTrail answers to: botocore (the CLI) sends the model's
 * full target prefix, the JavaScript SDK v3 the short service name.
 */
export const CLOUDTRAIL_TARGET_PREFIXES = [
  'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.',
  'CloudTrail_20131101.',
] as const;

/** A trail and its logging state. */
export interface TrailState {
  name: string;
  arn: string;
  homeRegion: string;
  s3BucketName: string;
  s3KeyPrefix?: string;
  snsTopicName?: string;
  includeGlobalServiceEvents: boolean;
  isMultiRegionTrail: boolean;
  logFileValidationEnabled: boolean;
  isLogging: boolean;
  startLoggingTime?: Date;
  stopLoggingTime?: Date;
  latestDeliveryTime?: Date;
  /** Basic selectors; a new trail logs every read and write management event. */
  eventSelectors?: EventSelector[];
  /** Advanced selectors; a trail has these or basic ones, never both. */
  advancedEventSelectors?: AdvancedEventSelector[];
}

/** CloudTrail's default for a trail created without selectors (API_PutEventSelectors.html). */
const DEFAULT_EVENT_SELECTORS: EventSelector[] = [
  {
    ReadWriteType: 'All',
    IncludeManagementEvents: true,
    DataResources: [],
    ExcludeManagementEventSources: [],
  },
];
/** CloudTrail's limit of basic selectors per trail. */
const MAX_EVENT_SELECTORS = 5;

/**
 * Trail names: 3-128 letters, digits, periods, underscores and hyphens, starting with a
 * letter or digit, ending with a letter or digit, no adjacent punctuation (AWS's rules).
 */
const TRAIL_NAME = /^(?=.{3,128}$)[A-Za-z0-9](?:[A-Za-z0-9]|[._-](?![._-]))*[A-Za-z0-9]$/;
const TRAIL_ARN = /^arn:aws[\w-]*:cloudtrail:[a-z0-9-]+:\d{12}:trail\/(.+)$/;

/**
 * The sandbox's CloudTrail: trails and whether they log. The configuration-drift playbook
 * restarts logging after an attacker's StopLogging; tests read GetTrailStatus to see it.
 */
export class CloudTrailService extends ModelService {
  readonly signingNames = ['cloudtrail'] as const;
  readonly protocol = 'json' as const;
  protected readonly model = new ServiceModel('@aws-sdk/client-cloudtrail', 'CloudTrailClient');
  protected override readonly extraTargetPrefixes = CLOUDTRAIL_TARGET_PREFIXES;
  private readonly trailsByAccount = new Map<string, Map<string, TrailState>>();

  /** @param history the management calls LookupEvents answers from (the sandbox records them as it serves them) */
  constructor(readonly history: CloudTrailHistory = new CloudTrailHistory()) {
    super();
  }

  /** A trail's state by name or ARN, for tests and the demo. */
  trail(accountId: string, nameOrArn: string): Readonly<TrailState> | undefined {
    return this.trails(accountId).get(trailName(nameOrArn));
  }

  protected readonly operations: Record<string, OperationHandler> = {
    CreateTrail: (req, params: WithRequired<CreateTrailRequest, 'Name' | 'S3BucketName'>) => {
      if (!TRAIL_NAME.test(params.Name)) {
        throw new AwsError(
          'InvalidTrailNameException',
          'Trail name or ARN can only contain uppercase letters, lowercase letters, numbers, periods (.), hyphens (-), and underscores (_).',
        );
      }
      const trails = this.trails(req.accountId);
      const arn = `arn:aws:cloudtrail:${req.region}:${req.accountId}:trail/${params.Name}`;
      if (trails.has(params.Name)) {
        throw new AwsError(
          'TrailAlreadyExistsException',
          `Trail ${arn} already exists for customer: ${req.accountId}`,
        );
      }
      const trail: TrailState = {
        name: params.Name,
        arn,
        homeRegion: req.region,
        s3BucketName: params.S3BucketName,
        s3KeyPrefix: params.S3KeyPrefix,
        snsTopicName: params.SnsTopicName,
        includeGlobalServiceEvents: params.IncludeGlobalServiceEvents ?? true,
        isMultiRegionTrail: params.IsMultiRegionTrail ?? false,
        logFileValidationEnabled: params.EnableLogFileValidation ?? false,
        // A new trail does not log until StartLogging is called.
        isLogging: false,
      };
      trails.set(trail.name, trail);
      // CreateTrail's output shape lacks the fields only describe operations carry; the model drops them.
      return trailJson(trail);
    },

    DescribeTrails: (req, input: DescribeTrailsRequest) => {
      const names = input.trailNameList ?? [];
      const all = this.visibleTrails(req);
      const wanted = names.length === 0 ? all : all.filter((t) => names.some((n) => trailName(n) === t.name));
      return { trailList: wanted.map(trailJson) };
    },

    GetTrail: (req, input) => ({ Trail: trailJson(this.requireTrail(req, input)) }),

    GetTrailStatus: (req, input): GetTrailStatusResponse => {
      const trail = this.requireTrail(req, input);
      // A logging trail delivers log files every few minutes; the sandbox reports a delivery
      // as of each status check so LatestDeliveryTime moves while logging is on.
      if (trail.isLogging) trail.latestDeliveryTime = new Date();
      return {
        IsLogging: trail.isLogging,
        LatestDeliveryTime: trail.latestDeliveryTime,
        StartLoggingTime: trail.startLoggingTime,
        StopLoggingTime: trail.stopLoggingTime,
        LatestDeliveryAttemptTime: trail.latestDeliveryTime?.toISOString() ?? '',
        LatestDeliveryAttemptSucceeded: trail.latestDeliveryTime?.toISOString() ?? '',
        LatestNotificationAttemptTime: '',
        LatestNotificationAttemptSucceeded: '',
        TimeLoggingStarted: trail.startLoggingTime?.toISOString() ?? '',
        TimeLoggingStopped: trail.stopLoggingTime?.toISOString() ?? '',
      };
    },

    StartLogging: (req, input) => {
      const trail = this.requireTrail(req, input);
      trail.isLogging = true;
      trail.startLoggingTime = new Date();
      return {};
    },

    StopLogging: (req, input) => {
      const trail = this.requireTrail(req, input);
      trail.isLogging = false;
      trail.stopLoggingTime = new Date();
      return {};
    },

    GetEventSelectors: (req, input: { TrailName: string }) => {
      const trail = this.requireTrail(req, { Name: input.TrailName });
      return trail.advancedEventSelectors
        ? { TrailARN: trail.arn, AdvancedEventSelectors: trail.advancedEventSelectors }
        : { TrailARN: trail.arn, EventSelectors: trail.eventSelectors ?? DEFAULT_EVENT_SELECTORS };
    },

    // PutEventSelectors replaces every selector; basic and advanced exclude each other, and the
    // call is made in the trail's home Region
    // (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_PutEventSelectors.html).
    PutEventSelectors: (req, input: WithRequired<PutEventSelectorsRequest, 'TrailName'>) => {
      const trail = this.requireHomeTrail(req, input.TrailName);
      const { EventSelectors: basic, AdvancedEventSelectors: advanced } = input;
      if ((basic === undefined) === (advanced === undefined))
        throw new AwsError(
          'InvalidParameterCombinationException',
          'You must specify either EventSelectors or AdvancedEventSelectors, but not both.',
        );
      if (basic && (basic.length === 0 || basic.length > MAX_EVENT_SELECTORS))
        throw new AwsError(
          'InvalidEventSelectorsException',
          `A trail can have between 1 and ${MAX_EVENT_SELECTORS} event selectors.`,
        );
      trail.eventSelectors = basic?.map((s) => ({
        ReadWriteType: s.ReadWriteType ?? 'All',
        IncludeManagementEvents: s.IncludeManagementEvents ?? true,
        DataResources: s.DataResources ?? [],
        ExcludeManagementEventSources: s.ExcludeManagementEventSources ?? [],
      }));
      trail.advancedEventSelectors = advanced;
      return advanced
        ? { TrailARN: trail.arn, AdvancedEventSelectors: advanced }
        : { TrailARN: trail.arn, EventSelectors: trail.eventSelectors };
    },

    // Only the fields passed change. A multi-Region trail must include global service events.
    // https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_UpdateTrail.html
    UpdateTrail: (req, input: WithRequired<UpdateTrailRequest, 'Name'>) => {
      const trail = this.requireHomeTrail(req, input.Name);
      const multiRegion = input.IsMultiRegionTrail ?? trail.isMultiRegionTrail;
      const globalEvents = input.IncludeGlobalServiceEvents ?? trail.includeGlobalServiceEvents;
      if (multiRegion && !globalEvents)
        throw new AwsError(
          'InvalidParameterCombinationException',
          'Multi-Region trail must include global service events.',
        );
      trail.isMultiRegionTrail = multiRegion;
      trail.includeGlobalServiceEvents = globalEvents;
      if (input.EnableLogFileValidation !== undefined)
        trail.logFileValidationEnabled = input.EnableLogFileValidation;
      if (input.S3BucketName !== undefined) trail.s3BucketName = input.S3BucketName;
      if (input.S3KeyPrefix !== undefined) trail.s3KeyPrefix = input.S3KeyPrefix;
      return trailJson(trail);
    },

    // Management events of the caller's account and Region, newest first, filtered by at most one
    // attribute and the time range; 50 a page at most
    // (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html).
    LookupEvents: (req, input: LookupEventsRequest) => {
      const attributes = input.LookupAttributes ?? [];
      if (attributes.length > 1)
        throw new AwsError('InvalidLookupAttributesException', 'You can only specify one lookup attribute.');
      const max = input.MaxResults ?? 50;
      if (max < 1 || max > 50)
        throw new AwsError('InvalidMaxResultsException', 'MaxResults must be between 1 and 50.');
      if (input.StartTime && input.EndTime && input.StartTime > input.EndTime)
        throw new AwsError('InvalidTimeRangeException', 'StartTime must be before EndTime.');
      // EventCategory `insight` asks for Insights events, which the sandbox has none of.
      const insights = input.EventCategory === 'insight';
      const attribute = attributes[0];
      const matches = (event: HistoryEvent) =>
        (!input.StartTime || event.time >= input.StartTime) &&
        (!input.EndTime || event.time <= input.EndTime) &&
        (!attribute || attributeOf(event, attribute.AttributeKey) === attribute.AttributeValue);
      const events = insights ? [] : this.history.eventsOf(req.accountId, req.region).filter(matches);
      const page = tokenPage(events, {
        token: input.NextToken,
        max,
        invalidTokenCode: 'InvalidNextTokenException',
      });
      return {
        Events: page.items.map((event) => ({
          EventId: event.record['eventID'] as string,
          EventName: event.record['eventName'] as string,
          ReadOnly: String(event.record['readOnly']),
          AccessKeyId: (event.record['userIdentity'] as { accessKeyId?: string }).accessKeyId,
          EventTime: event.time,
          EventSource: event.record['eventSource'] as string,
          Username: usernameOf(event.record),
          Resources: [],
          CloudTrailEvent: JSON.stringify(event.record),
        })),
        ...(page.nextToken ? { NextToken: page.nextToken } : {}),
      };
    },

    DeleteTrail: (req, input) => {
      const trail = this.requireTrail(req, input);
      this.trails(req.accountId).delete(trail.name);
      return {};
    },
  };

  private trails(accountId: string): Map<string, TrailState> {
    let trails = this.trailsByAccount.get(accountId);
    if (!trails) {
      trails = new Map();
      this.trailsByAccount.set(accountId, trails);
    }
    return trails;
  }

  /**
   * Trails a request in `req.region` can see: those created there, and multi-region trails
   * from any home region (AWS shows them everywhere as shadow trails).
   */
  private visibleTrails(req: SandboxRequest): TrailState[] {
    return [...this.trails(req.accountId).values()].filter(
      (t) => t.homeRegion === req.region || t.isMultiRegionTrail,
    );
  }

  /** A trail changed by a call, which CloudTrail accepts only in the trail's home Region. */
  private requireHomeTrail(req: SandboxRequest, name: string): TrailState {
    const trail = this.requireTrail(req, { Name: name });
    if (trail.homeRegion !== req.region)
      throw new AwsError(
        'InvalidHomeRegionException',
        `This operation must be called from the trail's home Region, ${trail.homeRegion}.`,
      );
    return trail;
  }

  private requireTrail(req: SandboxRequest, { Name }: { Name: string }): TrailState {
    if (Name.startsWith('arn:') && !TRAIL_ARN.test(Name)) {
      throw new AwsError('CloudTrailARNInvalidException', `Invalid trail ARN: ${Name}`);
    }
    const trail = this.visibleTrails(req).find((t) => t.name === trailName(Name));
    if (!trail) {
      const arn = Name.startsWith('arn:')
        ? Name
        : `arn:aws:cloudtrail:${req.region}:${req.accountId}:trail/${Name}`;
      throw new AwsError('TrailNotFoundException', `Unknown trail: ${arn} for the user: ${req.accountId}`);
    }
    return trail;
  }
}

/** The value of a LookupEvents attribute (`EventName`, `Username`, ...) an event has. */
function attributeOf(event: HistoryEvent, key: string | undefined): string | undefined {
  const { record } = event;
  switch (key) {
    case 'EventId':
      return record['eventID'] as string;
    case 'EventName':
      return record['eventName'] as string;
    case 'EventSource':
      return record['eventSource'] as string;
    case 'ReadOnly':
      return String(record['readOnly']);
    case 'Username':
      return usernameOf(record);
    case 'AccessKeyId':
      return (record['userIdentity'] as { accessKeyId?: string }).accessKeyId;
    default:
      throw new AwsError(
        'InvalidLookupAttributesException',
        `The sandbox does not look up events by ${key}.`,
      );
  }
}

/** Every trail operation accepts a trail's name or its ARN. */
function trailName(nameOrArn: string): string {
  return TRAIL_ARN.exec(nameOrArn)?.[1] ?? nameOrArn;
}

/** The topic may be given by name (in the trail's region and account) or by ARN. */
function snsTopicArn(trail: TrailState): string | undefined {
  const topic = trail.snsTopicName;
  if (!topic || topic.startsWith('arn:')) return topic;
  const accountId = trail.arn.split(':')[4];
  return `arn:aws:sns:${trail.homeRegion}:${accountId}:${topic}`;
}

/** The `Trail` shape of DescribeTrails and GetTrail. */
function trailJson(trail: TrailState): Trail & { HomeRegion: string } {
  return {
    Name: trail.name,
    S3BucketName: trail.s3BucketName,
    S3KeyPrefix: trail.s3KeyPrefix,
    SnsTopicName: trail.snsTopicName,
    SnsTopicARN: snsTopicArn(trail),
    IncludeGlobalServiceEvents: trail.includeGlobalServiceEvents,
    IsMultiRegionTrail: trail.isMultiRegionTrail,
    HomeRegion: trail.homeRegion,
    TrailARN: trail.arn,
    LogFileValidationEnabled: trail.logFileValidationEnabled,
    HasCustomEventSelectors: trail.eventSelectors !== undefined || trail.advancedEventSelectors !== undefined,
    HasInsightSelectors: false,
    IsOrganizationTrail: false,
  };
}
