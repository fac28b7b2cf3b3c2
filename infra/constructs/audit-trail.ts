import {
  aws_dynamodb as dynamodb,
  aws_iam as iam,
  aws_kms as kms,
  type aws_lambda as lambda,
  RemovalPolicy,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AUDIT_MAC_KEY_ALIAS } from '#shared/audit/record-mac.ts';

/** Props of {@link AuditTrail}. */
export interface AuditTrailProps {
  /** @default RemovalPolicy.RETAIN: an audit trail outlives the stack. */
  readonly removalPolicy?: RemovalPolicy;
  /** Days a finding's records are kept (DynamoDB TTL), from the policy's `audit.retentionDays`. */
  readonly retentionDays: number;
}

/**
 * The append-only audit trail: one record per decision and per playbook step.
 * Keys: `pk` = `FINDING#<id>`, `sk` = `<time>#<action>…`, so one finding's history reads in order;
 * the `byResource` index (`resourceKey`, `sk`) gives one resource's history in order.
 * Records are hash-chained per finding and each MACed with an HMAC KMS key (`shared/audit/chain.ts`);
 * DynamoDB's TTL removes a finding's chain after the policy's retention.
 * One function, the appender, writes the trail and alone may generate MACs; every other writer
 * invokes it ({@link AuditTrail.grantAppend}), so no writer's role can rewrite the trail.
 * On-demand, point-in-time recovery, deletion protection, encrypted at rest.
 */
export class AuditTrail extends Construct {
  public readonly table: dynamodb.Table;
  /** The head of each finding's hash chain (`pk` = `CHAIN#<record pk>`): the only items ever updated. */
  public readonly chainTable: dynamodb.Table;
  /** The HMAC_256 key that authenticates each record; only the appender may GenerateMac with it. */
  public readonly macKey: kms.Key;
  public readonly retentionDays: number;
  public static readonly RESOURCE_INDEX = 'byResource';
  private appender?: lambda.Function;

  constructor(scope: Construct, id: string, props: AuditTrailProps) {
    super(scope, id);
    this.retentionDays = props.retentionDays;
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      // Retention: each finding's records carry one expiry (policy `audit.retentionDays`).
      timeToLiveAttribute: 'expiresAt',
    });
    this.chainTable = new dynamodb.Table(this, 'ChainHeads', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      timeToLiveAttribute: 'expiresAt',
    });
    // HMAC keys do not support automatic rotation; the key must outlive every record it MACed.
    // https://docs.aws.amazon.com/kms/latest/developerguide/hmac.html
    this.macKey = new kms.Key(this, 'MacKey', {
      description: 'Authenticates the auto-remediation audit trail records (HMAC)',
      keySpec: kms.KeySpec.HMAC_256,
      keyUsage: kms.KeyUsage.GENERATE_VERIFY_MAC,
      alias: AUDIT_MAC_KEY_ALIAS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: AuditTrail.RESOURCE_INDEX,
      partitionKey: { name: 'resourceKey', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
    });
  }

  /**
   * Make `fn` the trail's one writer: it may create records (PutItem, no UpdateItem or DeleteItem;
   * GetItem reads back a record whose key exists, so a retried append returns it), read and move
   * the chain heads, and MAC records with the key. Called once: a second writer would be a second
   * principal able to write the trail.
   */
  setAppender(fn: lambda.Function): void {
    if (this.appender) throw new Error(`the audit trail already has an appender: ${this.appender.node.path}`);
    this.appender = fn;
    iam.Grant.addToPrincipal({
      grantee: fn,
      actions: ['dynamodb:PutItem', 'dynamodb:GetItem'],
      resourceArns: [this.table.tableArn],
    });
    this.chainTable.grant(fn, 'dynamodb:GetItem', 'dynamodb:UpdateItem');
    this.macKey.grant(fn, 'kms:GenerateMac');
    fn.addEnvironment('AUDIT_TABLE', this.table.tableName);
    fn.addEnvironment('CHAIN_TABLE', this.chainTable.tableName);
    fn.addEnvironment('AUDIT_RETENTION_DAYS', String(this.retentionDays));
    fn.addEnvironment('AUDIT_MAC_KEY', this.macKey.keyArn);
  }

  /** Let `grantee` append records: invoke the appender, nothing on the tables or the key. */
  grantAppend(grantee: iam.IGrantable): void {
    this.requireAppender().grantInvoke(grantee);
  }

  /** What a writer's environment needs (`appenderFromEnv` in shared/audit/writer.ts), and the table it may query. */
  writerEnvironment(): Record<string, string> {
    return {
      AUDIT_TABLE: this.table.tableName,
      AUDIT_APPENDER_FUNCTION: this.requireAppender().functionName,
    };
  }

  private requireAppender(): lambda.Function {
    if (!this.appender) throw new Error('the audit trail has no appender yet: call setAppender first');
    return this.appender;
  }
}
