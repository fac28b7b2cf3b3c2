import { aws_dynamodb as dynamodb, aws_iam as iam, RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';

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
 * Records are hash-chained per finding (`shared/audit/chain.ts`); DynamoDB's TTL removes a
 * finding's chain after the policy's retention.
 * On-demand, point-in-time recovery, deletion protection, encrypted at rest.
 */
export class AuditTrail extends Construct {
  public readonly table: dynamodb.Table;
  /** The head of each finding's hash chain (`pk` = `CHAIN#<record pk>`): the only items ever updated. */
  public readonly chainTable: dynamodb.Table;
  public readonly retentionDays: number;
  public static readonly RESOURCE_INDEX = 'byResource';

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
    this.table.addGlobalSecondaryIndex({
      indexName: AuditTrail.RESOURCE_INDEX,
      partitionKey: { name: 'resourceKey', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
    });
  }

  /**
   * Let `grantee` create records, and nothing else: no UpdateItem, no DeleteItem. GetItem reads
   * back a record whose key exists, so a retried append returns it instead of appending twice.
   * The chain's head lives in `chainTable`: read it and move it.
   */
  grantAppend(grantee: iam.IGrantable): void {
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:PutItem', 'dynamodb:GetItem'],
      resourceArns: [this.table.tableArn],
    });
    this.chainTable.grant(grantee, 'dynamodb:GetItem', 'dynamodb:UpdateItem');
  }

  /** What a writer's environment needs (`chainTablesFromEnv` in shared/audit/writer.ts). */
  writerEnvironment(): Record<string, string> {
    return {
      AUDIT_TABLE: this.table.tableName,
      CHAIN_TABLE: this.chainTable.tableName,
      AUDIT_RETENTION_DAYS: String(this.retentionDays),
    };
  }
}
