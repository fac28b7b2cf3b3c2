import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { type ApprovalRecord, ApprovalRecordSchema } from '#shared/approvals/model.ts';
import { type AuditRecord, AuditRecordSchema } from '#shared/audit/record.ts';

/** Reads and the single conditional write of the approvals table, and reads of the audit trail. */
export class ApprovalStore {
  constructor(
    private readonly client: Pick<DynamoDBClient, 'send'>,
    private readonly approvalsTable: string,
    private readonly auditTable: string,
  ) {}

  /** One request by id, or undefined. Strongly consistent: a decision must see the latest wait. */
  async get(id: string): Promise<ApprovalRecord | undefined> {
    const out = await this.client.send(
      new GetItemCommand({ TableName: this.approvalsTable, Key: { id: { S: id } }, ConsistentRead: true }),
    );
    return out.Item ? ApprovalRecordSchema.parse(unmarshall(out.Item)) : undefined;
  }

  /** Every request still marked pending (expired ones included; the caller tells them apart). */
  async pending(): Promise<ApprovalRecord[]> {
    const records: ApprovalRecord[] = [];
    let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.approvalsTable,
          FilterExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pending': { S: 'pending' } },
          ExclusiveStartKey,
        }),
      );
      records.push(...(page.Items ?? []).map((item) => ApprovalRecordSchema.parse(unmarshall(item))));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return records.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /**
   * Claim a pending request for a decision: one conditional write, so of two concurrent
   * decisions exactly one wins. False when the request was decided, re-issued or expired meanwhile.
   */
  async claim(
    record: ApprovalRecord,
    change: { status: 'approved' | 'denied'; decidedBy: string; reason: string; at: Date },
  ): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.approvalsTable,
          Key: { id: { S: record.id } },
          UpdateExpression: 'SET #status = :status, decidedAt = :at, decidedBy = :by, reason = :reason',
          ConditionExpression: '#status = :pending AND nonce = :nonce AND expiresAt > :at',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':status': { S: change.status },
            ':pending': { S: 'pending' },
            ':nonce': { S: record.nonce },
            ':at': { S: change.at.toISOString() },
            ':by': { S: change.decidedBy },
            ':reason': { S: change.reason },
          },
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  /** Undo a claim whose callback Step Functions refused (that wait had already ended). */
  async release(record: ApprovalRecord): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.approvalsTable,
          Key: { id: { S: record.id } },
          UpdateExpression: 'SET #status = :pending REMOVE decidedAt, decidedBy, reason',
          ConditionExpression: 'nonce = :nonce',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pending': { S: 'pending' }, ':nonce': { S: record.nonce } },
        }),
      );
    } catch (error) {
      // A newer wait (the escalation) already replaced the request: nothing of ours to undo.
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    }
  }

  /** The finding's audit trail, oldest first: what the playbook has done so far. */
  async history(auditPk: string): Promise<AuditRecord[]> {
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.auditTable,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: auditPk } },
      }),
    );
    return (out.Items ?? []).map((item) => AuditRecordSchema.parse(unmarshall(item)));
  }
}
