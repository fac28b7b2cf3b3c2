import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { type AuditRecord, AuditRecordSchema } from './record.ts';

/**
 * Appends records to the audit table. The put is conditional on the key not existing,
 * so a record can never overwrite another; the writer's IAM grants PutItem only.
 */
export class AuditWriter {
  private sequence = 0;
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  /** Append one record. `sk` gets a per-writer sequence suffix so two records in one millisecond never collide. */
  async append(record: Omit<AuditRecord, 'sk'> & { sk?: string }): Promise<AuditRecord> {
    this.sequence = (this.sequence + 1) % 1_000_000;
    const full = AuditRecordSchema.parse({
      ...record,
      sk: record.sk ?? `${record.at}#${record.action}#${String(this.sequence).padStart(6, '0')}`,
    });
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: marshall(full, { removeUndefinedValues: true }),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return full;
  }
}
