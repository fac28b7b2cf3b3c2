import {
  aws_iam as iam,
  Stack,
  type aws_stepfunctions as sfn,
  type aws_stepfunctions_tasks as tasks,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { auditStep } from '../fragments/audit-step.ts';
import { catchToHuman } from '../fragments/needs-human.ts';
import type { PlaybookContext } from '../playbook.ts';
import type { AuditPaths } from '../quarantine-instance/steps.ts';

/** The playbook's name, as the policy names it. */
export const SNAPSHOT_AND_REIMAGE = 'snapshot-and-reimage';
/** JSONPath of the instance the finding is about. */
export const INSTANCE_ID = '$.finding.resource.instanceId';

/** The resource ARN patterns the playbook's calls are scoped to. */
export interface ReimageArns {
  readonly instances: string;
  readonly volumes: string;
  /** Snapshots and public images carry no account in their ARN. */
  readonly snapshots: string;
  readonly images: string;
  readonly replaceRootVolumeTasks: string;
}

/** What every group of steps of the playbook is built with. */
export interface ReimageSteps {
  readonly scope: Construct;
  readonly arns: ReimageArns;
  /** The needs-human path: audit the error at `$.error`, notify, fail. */
  readonly human: sfn.IChainable;
  /** An audit record of a step that succeeded; its own failure goes to needs-human. */
  audit(
    id: string,
    action: string,
    paths?: AuditPaths & { outcome?: 'succeeded' | 'skipped' },
  ): tasks.LambdaInvoke;
}

/** The steps' shared helpers for one state machine. */
export function reimageSteps(ctx: PlaybookContext, human: sfn.IChainable): ReimageSteps {
  const { scope } = ctx;
  const stack = Stack.of(scope);
  const arn = (resource: string, account?: string) =>
    stack.formatArn({ service: 'ec2', resource, resourceName: '*', account });
  return {
    scope,
    human,
    arns: {
      instances: arn('instance'),
      volumes: arn('volume'),
      // arn:aws:ec2:<region>::snapshot/<id> and ::image/<id>: EC2 leaves the account empty.
      snapshots: arn('snapshot', ''),
      images: arn('image', ''),
      replaceRootVolumeTasks: arn('replace-root-volume-task'),
    },
    audit: (id, action, paths = {}) =>
      catchToHuman(
        auditStep(scope, id, {
          appender: ctx.auditAppender,
          playbook: SNAPSHOT_AND_REIMAGE,
          action,
          outcome: 'succeeded',
          ...paths,
        }),
        human,
      ),
  };
}

/**
 * What EC2 needs of the caller's KMS permissions to create volumes from snapshots or images
 * encrypted with a customer managed key (a launch, a root volume replacement): grants and data
 * keys for the new volume, only through EC2 in this region, grants only for AWS resources
 * (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption-requirements.html,
 * https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service).
 */
export function ebsKeyStatements(scope: Construct): iam.PolicyStatement[] {
  const stack = Stack.of(scope);
  const keys = stack.formatArn({ service: 'kms', resource: 'key', resourceName: '*' });
  const viaEc2 = { 'kms:ViaService': `ec2.${stack.region}.amazonaws.com` };
  return [
    new iam.PolicyStatement({
      actions: ['kms:CreateGrant'],
      resources: [keys],
      conditions: { StringEquals: viaEc2, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    }),
    new iam.PolicyStatement({
      actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncrypt*'],
      resources: [keys],
      conditions: { StringEquals: viaEc2 },
    }),
  ];
}
