import { PutBucketPolicyCommand, type S3Client } from '@aws-sdk/client-s3';
import { permissionStatement, type ResourcePolicyStore } from '../services/iam/resource-policies.ts';
import type { Template } from './assembly.ts';
import type { DeployTarget, PhysicalResource } from './resolve.ts';

/** A queue's ARN from its URL (`<endpoint>/<account>/<name>`, what `Ref` of a queue gives). */
function queueArn(url: string, region: string): string {
  const [, account, name] = /\/(\d{12})\/([^/]+)$/.exec(url) ?? [];
  return `arn:aws:sqs:${region}:${account}:${name}`;
}

/** A function's ARN from `FunctionName`: a name, a partial ARN or an ARN. */
function functionArn(name: string, target: DeployTarget): string {
  if (name.startsWith('arn:')) return name;
  if (/^\d{12}:function:/.test(name)) return `arn:aws:lambda:${target.region}:${name}`;
  return `arn:aws:lambda:${target.region}:${target.accountId}:function:${name}`;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * Store the stack's resource policies where IAM evaluates them: topic policies
 * (`AWS::SNS::TopicPolicy`), queue policies (`AWS::SQS::QueuePolicy`), key policies
 * (`AWS::KMS::Key` `KeyPolicy`), function permissions (`AWS::Lambda::Permission`) and bucket
 * policies (`AWS::S3::BucketPolicy`, through S3's own PutBucketPolicy).
 */
export async function deployResourcePolicies(
  template: Template,
  physical: Map<string, PhysicalResource>,
  target: DeployTarget,
  store: ResourcePolicyStore,
  s3: S3Client,
): Promise<void> {
  const of = (type: string) => [...physical.values()].filter((r) => r.type === type);
  const props = (r: PhysicalResource) => template.Resources[r.logicalId]?.Properties ?? {};
  for (const policy of of('AWS::SNS::TopicPolicy')) {
    const p = props(policy);
    for (const topic of p.Topics ?? []) store.set(String(topic), JSON.stringify(p.PolicyDocument));
  }
  for (const policy of of('AWS::SQS::QueuePolicy')) {
    const p = props(policy);
    for (const queue of p.Queues ?? [])
      store.set(queueArn(String(queue), target.region), JSON.stringify(p.PolicyDocument));
  }
  for (const key of of('AWS::KMS::Key')) {
    const keyPolicy = props(key).KeyPolicy;
    if (keyPolicy) store.set(key.arn, JSON.stringify(keyPolicy));
  }
  for (const permission of of('AWS::Lambda::Permission')) {
    const p = props(permission);
    const arn = functionArn(String(p.FunctionName), target);
    store.addPermission(
      arn,
      permissionStatement({
        sid: permission.logicalId,
        functionArn: arn,
        action: String(p.Action),
        principal: String(p.Principal),
        sourceArn: text(p.SourceArn),
        sourceAccount: text(p.SourceAccount),
        functionUrlAuthType: text(p.FunctionUrlAuthType),
        invokedViaFunctionUrl: p.InvokedViaFunctionUrl === true || p.InvokedViaFunctionUrl === 'true',
      }),
    );
  }
  for (const policy of of('AWS::S3::BucketPolicy')) {
    const p = props(policy);
    await s3.send(
      new PutBucketPolicyCommand({ Bucket: String(p.Bucket), Policy: JSON.stringify(p.PolicyDocument) }),
    );
  }
}
