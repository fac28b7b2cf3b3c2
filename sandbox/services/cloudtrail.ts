import type {
  CreateTrailRequest,
  DescribeTrailsRequest,
  GetTrailStatusResponse,
  Trail,
} from '@aws-sdk/client-cloudtrail';
import { AwsError, type SandboxRequest } from '../protocol.ts';
import { ModelService, type OperationHandler, type WithRequired } from '../wire/model-service.ts';
import { ServiceModel } from '../wire/service-model.ts';

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
}

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
    HasCustomEventSelectors: false,
    HasInsightSelectors: false,
    IsOrganizationTrail: false,
  };
}
