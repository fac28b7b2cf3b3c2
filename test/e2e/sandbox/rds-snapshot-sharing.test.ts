import {
  DescribeDBClusterSnapshotAttributesCommand,
  DescribeDBSnapshotAttributesCommand,
  ModifyDBClusterSnapshotAttributeCommand,
  ModifyDBSnapshotAttributeCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxServer } from '#sandbox/server.ts';
import { RdsService } from '#sandbox/services/rds.ts';

const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'sandbox-secret' };
let server: SandboxServer;
let rds: RdsService;
let client: RDSClient;
beforeAll(async () => {
  server = new SandboxServer();
  rds = new RdsService();
  server.register(rds);
  client = new RDSClient({ endpoint: await server.listen({ port: 0 }), region: 'us-east-1', credentials });
});
afterAll(async () => {
  client?.destroy();
  await server?.close();
});

const restoreOf = async (DBSnapshotIdentifier: string) =>
  (await client.send(new DescribeDBSnapshotAttributesCommand({ DBSnapshotIdentifier })))
    .DBSnapshotAttributesResult?.DBSnapshotAttributes;

describe('RDS manual snapshot sharing in the sandbox', () => {
  it('shares a DB snapshot publicly and with an account, then removes exactly one value', async () => {
    rds.seedSnapshot('instance', 'orders-2026-12-01');
    expect(await restoreOf('orders-2026-12-01')).toEqual([{ AttributeName: 'restore', AttributeValues: [] }]);

    const added = await client.send(
      new ModifyDBSnapshotAttributeCommand({
        DBSnapshotIdentifier: 'orders-2026-12-01',
        AttributeName: 'restore',
        ValuesToAdd: ['all', '444455556666'],
      }),
    );
    expect(added.DBSnapshotAttributesResult?.DBSnapshotAttributes).toEqual([
      { AttributeName: 'restore', AttributeValues: ['all', '444455556666'] },
    ]);

    await client.send(
      new ModifyDBSnapshotAttributeCommand({
        DBSnapshotIdentifier: 'orders-2026-12-01',
        AttributeName: 'restore',
        ValuesToRemove: ['all'],
      }),
    );
    expect(await restoreOf('orders-2026-12-01')).toEqual([
      { AttributeName: 'restore', AttributeValues: ['444455556666'] },
    ]);
  });

  it('shares a cluster snapshot the same way, under its own names', async () => {
    rds.seedSnapshot('cluster', 'aurora-nightly');
    await client.send(
      new ModifyDBClusterSnapshotAttributeCommand({
        DBClusterSnapshotIdentifier: 'aurora-nightly',
        AttributeName: 'restore',
        ValuesToAdd: ['all'],
      }),
    );
    const out = await client.send(
      new DescribeDBClusterSnapshotAttributesCommand({ DBClusterSnapshotIdentifier: 'aurora-nightly' }),
    );
    expect(out.DBClusterSnapshotAttributesResult).toEqual({
      DBClusterSnapshotIdentifier: 'aurora-nightly',
      DBClusterSnapshotAttributes: [{ AttributeName: 'restore', AttributeValues: ['all'] }],
    });
  });

  it('answers a missing snapshot, another attribute and a public encrypted snapshot with AWS errors', async () => {
    rds.seedSnapshot('instance', 'encrypted-one', { encrypted: true });
    await expect(restoreOf('no-such-snapshot')).rejects.toMatchObject({ name: 'DBSnapshotNotFoundFault' });
    await expect(
      client.send(
        new DescribeDBClusterSnapshotAttributesCommand({
          DBClusterSnapshotIdentifier: 'no-such-cluster-snapshot',
        }),
      ),
    ).rejects.toMatchObject({ name: 'DBClusterSnapshotNotFoundFault' });
    await expect(
      client.send(
        new ModifyDBSnapshotAttributeCommand({
          DBSnapshotIdentifier: 'encrypted-one',
          AttributeName: 'copy',
          ValuesToAdd: ['444455556666'],
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(
      client.send(
        new ModifyDBSnapshotAttributeCommand({
          DBSnapshotIdentifier: 'encrypted-one',
          AttributeName: 'restore',
          ValuesToAdd: ['all'],
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });
});
