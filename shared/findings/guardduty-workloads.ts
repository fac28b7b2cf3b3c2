import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { ACCESS_KEY_ID, BUCKET_NAME, IAM_USER_NAME, type Resource } from './finding.ts';

/**
 * GuardDuty findings about workloads (S3 data access, Lambda, EKS, ECS, containers, RDS, S3
 * objects, attack sequences): which resource a playbook acts on, and what else people are told.
 * Field names are GuardDuty's `Resource` and `Service` objects as EventBridge delivers them
 * (camelCase): https://docs.aws.amazon.com/guardduty/latest/APIReference/API_Resource.html
 */

/** What the resolvers of guardduty.ts turn GuardDuty's own objects into. */
export interface ResourceResolvers {
  /** An `accessKeyDetails` object as an AccessKey resource, or `undefined` when it names no key. */
  accessKey(details: unknown, path: string): ResolvedWorkload | undefined;
  /** An `instanceDetails` object as an Instance resource. */
  instance(details: unknown, path: string): ResolvedWorkload;
}

/** The resource acted on, with how the source reported it and what else it names. */
export interface ResolvedWorkload {
  resource: Resource;
  resourceTags: Record<string, string>;
  reportedAs?: string;
  context?: Record<string, string>;
}

const LAMBDA_ARN = /^arn:aws[\w-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}$/;
const ROLE_ARN = /^arn:aws[\w-]*:iam::\d{12}:role\/.+$/;
/** `cluster/<name>`: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-account-settings.html#ecs-resource-ids */
const ECS_CLUSTER_ARN = /^arn:aws[\w-]*:ecs:[a-z0-9-]+:\d{12}:cluster\/[A-Za-z0-9_-]{1,255}$/;
/** `task/<cluster name>/<task id>` (the long ARN format) or `task/<task id>` (the old one). */
const ECS_TASK_ARN = /^arn:aws[\w-]*:ecs:[a-z0-9-]+:\d{12}:task\/([A-Za-z0-9_-]{1,255}\/)?[a-z0-9]{32}$/;
const ECS_TASK_DEFINITION_ARN =
  /^arn:aws[\w-]*:ecs:[a-z0-9-]+:\d{12}:task-definition\/[A-Za-z0-9_-]{1,255}:\d+$/;
const Tags = z.optional(z.array(z.looseObject({ key: z.string(), value: z.string() })));

const LambdaDetails = z.looseObject({
  functionArn: z.string(),
  functionName: z.string(),
  functionVersion: z.optional(z.string()),
  role: z.optional(z.string()),
  tags: Tags,
});
const KubernetesDetails = z.looseObject({
  kubernetesUserDetails: z.optional(z.looseObject({ username: z.optional(z.string()) })),
  kubernetesWorkloadDetails: z.optional(
    z.looseObject({
      name: z.optional(z.string()),
      type: z.optional(z.string()),
      namespace: z.optional(z.string()),
    }),
  ),
});
const Named = z.looseObject({ name: z.optional(z.string()), arn: z.optional(z.string()) });
/**
 * `ecsClusterDetails` (GuardDuty's EcsClusterDetails, and its `taskDetails`, EcsTaskDetails):
 * https://docs.aws.amazon.com/guardduty/latest/APIReference/API_EcsClusterDetails.html,
 * https://docs.aws.amazon.com/guardduty/latest/APIReference/API_EcsTaskDetails.html
 */
