import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SANDBOX_CREDENTIALS, type SandboxCredentials } from './aws-sdk-clients.ts';
import { S3_CONTROL_CLIENT_CONFIG } from './s3-control-endpoint.ts';
import { SANDBOX_REGION } from './server.ts';

/**
 * Unmodified AWS SDK v3 clients pointed at a sandbox endpoint, as a user's code would make them.
 * They act in the account the credentials' access key maps to (the default account unless told).
 */
export function sandboxClients(
  endpoint: string,
  region = SANDBOX_REGION,
  credentials: SandboxCredentials = SANDBOX_CREDENTIALS,
) {
  const config = { endpoint, region, credentials };
  return {
    iam: new IAMClient(config),
    ec2: new EC2Client(config),
    events: new EventBridgeClient(config),
    sfn: new SFNClient(config),
    dynamodb: new DynamoDBClient(config),
    sns: new SNSClient(config),
    sqs: new SQSClient(config),
    autoscaling: new AutoScalingClient(config),
    elbv2: new ElasticLoadBalancingV2Client(config),
    cloudtrail: new CloudTrailClient(config),
    config: new ConfigServiceClient(config),
    guardduty: new GuardDutyClient(config),
    ecs: new ECSClient(config),
    kms: new KMSClient(config),
    lambda: new LambdaClient(config),
    s3: new S3Client({ ...config, forcePathStyle: true }),
    s3control: new S3ControlClient({ ...config, ...S3_CONTROL_CLIENT_CONFIG }),
  };
}
export type SandboxClients = ReturnType<typeof sandboxClients>;
