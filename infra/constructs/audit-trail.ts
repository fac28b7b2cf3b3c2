import { aws_dynamodb as dynamodb, aws_iam as iam, RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** Props of {@link AuditTrail}. */
export interface AuditTrailProps {
  /** @default RemovalPolicy.RETAIN: an audit trail outlives the stack. */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The append-only audit trail: one record per decision and per playbook step.
 * Keys: `pk` = `FINDING#<id>`, `sk` = `<time>#<action>…`, so one finding's history reads in order;
 * the `byResource` index (`resourceKey`, `sk`) gives one resource's history in order.
 * On-demand, point-in-time recovery, deletion protection, encrypted at rest.
 */
export class AuditTrail extends Construct {
  public readonly table: dynamodb.Table;
  public static readonly RESOURCE_INDEX = 'byResource';

  constructor(scope: Construct, id: string, props: AuditTrailProps = {}) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: AuditTrail.RESOURCE_INDEX,
      partitionKey: { name: 'resourceKey', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
    });
  }

  /** Let `grantee` create records, and nothing else: no UpdateItem, no DeleteItem. */
  grantAppend(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:PutItem'],
      resourceArns: [this.table.tableArn],
    });
  }
}