const EcsCluster = z.looseObject({
  name: z.optional(z.string()),
  arn: z.optional(z.string()),
  taskDetails: z.optional(
    z.looseObject({
      arn: z.optional(z.string()),
      definitionArn: z.optional(z.string()),
      launchType: z.optional(z.string()),
      group: z.optional(z.string()),
      tags: Tags,
    }),
  ),
});
const RdsInstance = z.looseObject({
  dbInstanceIdentifier: z.optional(z.string()),
  dbClusterIdentifier: z.optional(z.string()),
  engine: z.optional(z.string()),
});
const RdsUser = z.looseObject({ user: z.optional(z.string()), database: z.optional(z.string()) });
const RdsLogin = z.looseObject({
  action: z.optional(
    z.looseObject({
      rdsLoginAttemptAction: z.optional(
        z.looseObject({
          remoteIpDetails: z.optional(z.looseObject({ ipAddressV4: z.optional(z.string()) })),
        }),
      ),
    }),
  ),
});
const S3Objects = z.array(
  z.looseObject({
    name: z.optional(z.string()),
    s3ObjectDetails: z.optional(z.array(z.looseObject({ key: z.optional(z.string()) }))),
  }),
);
/** Attack sequence actors: https://docs.aws.amazon.com/guardduty/latest/APIReference/API_User.html */
const SequenceActors = z.looseObject({
  detection: z.looseObject({
    sequence: z.looseObject({
      actors: z.optional(
        z.array(
          z.looseObject({
            user: z.optional(
              z.looseObject({
                name: z.string(),
                type: z.string(),
                uid: z.optional(z.string()),
                credentialUid: z.optional(z.string()),
              }),
            ),
          }),
        ),
      ),
    }),
  }),
});

/** Only defined, non-empty values: a context line with no value says nothing. */
function contextOf(entries: Record<string, string | undefined>): Record<string, string> | undefined {
  const kept = Object.entries(entries).filter((entry): entry is [string, string] => !!entry[1]);
  return kept.length > 0 ? Object.fromEntries(kept) : undefined;
}

function tagsOf(tags: z.infer<typeof Tags>): Record<string, string> {
  return Object.fromEntries((tags ?? []).map((tag) => [tag.key, tag.value]));
}

const other = (type: string, id: string, context?: Record<string, string>): ResolvedWorkload => ({
  resource: { kind: 'Other', type, id },
  resourceTags: {},
  ...(context && { context }),
});

/**
 * An S3 data-event finding (S3Bucket, not `Policy:S3/*`): GuardDuty names the principal whose
 * calls it saw in `accessKeyDetails`, and that principal is what is contained (its key, or its
 * role's sessions); the bucket is context. "S3 Protection finding types" say the resource type is
 * S3Bucket for CloudTrail data events, with the caller's access key details.
 * https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_finding-types-s3.html
 */
export function s3PrincipalOf(
  resource: Record<string, unknown>,
  bucketName: string,
  resolve: ResourceResolvers,
): ResolvedWorkload | undefined {
  const actor = resolve.accessKey(resource['accessKeyDetails'], 'detail.resource.accessKeyDetails');
  if (!actor) return undefined;
  return { ...actor, reportedAs: 'S3Bucket', context: { Bucket: bucketName } };
}

