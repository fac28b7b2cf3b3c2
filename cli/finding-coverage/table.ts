import { readFileSync } from 'node:fs';
import { type Classification, classifyEvent } from '#shared/classify.ts';
import type { Policy } from '#shared/policy/schema.ts';

/** The data file: GuardDuty's active finding types, each with the resource types it is reported on. */
export const FINDING_TYPES_FILE = new URL('./guardduty-finding-types.json', import.meta.url);

interface FindingTypeList {
  source: string;
  types: { type: string; feature: string; resourceTypes: string[] }[];
}

/** The score every generated finding carries: High, where the issue measured the gaps. */
const SEVERITY = 8;
const ACCOUNT = '111122223333';
const REGION = 'us-east-1';

/** `detail.resource` as GuardDuty reports it for each resource type, with well-formed identifiers. */
const RESOURCES: Readonly<Record<string, Record<string, unknown>>> = {
  AccessKey: {
    accessKeyDetails: {
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      principalId: 'AIDACKCEVSQ6C2EXAMPLE',
      userType: 'IAMUser',
      userName: 'alice',
    },
  },
  Instance: {
    instanceDetails: {
      instanceId: 'i-0123456789abcdef0',
      networkInterfaces: [
        {
          networkInterfaceId: 'eni-0123456789abcdef0',
          vpcId: 'vpc-0123456789abcdef0',
          securityGroups: [{ groupId: 'sg-0123456789abcdef0', groupName: 'web' }],
        },
      ],
    },
  },
  // S3 data-event findings name the caller (accessKeyDetails) besides the bucket, as GuardDuty's
  // sample S3 finding shows (examples/events/gdsample-guardduty_s3_event.json).
  S3Bucket: {
    accessKeyDetails: {
      accessKeyId: 'AKIAI44QH8DHBEXAMPLE',
      principalId: 'AIDAJQABLZS4A3QDU576Q',
      userType: 'IAMUser',
      userName: 'bob',
    },
    s3BucketDetails: [{ name: 'reports-bucket', type: 'Destination' }],
  },
  EKSCluster: {
    eksClusterDetails: { name: 'prod-cluster', arn: `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/prod-cluster` },
  },
  ECSCluster: {
    ecsClusterDetails: { name: 'prod-cluster', arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/prod-cluster` },
  },
  Container: { containerDetails: { id: 'abcdef0123456789', name: 'web' } },
  Lambda: {
    lambdaDetails: {
      functionName: 'checkout',
      functionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:checkout`,
    },
  },
  RDSDBInstance: { rdsDbInstanceDetails: { dbInstanceIdentifier: 'orders-db', engine: 'aurora-postgresql' } },
  S3Object: { s3BucketDetails: [{ name: 'uploads-bucket', s3ObjectDetails: [{ key: 'invoice.pdf' }] }] },
  EBSSnapshot: {
    ebsSnapshotDetails: { snapshotArn: `arn:aws:ec2:${REGION}::snapshot/snap-0123456789abcdef0` },
  },
  EC2Image: { ec2ImageDetails: { imageArn: `arn:aws:ec2:${REGION}::image/ami-0123456789abcdef0` } },
  RecoveryPoint: {
    recoveryPointDetails: { recoveryPointArn: `arn:aws:backup:${REGION}:${ACCOUNT}:recovery-point:1` },
  },
  AttackSequence: {},
};

/** The node or container instance Runtime Monitoring and Malware Protection for EC2 report a workload on. */
const NODE = {
  instanceDetails: {
    instanceId: 'i-0fedcba9876543210',
    networkInterfaces: [{ networkInterfaceId: 'eni-0fedcba9876543210', vpcId: 'vpc-0123456789abcdef0' }],
  },
};
const HOSTED_ON_INSTANCE = new Set(['Runtime Monitoring', 'Malware Protection for EC2']);
/**
 * Runtime Monitoring on ECS also reports tasks on Fargate, which run on no instance: the finding
 * names the task (EcsTaskDetails, https://docs.aws.amazon.com/guardduty/latest/APIReference/API_EcsTaskDetails.html).
 * Such rows are labelled with this suffix and carry the task instead of a node.
 */
