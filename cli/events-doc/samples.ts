import { CLOUDTRAIL_DETAIL_TYPES } from '#shared/findings/cloudtrail.ts';
import { CONFIG_COMPLIANCE_DETAIL_TYPE, CONFIG_SOURCE } from '#shared/findings/config.ts';

/**
 * Synthetic events for docs/events.md: one per consumed CloudTrail call and Config rule, with
 * well-formed identifiers, so the normalizers and the default policy decide them as in production.
 * The request names every field some call needs (each assessor reads only its own).
 */
const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const TIME = '2026-01-01T00:00:00Z';

const REQUEST = {
  groupId: 'sg-0123456789abcdef0',
  ipPermissions: {
    items: [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }],
  },
  // ModifySecurityGroupRules: one rule changed to SSH from anywhere (shared/findings/cloudtrail-modify-rules.ts).
  ModifySecurityGroupRulesRequest: {
    GroupId: 'sg-0123456789abcdef0',
    SecurityGroupRule: {
      SecurityGroupRuleId: 'sgr-0123456789abcdef0',
      SecurityGroupRule: { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIpv4: '0.0.0.0/0' },
    },
  },
  name: 'example-trail',
  trailName: 'example-trail',
  bucketName: 'example-bucket',
  detectorId: '12abc34d567e8fa901bc2d34e56789f0',
  configurationRecorderName: 'default',
  deliveryChannelName: 'default',
  flowLogIds: ['fl-0123456789abcdef0'],
  // The sharing calls: made public (the CloudTrail shapes in shared/findings/cloudtrail-sharing.ts).
  snapshotId: 'snap-0123456789abcdef0',
  imageId: 'ami-0123456789abcdef0',
  createVolumePermission: { add: { items: [{ group: 'all' }] } },
  launchPermission: { add: { items: [{ group: 'all' }] } },
  dBSnapshotIdentifier: 'example-snapshot',
  dBClusterSnapshotIdentifier: 'example-cluster-snapshot',
  attributeName: 'restore',
  valuesToAdd: ['all'],
  // Block Public Access put with every setting off (shared/findings/cloudtrail-public-access.ts).
  PublicAccessBlockConfiguration: {
    BlockPublicAcls: false,
    IgnorePublicAcls: false,
    BlockPublicPolicy: false,
    RestrictPublicBuckets: false,
  },
  standardsSubscriptionArns: [
    `arn:aws:securityhub:${REGION}:${ACCOUNT}:subscription/aws-foundational-security-best-practices/v/1.0.0`,
  ],
};

/** A CloudTrail record of `eventName` from `eventSource`, by an IAM user or (root-only calls) the root user. */
export function cloudTrailSample(source: string, eventName: string, eventSource: string, root: boolean) {
  const signIn = eventName === 'ConsoleLogin';
  return {
    version: '0',
    id: `sample-${eventName}`,
    source,
    'detail-type': CLOUDTRAIL_DETAIL_TYPES[signIn ? 1 : 0],
    account: ACCOUNT,
    time: TIME,
    region: REGION,
    resources: [],
    detail: {
      eventVersion: '1.08',
      eventID: `sample-${eventName}`,
      eventName,
      eventSource,
      eventTime: TIME,
      awsRegion: REGION,
      recipientAccountId: ACCOUNT,
      userIdentity: root
        ? { type: 'Root', arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT }
        : {
            type: 'IAMUser',
            arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
            accountId: ACCOUNT,
            userName: 'alice',
          },
      requestParameters: REQUEST,
      // What a successful call answers, where the normalizer reads it (the key CreateAccessKey made).
      responseElements: signIn
        ? { ConsoleLogin: 'Success' }
        : { accessKey: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', status: 'Active' } },
    },
  };
}

/** A well-formed id of each Config resource type a playbook acts on. */
const CONFIG_RESOURCE_IDS: Readonly<Record<string, string>> = {
  'AWS::EC2::SecurityGroup': 'sg-0123456789abcdef0',
  'AWS::EC2::Instance': 'i-0123456789abcdef0',
  'AWS::S3::Bucket': 'example-bucket',
  'AWS::CloudTrail::Trail': 'example-trail',
  'AWS::::Account': ACCOUNT,
  'AWS::KMS::Key': '1234abcd-12ab-34cd-56ef-1234567890ab',
  'AWS::Lambda::Function': 'example-function',
  'AWS::EC2::Snapshot': 'snap-0123456789abcdef0',
  'AWS::EC2::Volume': 'vol-0123456789abcdef0',
  'AWS::RDS::DBInstance': 'db-ABCDEFGHIJKLMNOPQRSTUVWXY0',
};

/** A NON_COMPLIANT evaluation of `rule` on a resource of `resourceType`. */
export function configSample(rule: string, resourceType: string) {
  const resourceId = CONFIG_RESOURCE_IDS[resourceType];
  if (!resourceId) throw new Error(`no sample id for Config resource type ${resourceType}: add one`);
  return {
    version: '0',
    id: `sample-${rule}`,
    source: CONFIG_SOURCE,
    'detail-type': CONFIG_COMPLIANCE_DETAIL_TYPE,
    account: ACCOUNT,
    time: TIME,
    region: REGION,
    resources: [],
    detail: {
      configRuleName: rule,
      resourceType,
      resourceId,
      awsAccountId: ACCOUNT,
      awsRegion: REGION,
      newEvaluationResult: { complianceType: 'NON_COMPLIANT', resultRecordedTime: TIME },
    },
  };
}