/** The resource of a workload finding GuardDuty reports on another resource type than the core three. */
export function workloadResourceOf(
  findingId: string,
  resource: Record<string, unknown> & { resourceType: string },
  service: Record<string, unknown> | undefined,
  resolve: ResourceResolvers,
): ResolvedWorkload {
  const type = resource.resourceType;
  switch (type) {
    case 'Lambda': {
      const lambda = LambdaDetails.safeParse(resource['lambdaDetails']);
      if (!lambda.success || !LAMBDA_ARN.test(lambda.data.functionArn)) return other(type, findingId);
      const { functionArn, functionName, functionVersion, role } = lambda.data;
      return {
        resource: {
          kind: 'LambdaFunction',
          functionName,
          functionArn,
          roleArn: role && ROLE_ARN.test(role) ? role : undefined,
        },
        resourceTags: tagsOf(lambda.data.tags),
        context: contextOf({ Version: functionVersion }),
      };
    }
    case 'EKSCluster':
    case 'ECSCluster':
    case 'Container': {
      const k8s = KubernetesDetails.safeParse(resource['kubernetesDetails']);
      const workload = k8s.success ? k8s.data.kubernetesWorkloadDetails : undefined;
      const eks = Named.safeParse(resource['eksClusterDetails']);
      const ecs = EcsCluster.safeParse(resource['ecsClusterDetails']);
      const container = Named.safeParse(resource['containerDetails']);
      const context = contextOf({
        Cluster: (eks.success ? eks.data.name : undefined) ?? (ecs.success ? ecs.data.name : undefined),
        Namespace: workload?.namespace,
        Workload: workload?.name && `${workload.type ?? 'workload'} ${workload.name}`,
        Task: ecs.success ? ecs.data.taskDetails?.arn : undefined,
        'Launch type': ecs.success ? ecs.data.taskDetails?.launchType : undefined,
        'Task group': ecs.success ? ecs.data.taskDetails?.group : undefined,
        Container: container.success ? container.data.name : undefined,
        'Kubernetes user': k8s.success ? k8s.data.kubernetesUserDetails?.username : undefined,
      });
      // Runtime Monitoring and Malware Protection for EC2 name the node or container instance the
      // workload ran on: that instance is what can be contained. EKS audit-log findings name none.
      if (resource['instanceDetails'] !== undefined) {
        const node = resolve.instance(resource['instanceDetails'], 'detail.resource.instanceDetails');
        return { ...node, reportedAs: type, ...(context && { context }) };
      }
      // No instance (a Fargate task has none): the task itself is what can be contained.
      const task = ecs.success ? ecsTaskOf(ecs.data) : undefined;
      if (task) return { ...task, reportedAs: type, ...(context && { context }) };
      return other(type, findingId, context);
    }
    case 'RDSDBInstance':
    case 'RDSLimitlessDB': {
      const db = RdsInstance.safeParse(resource['rdsDbInstanceDetails']);
      const user = RdsUser.safeParse(resource['rdsDbUserDetails']);
      const login = RdsLogin.safeParse(service);
      return other(
        type,
        findingId,
        contextOf({
          Database: db.success ? (db.data.dbInstanceIdentifier ?? db.data.dbClusterIdentifier) : undefined,
          Engine: db.success ? db.data.engine : undefined,
          'Database user': user.success ? user.data.user : undefined,
          'Database name': user.success ? user.data.database : undefined,
          Source: login.success
            ? login.data.action?.rdsLoginAttemptAction?.remoteIpDetails?.ipAddressV4
            : undefined,
        }),
      );
    }
    case 'S3Object': {
      // Malware Protection for S3 (`Object:S3/MaliciousFile`): the bucket is what a playbook acts
      // on (its policy denies reading objects tagged as threats); the object is context.
      const buckets = S3Objects.safeParse(resource['s3BucketDetails']);
      const bucket = buckets.success ? buckets.data[0] : undefined;
      const context = contextOf({ Bucket: bucket?.name, Object: bucket?.s3ObjectDetails?.[0]?.key });
      if (!bucket?.name || !BUCKET_NAME.test(bucket.name)) return other(type, findingId, context);
      return {
        resource: { kind: 'Bucket', bucketName: bucket.name },
        resourceTags: {},
        reportedAs: type,
        ...(context && { context }),
      };
    }
    case 'EBSSnapshot':
    case 'EC2Image':
    case 'RecoveryPoint':
      return backupResource(findingId, type, resource);
    case 'AttackSequence':
      return attackSequenceResource(findingId, service, resolve);
    default:
      return other(type, findingId);
  }
}

/** The ECS task a finding names, when its cluster and task ARNs are well formed. */
function ecsTaskOf(details: z.infer<typeof EcsCluster>): ResolvedWorkload | undefined {
  const task = details.taskDetails;
  if (!details.arn || !ECS_CLUSTER_ARN.test(details.arn) || !task?.arn || !ECS_TASK_ARN.test(task.arn))
    return undefined;
  const definition = task.definitionArn;
  return {
    resource: {
      kind: 'EcsTask',
      clusterArn: details.arn,
      taskArn: task.arn,
      taskDefinitionArn: definition && ECS_TASK_DEFINITION_ARN.test(definition) ? definition : undefined,
    },
    resourceTags: tagsOf(task.tags),
  };
}

/**
 * An attack sequence names the credentials it saw used (`service.detection.sequence.actors[].user`,
 * `credentialUid` being the access key id): the first named key is what the credential playbooks
 * contain; the others are listed for people.
 */
