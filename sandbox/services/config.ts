import type {
  ConfigurationRecorder,
  ConfigurationRecorderStatus,
  DeliveryChannel,
  DescribeConfigurationRecorderStatusRequest,
  DescribeConfigurationRecordersRequest,
} from '@aws-sdk/client-config-service';
import { AwsError, type SandboxRequest } from '../protocol.ts';
import { ModelService, type OperationHandler, type WithRequired } from '../wire/model-service.ts';
import { ServiceModel } from '../wire/service-model.ts';

/** One Region's customer managed recorder, its recording state, and its delivery channel. */
interface RegionConfig {
  recorder?: ConfigurationRecorder & { name: string };
  status?: ConfigurationRecorderStatus;
  channel?: DeliveryChannel & { name: string };
}

/**
 * The sandbox's AWS Config: the customer managed configuration recorder (one per account and
 * Region), its delivery channel, and whether it records, as the playbook that restarts a stopped
 * recorder reads and changes them. Behaviour from the API reference:
 * https://docs.aws.amazon.com/config/latest/APIReference/API_StartConfigurationRecorder.html
 */
export class ConfigService extends ModelService {
  readonly signingNames = ['config'] as const;
  readonly protocol = 'json' as const;
  protected readonly model = new ServiceModel('@aws-sdk/client-config-service', 'ConfigServiceClient');
  private readonly regions = new Map<string, RegionConfig>();

  /** The recorder's status in an account and Region, for tests. */
  recorderStatus(accountId: string, region: string): Readonly<ConfigurationRecorderStatus> | undefined {
    return this.regions.get(`${accountId}/${region}`)?.status;
  }

  protected readonly operations: Record<string, OperationHandler> = {
    // One customer managed recorder per account and Region: a second name is refused.
    PutConfigurationRecorder: (
      req,
      input: { ConfigurationRecorder: ConfigurationRecorder & { name?: string } },
    ) => {
      const config = this.configOf(req);
      const name = input.ConfigurationRecorder.name ?? 'default';
      if (config.recorder && config.recorder.name !== name)
        throw new AwsError(
          'MaxNumberOfConfigurationRecordersExceededException',
          'Failed to put configuration recorder because you have reached the limit for the maximum number of customer managed configuration records: (1)',
        );
      const arn = `arn:aws:config:${req.region}:${req.accountId}:configuration-recorder/${name}/${config.recorder?.arn?.split('/')[2] ?? recorderId()}`;
      config.recorder = { ...input.ConfigurationRecorder, name, arn };
      config.status ??= { arn, name, recording: false };
      return {};
    },

    DescribeConfigurationRecorders: (req, input: DescribeConfigurationRecordersRequest) => ({
      ConfigurationRecorders: this.recordersNamed(req, input.ConfigurationRecorderNames).map(
        ({ recorder }) => recorder,
      ),
    }),

    DescribeConfigurationRecorderStatus: (req, input: DescribeConfigurationRecorderStatusRequest) => ({
      ConfigurationRecordersStatus: this.recordersNamed(req, input.ConfigurationRecorderNames).map(
        ({ status }) => status,
      ),
    }),

    PutDeliveryChannel: (req, input: { DeliveryChannel: DeliveryChannel }) => {
      const config = this.configOf(req);
      const name = input.DeliveryChannel.name ?? 'default';
      if (!input.DeliveryChannel.s3BucketName)
        throw new AwsError('NoSuchBucketException', 'Cannot find a S3 bucket with an empty bucket name.');
      config.channel = { ...input.DeliveryChannel, name };
      return {};
    },

    DescribeDeliveryChannels: (req) => ({
      DeliveryChannels: this.configOf(req).channel ? [this.configOf(req).channel] : [],
    }),

    // A recorder records only with a delivery channel to deliver to.
    StartConfigurationRecorder: (
      req,
      input: WithRequired<{ ConfigurationRecorderName?: string }, 'ConfigurationRecorderName'>,
    ) => {
      const config = this.configOf(req);
      const { status } = this.recorder(req, input.ConfigurationRecorderName);
      if (!config.channel)
        throw new AwsError(
          'NoAvailableDeliveryChannelException',
          'Delivery channel is not available to start configuration recorder.',
        );
      Object.assign(status, {
        recording: true,
        lastStartTime: new Date(),
        lastStatus: 'PENDING',
        lastStatusChangeTime: new Date(),
      });
      return {};
    },

    StopConfigurationRecorder: (
      req,
      input: WithRequired<{ ConfigurationRecorderName?: string }, 'ConfigurationRecorderName'>,
    ) => {
      const { status } = this.recorder(req, input.ConfigurationRecorderName);
      Object.assign(status, { recording: false, lastStopTime: new Date(), lastStatusChangeTime: new Date() });
      return {};
    },
  };

  private configOf(req: SandboxRequest): RegionConfig {
    const key = `${req.accountId}/${req.region}`;
    let config = this.regions.get(key);
    if (!config) {
      config = {};
      this.regions.set(key, config);
    }
    return config;
  }

  private recorder(
    req: SandboxRequest,
    name: string,
  ): { recorder: ConfigurationRecorder; status: ConfigurationRecorderStatus } {
    const { recorder, status } = this.configOf(req);
    if (!recorder || !status || recorder.name !== name)
      throw new AwsError(
        'NoSuchConfigurationRecorderException',
        `Cannot find configuration recorder with the specified name '${name}'.`,
      );
    return { recorder, status };
  }

  /** The recorders named (every recorder when none is named); an unknown name is refused. */
  private recordersNamed(req: SandboxRequest, names: string[] | undefined) {
    const { recorder, status } = this.configOf(req);
    if (!names || names.length === 0) return recorder && status ? [{ recorder, status }] : [];
    return names.map((name) => this.recorder(req, name));
  }
}

/** A recorder's id as the last part of its ARN: lowercase letters and digits. */
const recorderId = () => Math.random().toString(36).slice(2, 10).padEnd(8, '0');
