import type { ResourcePolicy } from './resource-authorization.ts';

/**
 * The resource policies the sandbox evaluates, by resource ARN: SNS topic policies, SQS queue
 * policies, KMS key policies, Lambda function policies (AddPermission statements) and Secrets
 * Manager secret policies. The deployer writes them from `AWS::SNS::TopicPolicy`,
 * `AWS::SQS::QueuePolicy`, `AWS::KMS::Key` `KeyPolicy` and `AWS::Lambda::Permission`. S3 bucket
 * policies stay with the S3 service (PutBucketPolicy), which {@link ResourcePolicyStore.policyOf}
 * asks through `bucketPolicy`; event-bus policies stay with EventBridge, which evaluates them.
 */
export class ResourcePolicyStore {
  private readonly documents = new Map<string, string>();
  /** Lambda permission statements, by unqualified function ARN. */
  private readonly permissions = new Map<string, object[]>();

  constructor(
    private readonly bucketPolicy?: (bucket: string) => { document?: string; accountId: string } | undefined,
  ) {}

  /** Set (replace) the policy of a topic, queue, key or secret. */
  set(arn: string, document: string): void {
    this.documents.set(arn, document);
  }

  /** Add one statement to a function's policy, as Lambda's AddPermission does. */
  addPermission(functionArn: string, statement: object): void {
    const list = this.permissions.get(functionArn) ?? [];
    list.push(statement);
    this.permissions.set(functionArn, list);
  }

  /** Remove the statement `sid` from a function's policy, as RemovePermission does; false when it is not there. */
  removePermission(functionArn: string, sid: string): boolean {
    const list = this.permissions.get(functionArn) ?? [];
    const kept = list.filter((s) => (s as { Sid?: string }).Sid !== sid);
    if (kept.length === list.length) return false;
    if (kept.length > 0) this.permissions.set(functionArn, kept);
    else this.permissions.delete(functionArn);
    return true;
  }

  /** A function's policy statements (empty: it has no policy). */
  permissionsOf(functionArn: string): readonly object[] {
    return this.permissions.get(functionArn) ?? [];
  }

  /**
   * The policy that governs `arn`, for a resource of a type that can have one; `undefined` for
   * any other (its access is decided by identity policies alone).
   */
  policyOf(arn: string | undefined): ResourcePolicy | undefined {
    if (!arn || arn === '*') return undefined;
    const [, , service = '', , accountId = '', resource = ''] = arn.split(':');
    switch (service) {
      case 'sns':
      case 'sqs':
      case 'secretsmanager':
        return { document: this.documents.get(arn), required: false, accountId };
      case 'kms':
        if (!resource.startsWith('key/')) return undefined;
        return {
          document: this.documents.get(arn) ?? defaultKeyPolicy(accountId),
          required: true,
          accountId,
        };
      case 'lambda': {
        const unqualified = arn.split(':').slice(0, 7).join(':');
        const statements = this.permissions.get(unqualified);
        const document = statements && JSON.stringify({ Version: '2012-10-17', Statement: statements });
        return { document, required: false, accountId };
      }
      case 's3': {
        const bucket = this.bucketPolicy?.(resource.split('/')[0] ?? '');
        return bucket && { document: bucket.document, required: false, accountId: bucket.accountId };
      }
      default:
        return undefined;
    }
  }
}

/**
 * The key policy KMS gives a key created without one: the account may use it, through IAM
 * policies. https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
 */
export function defaultKeyPolicy(accountId: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'Enable IAM User Permissions',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${accountId}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
    ],
  });
}

/** What `AWS::Lambda::Permission` (or AddPermission) says; see {@link permissionStatement}. */
export interface LambdaPermission {
  readonly sid: string;
  readonly functionArn: string;
  readonly action: string;
  /** `*`, an account id, an ARN, or a service principal (`events.amazonaws.com`). */
  readonly principal: string;
  readonly sourceArn?: string;
  readonly sourceAccount?: string;
  readonly principalOrgId?: string;
  readonly functionUrlAuthType?: string;
  readonly invokedViaFunctionUrl?: boolean;
}

/**
 * The statement Lambda adds to a function's policy for a permission, as GetPolicy shows it.
 * https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html
 * https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html
 */
export function permissionStatement(p: LambdaPermission): object {
  const principal =
    p.principal === '*'
      ? '*'
      : /^\d{12}$/.test(p.principal)
        ? { AWS: `arn:aws:iam::${p.principal}:root` }
        : p.principal.startsWith('arn:')
          ? { AWS: p.principal }
          : { Service: p.principal };
  const condition: Record<string, Record<string, string | boolean>> = {};
  if (p.sourceArn) condition.ArnLike = { 'AWS:SourceArn': p.sourceArn };
  if (p.sourceAccount) condition.StringEquals = { 'AWS:SourceAccount': p.sourceAccount };
  if (p.principalOrgId)
    condition.StringEquals = { ...condition.StringEquals, 'aws:PrincipalOrgID': p.principalOrgId };
  if (p.functionUrlAuthType)
    condition.StringEquals = {
      ...condition.StringEquals,
      'lambda:FunctionUrlAuthType': p.functionUrlAuthType,
    };
  if (p.invokedViaFunctionUrl) condition.Bool = { 'lambda:InvokedViaFunctionUrl': true };
  return {
    Sid: p.sid,
    Effect: 'Allow',
    Principal: principal,
    Action: p.action,
    Resource: p.functionArn,
    ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
  };
}
