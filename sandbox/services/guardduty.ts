import { randomBytes } from 'node:crypto';
import type {
  CreateDetectorRequest,
  CreateIPSetRequest,
  GetDetectorResponse,
  GetIPSetResponse,
  IpSetFormat,
  UpdateDetectorRequest,
  UpdateIPSetRequest,
} from '@aws-sdk/client-guardduty';
import { AwsError, type SandboxRequest } from '../protocol.ts';
import type { InputShapeError } from '../wire/input-problems.ts';
import { ModelService, type OperationHandler, type WithRequired } from '../wire/model-service.ts';
import { ServiceModel } from '../wire/service-model.ts';

/** One trusted IP list of a detector. */
interface IpSetState {
  name: string;
  format: IpSetFormat;
  location: string;
  active: boolean;
  tags: Record<string, string>;
}

/** One detector: whether it is enabled, what else UpdateDetector may change, and its IP lists. */
interface DetectorState {
  readonly id: string;
  status: 'ENABLED' | 'DISABLED';
  findingPublishingFrequency: NonNullable<GetDetectorResponse['FindingPublishingFrequency']>;
  readonly createdAt: string;
  updatedAt: string;
  readonly tags: Record<string, string>;
  readonly ipSets: Map<string, IpSetState>;
}

/** Detector and IP set ids: 32 lowercase hex characters, as GuardDuty makes them. */
const newId = () => randomBytes(16).toString('hex');

/**
 * The sandbox's GuardDuty (REST-JSON, read and written from the SDK's model): detectors, one per
 * account and Region, whether they are enabled, and their trusted IP lists. Behaviour from the API
 * reference: https://docs.aws.amazon.com/guardduty/latest/APIReference/API_CreateDetector.html,
 * https://docs.aws.amazon.com/guardduty/latest/APIReference/API_UpdateDetector.html,
 * https://docs.aws.amazon.com/guardduty/latest/APIReference/API_UpdateIPSet.html
 */
export class GuardDutyService extends ModelService {
  /**
   * @param serviceRole called by CreateDetector before it creates anything: makes sure GuardDuty's
   * service-linked role exists, creating it as the caller, or throws as AWS refuses the call. @default none
   */
  constructor(private readonly serviceRole?: (req: SandboxRequest) => Promise<void>) {
    super();
  }

  readonly signingNames = ['guardduty'] as const;
  readonly protocol = 'rest-json' as const;
  protected readonly model = new ServiceModel('@aws-sdk/client-guardduty', 'GuardDutyClient');
  /** Detectors by `<account>/<region>`: GuardDuty allows one per account and Region. */
  private readonly detectors = new Map<string, DetectorState>();

  protected readonly operations: Record<string, OperationHandler> = {
    CreateDetector: async (req, input: WithRequired<CreateDetectorRequest, 'Enable'>) => {
      if (this.detectors.has(regionKey(req)))
        throw badRequest(
          'The request is rejected because a detector already exists for the current account.',
        );
      // Enabling GuardDuty creates its service-linked role where it is missing, which the caller
      // must be allowed to do (https://docs.aws.amazon.com/guardduty/latest/ug/slr-permissions.html).
      await this.serviceRole?.(req);
      const now = new Date().toISOString();
      const detector: DetectorState = {
        id: newId(),
        status: input.Enable ? 'ENABLED' : 'DISABLED',
        findingPublishingFrequency: input.FindingPublishingFrequency ?? 'SIX_HOURS',
        createdAt: now,
        updatedAt: now,
        tags: { ...input.Tags },
        ipSets: new Map(),
      };
      this.detectors.set(regionKey(req), detector);
      return { DetectorId: detector.id };
    },

    ListDetectors: (req) => ({ DetectorIds: compact([this.detectors.get(regionKey(req))?.id]) }),

    GetDetector: (req, input: { DetectorId: string }): GetDetectorResponse => {
      const d = this.detector(req, input.DetectorId);
      return {
        CreatedAt: d.createdAt,
        FindingPublishingFrequency: d.findingPublishingFrequency,
        ServiceRole: `arn:aws:iam::${req.accountId}:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty`,
        Status: d.status,
        UpdatedAt: d.updatedAt,
        Tags: d.tags,
      };
    },

    // Only the members passed change.
    UpdateDetector: (req, input: WithRequired<UpdateDetectorRequest, 'DetectorId'>) => {
      const d = this.detector(req, input.DetectorId);
      if (input.Enable !== undefined) d.status = input.Enable ? 'ENABLED' : 'DISABLED';
      if (input.FindingPublishingFrequency) d.findingPublishingFrequency = input.FindingPublishingFrequency;
      d.updatedAt = new Date().toISOString();
      return {};
    },

    CreateIPSet: (
      req,
      input: WithRequired<CreateIPSetRequest, 'DetectorId' | 'Name' | 'Format' | 'Location' | 'Activate'>,
    ) => {
      const d = this.detector(req, input.DetectorId);
      const id = newId();
      d.ipSets.set(id, {
        name: input.Name,
        format: input.Format,
        location: input.Location,
        active: input.Activate,
        tags: { ...input.Tags },
      });
      return { IpSetId: id };
    },

    ListIPSets: (req, input: { DetectorId: string }) => ({
      IpSetIds: [...this.detector(req, input.DetectorId).ipSets.keys()],
    }),

    GetIPSet: (req, input: { DetectorId: string; IpSetId: string }): GetIPSetResponse => {
      const set = this.ipSet(req, input.DetectorId, input.IpSetId);
      return {
        Name: set.name,
        Format: set.format,
        Location: set.location,
        Status: set.active ? 'ACTIVE' : 'INACTIVE',
        Tags: set.tags,
      };
    },

    // Only the members passed change; Activate=false stops GuardDuty using the list.
    UpdateIPSet: (req, input: WithRequired<UpdateIPSetRequest, 'DetectorId' | 'IpSetId'>) => {
      const set = this.ipSet(req, input.DetectorId, input.IpSetId);
      if (input.Name !== undefined) set.name = input.Name;
      if (input.Location !== undefined) set.location = input.Location;
      if (input.Activate !== undefined) set.active = input.Activate;
      return {};
    },
  };

  /**
   * GuardDuty's model has no validation error: a request it cannot accept is refused with 400
   * BadRequestException ("A bad request exception object"), every operation's first listed error.
   * https://docs.aws.amazon.com/guardduty/latest/APIReference/API_CreateIPSet.html#API_CreateIPSet_Errors
   */
  protected override inputError(error: InputShapeError): AwsError {
    return badRequest(error.message);
  }

  private detector(req: SandboxRequest, id: string): DetectorState {
    const d = this.detectors.get(regionKey(req));
    if (!d || d.id !== id)
      throw badRequest(
        'The request is rejected because the input detectorId is not owned by the current account.',
      );
    return d;
  }

  private ipSet(req: SandboxRequest, detectorId: string, ipSetId: string): IpSetState {
    const set = this.detector(req, detectorId).ipSets.get(ipSetId);
    if (!set)
      throw badRequest(
        'The request is rejected because the input ipSetId is not owned by the current account.',
      );
    return set;
  }
}

const regionKey = (req: SandboxRequest) => `${req.accountId}/${req.region}`;
const compact = <T>(values: (T | undefined)[]): T[] => values.filter((v): v is T => v !== undefined);
// GuardDuty refuses what it cannot do with 400 BadRequestException.
// https://docs.aws.amazon.com/guardduty/latest/APIReference/API_GetDetector.html#API_GetDetector_Errors
const badRequest = (message: string) => new AwsError('BadRequestException', message, 400);
