import { AwsError } from '../protocol.ts';

/** A DB cluster (Aurora or Multi-AZ): only the settings the Security Hub RDS controls check. */
export interface DbCluster {
  readonly identifier: string;
  readonly arn: string;
  readonly engine: string;
  /** `available` unless seeded otherwise (`stopped`, `modifying`, ...): ModifyDBCluster needs `available`. */
  readonly status: string;
  deletionProtection: boolean;
  copyTagsToSnapshot: boolean;
  autoMinorVersionUpgrade: boolean;
}

/** What a seeded cluster may start with; every checked setting off unless given. */
export type DbClusterSeed = Partial<
  Pick<
    DbCluster,
    'engine' | 'status' | 'deletionProtection' | 'copyTagsToSnapshot' | 'autoMinorVersionUpgrade'
  >
>;

/** The settings ModifyDBCluster changes here, by their request member. */
const SETTINGS = {
  DeletionProtection: 'deletionProtection',
  CopyTagsToSnapshot: 'copyTagsToSnapshot',
  AutoMinorVersionUpgrade: 'autoMinorVersionUpgrade',
} as const;

/** DescribeDBClusters and ModifyDBCluster answer an unknown identifier with DBClusterNotFoundFault. */
function notFound(id: string): AwsError {
  return new AwsError('DBClusterNotFoundFault', `DBCluster ${id} not found.`, 404);
}

/** The `DBCluster` output shape (SDK member names), the members this sandbox keeps. */
function dbClusterOutput(cluster: DbCluster): Record<string, unknown> {
  return {
    DBClusterIdentifier: cluster.identifier,
    DBClusterArn: cluster.arn,
    Engine: cluster.engine,
    Status: cluster.status,
    DeletionProtection: cluster.deletionProtection,
    CopyTagsToSnapshot: cluster.copyTagsToSnapshot,
    AutoMinorVersionUpgrade: cluster.autoMinorVersionUpgrade,
  };
}

/**
 * DescribeDBClusters (one cluster by identifier, or all of the account and Region) and
 * ModifyDBCluster of the settings the RDS cluster controls check. Identifiers are not
 * case-sensitive; a cluster that is not `available` refuses modification
 * (InvalidDBClusterStateFault). The sandbox runs no database, so changes apply at once.
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBCluster.html
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBClusters.html
 */
export class DbClusters {
  private readonly clusters = new Map<string, DbCluster>();

  seed(accountId: string, region: string, identifier: string, seed: DbClusterSeed = {}): void {
    this.clusters.set(`${accountId}/${region}/${identifier.toLowerCase()}`, {
      identifier,
      arn: `arn:aws:rds:${region}:${accountId}:cluster:${identifier}`,
      engine: seed.engine ?? 'aurora-postgresql',
      status: seed.status ?? 'available',
      deletionProtection: seed.deletionProtection ?? false,
      copyTagsToSnapshot: seed.copyTagsToSnapshot ?? false,
      autoMinorVersionUpgrade: seed.autoMinorVersionUpgrade ?? false,
    });
  }

  /** `input` is the request as the RDS model read it (SDK member names and types). */
  describe(accountId: string, region: string, input: Record<string, unknown>): Record<string, unknown> {
    const id = input.DBClusterIdentifier as string | undefined;
    const found = id
      ? [this.find(accountId, region, id)]
      : [...this.clusters.entries()]
          .filter(([key]) => key.startsWith(`${accountId}/${region}/`))
          .map(([, cluster]) => cluster);
    return { DBClusters: found.map(dbClusterOutput) };
  }

  /** The model has already refused a request without its required `DBClusterIdentifier`. */
  modify(accountId: string, region: string, input: Record<string, unknown>): Record<string, unknown> {
    const id = input.DBClusterIdentifier as string;
    const cluster = this.find(accountId, region, id);
    if (cluster.status !== 'available')
      throw new AwsError(
        'InvalidDBClusterStateFault',
        `DB cluster ${id} is not in the available state.`,
        400,
      );
    for (const [member, field] of Object.entries(SETTINGS)) {
      const value = input[member];
      if (typeof value === 'boolean') cluster[field] = value;
    }
    return { DBCluster: dbClusterOutput(cluster) };
  }

  private find(accountId: string, region: string, id: string): DbCluster {
    const cluster = this.clusters.get(`${accountId}/${region}/${id.toLowerCase()}`);
    if (!cluster) throw notFound(id);
    return cluster;
  }
}
