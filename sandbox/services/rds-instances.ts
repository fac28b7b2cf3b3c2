import { AwsError } from '../protocol.ts';
import type { FormParams } from './ec2/form-params.ts';

/** A DB instance: only the settings the Security Hub RDS controls check (the sandbox runs no database). */
export interface DbInstance {
  readonly identifier: string;
  readonly arn: string;
  readonly engine: string;
  deletionProtection: boolean;
  publiclyAccessible: boolean;
  autoMinorVersionUpgrade: boolean;
  copyTagsToSnapshot: boolean;
}

/** What a seeded instance may start with; every setting off unless given. */
export type DbInstanceSeed = Partial<
  Pick<
    DbInstance,
    'engine' | 'deletionProtection' | 'publiclyAccessible' | 'autoMinorVersionUpgrade' | 'copyTagsToSnapshot'
  >
>;

/** The settings ModifyDBInstance changes here, by their request member. */
const SETTINGS = {
  DeletionProtection: 'deletionProtection',
  PubliclyAccessible: 'publiclyAccessible',
  AutoMinorVersionUpgrade: 'autoMinorVersionUpgrade',
  CopyTagsToSnapshot: 'copyTagsToSnapshot',
} as const;

function notFound(id: string): AwsError {
  return new AwsError('DBInstanceNotFound', `DBInstance ${id} not found.`, 404);
}

/** The `DBInstance` shape, the members this sandbox keeps. */
export function dbInstanceXml(instance: DbInstance): Record<string, unknown> {
  return {
    DBInstanceIdentifier: instance.identifier,
    DBInstanceArn: instance.arn,
    Engine: instance.engine,
    DBInstanceStatus: 'available',
    PubliclyAccessible: instance.publiclyAccessible,
    AutoMinorVersionUpgrade: instance.autoMinorVersionUpgrade,
    CopyTagsToSnapshot: instance.copyTagsToSnapshot,
    DeletionProtection: instance.deletionProtection,
  };
}

/**
 * DescribeDBInstances (one instance by identifier, or all of the account and Region) and
 * ModifyDBInstance of the four settings the RDS controls check. With ApplyImmediately these apply
 * at once; the sandbox has no maintenance window, so it applies them at once either way.
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBInstance.html
 */
export class DbInstances {
  private readonly instances = new Map<string, DbInstance>();

  seed(accountId: string, region: string, identifier: string, seed: DbInstanceSeed = {}): void {
    this.instances.set(`${accountId}/${region}/${identifier.toLowerCase()}`, {
      identifier,
      arn: `arn:aws:rds:${region}:${accountId}:db:${identifier}`,
      engine: seed.engine ?? 'postgres',
      deletionProtection: seed.deletionProtection ?? false,
      publiclyAccessible: seed.publiclyAccessible ?? false,
      autoMinorVersionUpgrade: seed.autoMinorVersionUpgrade ?? false,
      copyTagsToSnapshot: seed.copyTagsToSnapshot ?? false,
    });
  }

  describe(accountId: string, region: string, params: FormParams): Record<string, unknown> {
    const id = params.string('DBInstanceIdentifier');
    const found = id
      ? [this.find(accountId, region, id)]
      : [...this.instances.entries()]
          .filter(([key]) => key.startsWith(`${accountId}/${region}/`))
          .map(([, instance]) => instance);
    return { DBInstances: { DBInstance: found.map(dbInstanceXml) } };
  }

  modify(accountId: string, region: string, params: FormParams): Record<string, unknown> {
    const id = params.string('DBInstanceIdentifier');
    if (!id)
      throw new AwsError(
        'ValidationError',
        "1 validation error detected: Value null at 'dBInstanceIdentifier' failed to satisfy constraint: Member must not be null",
      );
    const instance = this.find(accountId, region, id);
    for (const [member, field] of Object.entries(SETTINGS)) {
      const value = params.string(member);
      if (value !== undefined) instance[field] = value === 'true';
    }
    return { DBInstance: dbInstanceXml(instance) };
  }

  private find(accountId: string, region: string, id: string): DbInstance {
    const instance = this.instances.get(`${accountId}/${region}/${id.toLowerCase()}`);
    if (!instance) throw notFound(id);
    return instance;
  }
}