function attackSequenceResource(
  findingId: string,
  service: Record<string, unknown> | undefined,
  resolve: ResourceResolvers,
): ResolvedWorkload {
  const parsed = SequenceActors.safeParse(service);
  const users = parsed.success
    ? (parsed.data.detection.sequence.actors ?? []).flatMap((a) => a.user ?? [])
    : [];
  const credentials = users.filter((user) => user.credentialUid);
  // Only well-formed keys are handed on: a malformed actor must not reject the whole sequence.
  const usable = credentials.filter(
    (user) => ACCESS_KEY_ID.test(user.credentialUid ?? '') && IAM_USER_NAME.test(user.name),
  );
  const context = contextOf({
    Credentials: credentials.map((user) => `${user.type} ${user.name} (${user.credentialUid})`).join(', '),
  });
  for (const user of usable) {
    const key = resolve.accessKey(
      { accessKeyId: user.credentialUid, userName: user.name, userType: user.type },
      'detail.service.detection.sequence.actors[].user',
    );
    if (key?.resource.kind === 'AccessKey')
      return {
        ...key,
        resource: { ...key.resource, principalArn: user.uid?.startsWith('arn:') ? user.uid : undefined },
        reportedAs: 'AttackSequence',
        ...(context && { context }),
      };
  }
  return other('AttackSequence', findingId, context);
}

const SNAPSHOT_ARN = /^arn:aws[\w-]*:ec2:[a-z0-9-]+:\d{0,12}:snapshot\/(snap-(?:[0-9a-f]{8}|[0-9a-f]{17}))$/;
const IMAGE_ARN = /^arn:aws[\w-]*:ec2:[a-z0-9-]+:\d{0,12}:image\/(ami-(?:[0-9a-f]{8}|[0-9a-f]{17}))$/;
const SnapshotDetails = z.looseObject({ snapshotArn: z.string() });
const ImageDetails = z.looseObject({ imageArn: z.string() });
const RecoveryPointDetails = z.looseObject({
  recoveryPointArn: z.optional(z.string()),
  backupVaultName: z.optional(z.string()),
});

/**
 * Malware Protection for Backup: malware in an EBS snapshot (`ebsSnapshotDetails`), an AMI
 * (`ec2ImageDetails`) or an AWS Backup recovery point (`recoveryPointDetails`)
 * (https://docs.aws.amazon.com/guardduty/latest/ug/findings-malware-protection-backup.html). A
 * snapshot or AMI becomes the `Other` resource typed as Security Hub types it (AwsEc2Snapshot,
 * AwsEc2Image), so revoke-outside-sharing can take back who may use it; a recovery point is
 * context for people only.
 */
function backupResource(
  findingId: string,
  type: string,
  resource: Record<string, unknown>,
): ResolvedWorkload {
  const snapshot = SnapshotDetails.safeParse(resource['ebsSnapshotDetails']);
  const image = ImageDetails.safeParse(resource['ec2ImageDetails']);
  const arn = snapshot.success ? snapshot.data.snapshotArn : image.success ? image.data.imageArn : undefined;
  const snapshotId = snapshot.success ? SNAPSHOT_ARN.exec(snapshot.data.snapshotArn)?.[1] : undefined;
  const imageId = image.success ? IMAGE_ARN.exec(image.data.imageArn)?.[1] : undefined;
  if (type === 'EBSSnapshot' && snapshotId)
    return {
      resource: { kind: 'Other', type: 'AwsEc2Snapshot', id: snapshotId },
      resourceTags: {},
      reportedAs: type,
      context: { Snapshot: snapshotId },
    };
  if (type === 'EC2Image' && imageId)
    return {
      resource: { kind: 'Other', type: 'AwsEc2Image', id: imageId },
      resourceTags: {},
      reportedAs: type,
      context: { Image: imageId },
    };
  const point = RecoveryPointDetails.safeParse(resource['recoveryPointDetails']);
  return other(
    type,
    findingId,
    contextOf({
      Resource: arn,
      'Recovery point': point.success ? point.data.recoveryPointArn : undefined,
      'Backup vault': point.success ? point.data.backupVaultName : undefined,
    }),
  );
}