const FARGATE = ' (Fargate)';
const FARGATE_TASK = {
  ecsClusterDetails: {
    name: 'prod-cluster',
    arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/prod-cluster`,
    taskDetails: {
      arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/prod-cluster/0123456789abcdef0123456789abcdef`,
      definitionArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/checkout:7`,
      launchType: 'FARGATE',
    },
  },
};

/** `detail.service` additions: the credentials an attack sequence names (API_User). */
const SERVICES: Readonly<Record<string, Record<string, unknown>>> = {
  AttackSequence: {
    detection: {
      sequence: {
        uid: 'sequence-1',
        description: 'A sequence of signals',
        signals: [],
        actors: [
          {
            id: 'actor-1',
            user: {
              name: 'carol',
              uid: 'AIDACKCEVSQ6C2EXAMPLE',
              type: 'IAMUser',
              credentialUid: 'AKIAIOSFODNN7EXAMPLE',
            },
          },
        ],
      },
    },
  },
};

/** `detail.service.action` of a port-probe finding: the instance's port that was probed (API_PortProbeAction). */
const PORT_PROBE = {
  action: {
    actionType: 'PORT_PROBE',
    portProbeAction: {
      blocked: false,
      portProbeDetails: [{ localPortDetails: { port: 22, portName: 'SSH' } }],
    },
  },
};

/** One `GuardDuty Finding` event of `type` about a resource of `resourceType`. */
export function guardDutyEvent(type: string, labelled: string, index: number, feature = '') {
  const fargate = labelled.endsWith(FARGATE);
  const resourceType = fargate ? labelled.slice(0, -FARGATE.length) : labelled;
  const onInstance = !fargate && resourceType !== 'Instance' && HOSTED_ON_INSTANCE.has(feature);
  const id = index.toString(16).padStart(32, '0');
  return {
    version: '0',
    id: `00000000-0000-4000-8000-${index.toString(16).padStart(12, '0')}`,
    'detail-type': 'GuardDuty Finding',
    source: 'aws.guardduty',
    account: ACCOUNT,
    region: REGION,
    detail: {
      schemaVersion: '2.0',
      accountId: ACCOUNT,
      region: REGION,
      id,
      type,
      severity: SEVERITY,
      createdAt: '2026-11-20T09:21:45.118Z',
      updatedAt: '2026-11-20T09:21:45.118Z',
      title: type,
      resource: {
        resourceType,
        ...(fargate ? FARGATE_TASK : RESOURCES[resourceType]),
        ...(onInstance && NODE),
      },
      service: {
        serviceName: 'guardduty',
        archived: false,
        count: 1,
        ...SERVICES[resourceType],
        ...(type.startsWith('Recon:EC2/PortProbe') && PORT_PROBE),
      },
    },
  };
}

/** One row of the table. */
export interface CoverageRow {
  type: string;
  resourceType: string;
  outcome: string;
  playbook: string;
  mode: string;
  rule: string;
}

function rowOf(type: string, resourceType: string, result: Classification | undefined): CoverageRow {
  const routed = result?.outcome === 'routed' ? result : undefined;
  return {
    type,
    resourceType,
    outcome: result?.outcome ?? 'none',
    playbook: routed?.playbook ?? '',
    mode: routed?.mode ?? '',
    rule: routed?.ruleId ?? '',
  };
}

/** Classify one generated event per finding type and resource type with `policy`. */
export function coverageRows(policy: Policy): { source: string; rows: CoverageRow[] } {
  const list = JSON.parse(readFileSync(FINDING_TYPES_FILE, 'utf8')) as FindingTypeList;
  const ctx = { now: new Date('2026-11-23T12:00:00Z'), recentAutoActions: 0 };
  let index = 0;
  const rows = list.types.flatMap(({ type, feature, resourceTypes }) =>
    resourceTypes
      .flatMap((named) =>
        named === 'ECSCluster' && feature === 'Runtime Monitoring' ? [named, `${named}${FARGATE}`] : [named],
      )
      .map((resourceType) => {
        index += 1;
        const results = classifyEvent(guardDutyEvent(type, resourceType, index, feature), policy, ctx);
        return rowOf(type, resourceType, results[0]);
      }),
  );
  return { source: list.source, rows };
}

/** A row that reaches people or a playbook: routed (a playbook runs, or people are notified). */
export const isVisible = (row: CoverageRow): boolean => row.outcome === 'routed';
/** A row that can start containment: a playbook in auto or approve mode. */
export const canContain = (row: CoverageRow): boolean =>
  row.playbook !== '' && (row.mode === 'auto' || row.mode === 'approve');

/** docs/coverage.md: the summary and one line per finding type and resource type. */
export function coverageMarkdown(policy: Policy): string {
  const { source, rows } = coverageRows(policy);
  const types = new Set(rows.map((row) => row.type));
  const containTypes = new Set(rows.filter(canContain).map((row) => row.type));
  const silent = rows.filter((row) => !isVisible(row));
  const lines = [
    '# GuardDuty coverage',
    '',
    '<!-- Generated by `npm run coverage` from cli/finding-coverage/guardduty-finding-types.json and',
    'policy/default.yaml. Do not edit: a test fails when this file is stale. -->',
    '',
    `One correctly shaped \`GuardDuty Finding\` event per active finding type and resource type (list: ${source}),`,
    `at severity ${SEVERITY} (High), classified with policy/default.yaml as \`remediate classify\` does.`,
    '`routed` with a playbook starts it in the mode shown; `routed` in mode `notify` tells people.',
    '',
    `- Finding types: ${types.size}; rows (type × resource type): ${rows.length}`,
    `- Types that can start containment (auto or approve) on at least one resource type: ${containTypes.size}`,
    `- Rows that start containment: ${rows.filter(canContain).length}; notified: ${rows.filter((row) => row.mode === 'notify').length}`,
    `- Rows without a visible outcome: ${silent.length}`,
    '',
    '| Finding type | Resource type | Outcome | Playbook | Mode | Rule |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (row) =>
        `| \`${row.type}\` | ${row.resourceType} | ${row.outcome} | ${row.playbook} | ${row.mode} | ${row.rule} |`,
    ),
    '',
  ];
  return lines.join('\n');
}
