import { createHash } from 'node:crypto';
import { AwsError } from '../protocol.ts';

/** A DB instance: only the settings the Security Hub RDS controls check (the sandbox runs no database). */
export interface DbInstance {
  readonly identifier: string;
  readonly arn: string;
  /** The Region-unique, immutable resource id (`db-` and 26 capitals or digits): how AWS Config names it. */
  readonly dbiResourceId: string;
  readonly engine: string;
  /** `available` unless seeded otherwise (`stopped`, `modifying`, ...): ModifyDBInstance needs `available`. */
  readonly status: string;
  instanceClass: string;
  /** An instance class change waiting for the maintenance window (PendingModifiedValues). */
  pendingInstanceClass?: string;
  deletionProtection: boolean;
  publiclyAccessible: boolean;
  autoMinorVersionUpgrade: boolean;
  copyTagsToSnapshot: boolean;
}

/** What a seeded instance may start with; every setting off unless given. */
export type DbInstanceSeed = Partial<
  Pick<
    DbInstance,
    | 'engine'
    | 'status'
    | 'instanceClass'
    | 'pendingInstanceClass'
    | 'deletionProtection'
    | 'publiclyAccessible'
    | 'autoMinorVersionUpgrade'
    | 'copyTagsToSnapshot'
  >
>;

/** The settings ModifyDBInstance changes here, by their request member. */
const SETTINGS = {
  DeletionProtection: 'deletionProtection',
  PubliclyAccessible: 'publiclyAccessible',
  AutoMinorVersionUpgrade: 'autoMinorVersionUpgrade',
  CopyTagsToSnapshot: 'copyTagsToSnapshot',
} as const;

/** A stable stand-in for the resource id RDS generates: `db-` and 26 capitals or digits. */
function dbiResourceIdOf(accountId: string, region: string, identifier: string): string {
  const digest = createHash('sha256').update(`${accountId}/${region}/${identifier.toLowerCase()}`).digest();
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  return `db-${[...digest.subarray(0, 26)].map((byte) => alphabet[byte % 32]).join('')}`;
}

/** The DescribeDBInstances filters the sandbox knows; any other name is refused, not ignored. */
function matchesFilter(instance: DbInstance, filter: { Name?: string; Values?: readonly string[] }): boolean {
  const values = filter.Values ?? [];
  switch (filter.Name) {
    case 'dbi-resource-id':
      return values.includes(instance.dbiResourceId);
    case 'db-instance-id':
      return values.some((v) => v.toLowerCase() === instance.identifier.toLowerCase() || v === instance.arn);
    default:
      throw new AwsError('InvalidParameterValue', `Unrecognized filter name: ${filter.Name}`, 400);
  }
}

function notFound(id: string): AwsError {
  return new AwsError('DBInstanceNotFound', `DBInstance ${id} not found.`, 404);
}

/** The `DBInstance` output shape (SDK member names), the members this sandbox keeps. */
export function dbInstanceOutput(instance: DbInstance): Record<string, unknown> {
  return {
    DBInstanceIdentifier: instance.identifier,
    DBInstanceArn: instance.arn,
    DbiResourceId: instance.dbiResourceId,
    Engine: instance.engine,
    DBInstanceClass: instance.instanceClass,
    DBInstanceStatus: instance.status,
    PendingModifiedValues: instance.pendingInstanceClass
      ? { DBInstanceClass: instance.pendingInstanceClass }
      : {},
    PubliclyAccessible: instance.publiclyAccessible,
    AutoMinorVersionUpgrade: instance.autoMinorVersionUpgrade,
    CopyTagsToSnapshot: instance.copyTagsToSnapshot,
    DeletionProtection: instance.deletionProtection,
  };
}

/**
 * DescribeDBInstances (one instance by identifier, or all of the account and Region) and
 * ModifyDBInstance of the four settings the RDS controls check, which take effect at once. As in
 * RDS, ApplyImmediately also applies the instance's pending modifications (here: a pending
 * instance class), and an instance that is not `available` refuses modification.
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBInstance.html
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ModifyInstance.ApplyImmediately.html
 */
export class DbInstances {
  private readonly instances = new Map<string, DbInstance>();

  seed(accountId: string, region: string, identifier: string, seed: DbInstanceSeed = {}): void {
    this.instances.set(`${accountId}/${region}/${identifier.toLowerCase()}`, {
      identifier,
      arn: `arn:aws:rds:${region}:${accountId}:db:${identifier}`,
      dbiResourceId: dbiResourceIdOf(accountId, region, identifier),
      engine: seed.engine ?? 'postgres',
      status: seed.status ?? 'available',
      instanceClass: seed.instanceClass ?? 'db.t3.micro',
      ...(seed.pendingInstanceClass ? { pendingInstanceClass: seed.pendingInstanceClass } : {}),
      deletionProtection: seed.deletionProtection ?? false,
      publiclyAccessible: seed.publiclyAccessible ?? false,
      autoMinorVersionUpgrade: seed.autoMinorVersionUpgrade ?? false,
      copyTagsToSnapshot: seed.copyTagsToSnapshot ?? false,
    });
  }

  /**
   * `input` is the request as the RDS model read it (SDK member names and types). As in RDS, an
   * unknown identifier is DBInstanceNotFound, while filters that match nothing (`dbi-resource-id`
   * naming no instance) are an empty list.
   * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBInstances.html
   */
  describe(accountId: string, region: string, input: Record<string, unknown>): Record<string, unknown> {
    const id = input.DBInstanceIdentifier as string | undefined;
    const found = id
      ? [this.find(accountId, region, id)]
      : [...this.instances.entries()]
          .filter(([key]) => key.startsWith(`${accountId}/${region}/`))
          .map(([, instance]) => instance);
    const filters = (input.Filters ?? []) as readonly { Name?: string; Values?: readonly string[] }[];
    const kept = found.filter((instance) => filters.every((filter) => matchesFilter(instance, filter)));
    return { DBInstances: kept.map(dbInstanceOutput) };
  }

  /** The model has already refused a request without its required `DBInstanceIdentifier`. */
  modify(accountId: string, region: string, input: Record<string, unknown>): Record<string, unknown> {
    const id = input.DBInstanceIdentifier as string;
    const instance = this.find(accountId, region, id);
    if (instance.status !== 'available')
      throw new AwsError('InvalidDBInstanceState', 'Database instance is not in available state.', 400);
    if (input.ApplyImmediately === true && instance.pendingInstanceClass) {
      instance.instanceClass = instance.pendingInstanceClass;
      delete instance.pendingInstanceClass;
    }
    for (const [member, field] of Object.entries(SETTINGS)) {
      const value = input[member];
      if (typeof value === 'boolean') instance[field] = value;
    }
    return { DBInstance: dbInstanceOutput(instance) };
  }

  private find(accountId: string, region: string, id: string): DbInstance {
    const instance = this.instances.get(`${accountId}/${region}/${id.toLowerCase()}`);
    if (!instance) throw notFound(id);
    return instance;
  }
}
