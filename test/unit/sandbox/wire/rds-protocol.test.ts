import {
  DescribeDBClusterSnapshotAttributesCommand,
  ModifyDBClusterSnapshotAttributeCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS } from '#sandbox/credentials.ts';
import { SandboxServer } from '#sandbox/server.ts';
import { RdsService } from '#sandbox/services/rds.ts';
import { formCall } from './signed-request.ts';

const server = new SandboxServer();
const rds = new RdsService();
server.register(rds);
let endpoint: string;
const call = (params: Record<string, string>) =>
  formCall(endpoint, 'rds', { Version: '2014-10-31', ...params });
const sharedWith = async (identifier: string) => {
  const answer = await call({ Action: 'DescribeDBSnapshotAttributes', DBSnapshotIdentifier: identifier });
  return [...answer.body.matchAll(/<AttributeValue>([^<]+)<\/AttributeValue>/g)].map((m) => m[1]);
};

beforeAll(async () => {
  endpoint = await server.listen({ port: 0 });
});
afterAll(() => server.close());

describe('RDS, read and written from the SDK model', () => {
  it('round-trips lists under their model element names through a real client', async () => {
    rds.seedSnapshot('cluster', 'nightly');
    const client = new RDSClient({
      endpoint,
      region: 'us-east-1',
      credentials: SANDBOX_CREDENTIALS,
      maxAttempts: 1,
    });

    await client.send(
      new ModifyDBClusterSnapshotAttributeCommand({
        DBClusterSnapshotIdentifier: 'nightly',
        AttributeName: 'restore',
        ValuesToAdd: ['444455556666', '777788889999'],
      }),
    );
    const { DBClusterSnapshotAttributesResult: result } = await client.send(
      new DescribeDBClusterSnapshotAttributesCommand({ DBClusterSnapshotIdentifier: 'nightly' }),
    );

    expect(result?.DBClusterSnapshotIdentifier).toBe('nightly');
    expect(result?.DBClusterSnapshotAttributes).toEqual([
      { AttributeName: 'restore', AttributeValues: ['444455556666', '777788889999'] },
    ]);
  });

  it('refuses an unknown parameter with ValidationError and shares nothing', async () => {
    rds.seedSnapshot('instance', 'typo');
    const answer = await call({
      Action: 'ModifyDBSnapshotAttribute',
      DBSnapshotIdentifier: 'typo',
      AttributeName: 'restore',
      'ValuesToAdd.AttributeValue.1': '444455556666',
      SharedWith: 'all',
    });

    expect([answer.status, answer.code]).toEqual([400, 'ValidationError']);
    expect(answer.message).toContain("'SharedWith'");
    expect(await sharedWith('typo')).toEqual([]);
  });

  it('refuses a missing required parameter with ValidationError naming the member', async () => {
    const answer = await call({ Action: 'ModifyDBSnapshotAttribute', DBSnapshotIdentifier: 'typo' });

    expect([answer.status, answer.code]).toEqual([400, 'ValidationError']);
    expect(answer.message).toContain("Value null at 'attributeName' failed to satisfy constraint");
  });

  it('refuses a list given as a plain value with ValidationError, rather than sharing with nobody', async () => {
    rds.seedSnapshot('instance', 'flat');
    const answer = await call({
      Action: 'ModifyDBSnapshotAttribute',
      DBSnapshotIdentifier: 'flat',
      AttributeName: 'restore',
      ValuesToAdd: '444455556666',
    });

    expect([answer.status, answer.code]).toEqual([400, 'ValidationError']);
    expect(answer.message).toContain(
      "Value '444455556666' at 'valuesToAdd' failed to satisfy constraint: Member must be a list",
    );
  });
});
