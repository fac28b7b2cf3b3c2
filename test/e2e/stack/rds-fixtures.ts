import {
  type DBCluster,
  type DBInstance,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { afterAll, beforeAll } from 'vitest';
import { SANDBOX_CREDENTIALS } from '#sandbox/aws-sdk-clients.ts';
import { controlFinding, steps } from './control-helpers.ts';
import { type StackHarness, startStack } from './harness.ts';
import { type UndoDesk, undoDesk } from './undo-helpers.ts';

/** Security Hub's titles of the RDS controls the tests report. */
const TITLES: Record<string, string> = {
  'RDS.2':
    'RDS DB Instances should prohibit public access, as determined by the PubliclyAccessible configuration',
  'RDS.7': 'RDS clusters should have deletion protection enabled',
  'RDS.8': 'RDS DB instances should have deletion protection enabled',
  'RDS.13': 'RDS automatic minor version upgrades should be enabled',
  'RDS.16': 'Aurora DB clusters should be configured to copy tags to DB snapshots',
};

/** Security Hub's `control` finding about DB instance `identifier`, FAILED. */
export function instanceFinding(control: string, identifier: string, suffix: string) {
  return rdsFinding(control, 'AwsRdsDbInstance', `db:${identifier}`, suffix);
}

/** Security Hub's `control` finding about DB cluster `identifier`, FAILED. */
export function clusterFinding(control: string, identifier: string, suffix: string) {
  return rdsFinding(control, 'AwsRdsDbCluster', `cluster:${identifier}`, suffix);
}

function rdsFinding(control: string, resourceType: string, resource: string, suffix: string) {
  const title = TITLES[control];
  if (!title) throw new Error(`no title for control ${control}: add it to TITLES`);
  return controlFinding({
    control,
    title,
    resourceType,
    resourceId: `arn:aws:rds:us-east-1:111122223333:${resource}`,
    suffix,
    severity: 'LOW',
  });
}

/** A test file's stack with an RDS client and an undo desk; read its members inside tests only. */
export interface RdsStack {
  readonly h: StackHarness;
  readonly desk: UndoDesk;
  /** The DB instance as DescribeDBInstances reports it. */
  instance(identifier: string): Promise<DBInstance | undefined>;
  /** The DB cluster as DescribeDBClusters reports it. */
  cluster(identifier: string): Promise<DBCluster | undefined>;
  /** How many `operation` calls (ModifyDBInstance, ModifyDBCluster) the sandbox has answered. */
  calls(operation: string): number;
  /** The finding's trail as (action, outcome) pairs. */
  steps(findingId: string): Promise<string[][]>;
  /** Undo the playbook execution of finding `id`, approved by on-call; the undo's final status. */
  undoApproved(findingId: string): Promise<string | undefined>;
}

/**
 * Starts the stack before the file's tests and stops it after them (registers `beforeAll` and
 * `afterAll`, so call it once, at the top of a test file), with `oncall` approving undos.
 */
export function rdsStack(oncall: string): RdsStack {
  let started: { h: StackHarness; desk: UndoDesk; rds: RDSClient } | undefined;
  beforeAll(async () => {
    const h = await startStack();
    const desk = await undoDesk(h, oncall);
    const config = { endpoint: h.sandbox.endpoint, region: 'us-east-1', credentials: SANDBOX_CREDENTIALS };
    started = { h, desk, rds: new RDSClient(config) };
  }, 120_000);
  afterAll(async () => {
    started?.desk.close();
    started?.rds.destroy();
    await started?.h.stop();
  });
  const live = () => {
    if (!started) throw new Error('the stack has not started: use it inside a test');
    return started;
  };
  return {
    get h() {
      return live().h;
    },
    get desk() {
      return live().desk;
    },
    instance: async (DBInstanceIdentifier) =>
      (await live().rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier }))).DBInstances?.[0],
    cluster: async (DBClusterIdentifier) =>
      (await live().rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier }))).DBClusters?.[0],
    calls: (operation) => live().h.sandbox.server.calls.filter((c) => c.operation === operation).length,
    steps: (findingId) => steps(live().h, findingId),
    undoApproved: async (findingId) =>
      (await live().desk.approved(findingId, { reason: 'test' })).ended.status,
  };
}
