import { AwsError, type SandboxRequest } from '../protocol.ts';
import { SANDBOX_ACCOUNT_ID, SANDBOX_REGION } from '../server.ts';
import { ModelService, type OperationHandler } from '../wire/model-service.ts';
import { ServiceModel } from '../wire/service-model.ts';
import { type DbClusterSeed, DbClusters } from './rds-clusters.ts';
import { type DbInstanceSeed, DbInstances } from './rds-instances.ts';

/** The one attribute of a manual snapshot: who besides its owner may copy or restore it. */
const RESTORE = 'restore';
/** "You can share a manual DB snapshot with up to 20 other AWS accounts." (ModifyDBSnapshotAttribute) */
const MAX_SHARED_ACCOUNTS = 20;

/** A manual DB snapshot or DB cluster snapshot: only what sharing needs. */
interface ManualSnapshot {
  readonly identifier: string;
  readonly encrypted: boolean;
  /** `all` and account ids, in the order they were added. */
  readonly restore: string[];
}

/** The two kinds, with the names the API gives their members and errors. */
const KINDS = {
  instance: {
    idMember: 'DBSnapshotIdentifier',
    result: 'DBSnapshotAttributesResult',
    list: 'DBSnapshotAttributes',
    notFound: (id: string) => new AwsError('DBSnapshotNotFound', `DBSnapshot ${id} not found.`, 404),
  },
  cluster: {
    idMember: 'DBClusterSnapshotIdentifier',
    result: 'DBClusterSnapshotAttributesResult',
    list: 'DBClusterSnapshotAttributes',
    notFound: (id: string) =>
      new AwsError('DBClusterSnapshotNotFoundFault', `DBClusterSnapshot ${id} not found.`, 404),
  },
} as const;
type Kind = keyof typeof KINDS;

/**
 * The input of the four operations (`DBSnapshotIdentifier` or `DBClusterSnapshotIdentifier`, by
 * kind); the model has refused a request without its required members.
 */
type SnapshotAttributeInput = Record<string, unknown> & {
  AttributeName?: string;
  ValuesToAdd?: string[];
  ValuesToRemove?: string[];
};

/**
 * Amazon RDS on the query protocol, reduced to sharing manual snapshots: Describe and Modify of
 * the `restore` attribute of DB snapshots and DB cluster snapshots. Snapshots are seeded with
 * {@link RdsService.seedSnapshot} (the sandbox runs no databases to snapshot).
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBSnapshotAttribute.html
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBClusterSnapshotAttribute.html
 */
export class RdsService extends ModelService {
  readonly signingNames: readonly string[] = ['rds'];
  readonly protocol = 'query' as const;
  protected readonly model = new ServiceModel('@aws-sdk/client-rds', 'RDSClient');
  private readonly snapshots = new Map<string, ManualSnapshot>();
  private readonly instances = new DbInstances();
  private readonly clusters = new DbClusters();
  protected readonly operations: Record<string, OperationHandler> = {
    DescribeDBSnapshotAttributes: (req, input) => this.describe(req, input, 'instance'),
    DescribeDBClusterSnapshotAttributes: (req, input) => this.describe(req, input, 'cluster'),
    ModifyDBSnapshotAttribute: (req, input) => this.modify(req, input, 'instance'),
    ModifyDBClusterSnapshotAttribute: (req, input) => this.modify(req, input, 'cluster'),
    DescribeDBInstances: (req, input) => this.instances.describe(req.accountId, req.region, input),
    ModifyDBInstance: (req, input) => this.instances.modify(req.accountId, req.region, input),
    DescribeDBClusters: (req, input) => this.clusters.describe(req.accountId, req.region, input),
    ModifyDBCluster: (req, input) => this.clusters.modify(req.accountId, req.region, input),
  };

  /** Seed a manual snapshot of an account and region, private (shared with nobody). */
  seedSnapshot(
    kind: Kind,
    identifier: string,
    options: { encrypted?: boolean; accountId?: string; region?: string } = {},
  ): void {
    const key = this.key(
      options.accountId ?? SANDBOX_ACCOUNT_ID,
      options.region ?? SANDBOX_REGION,
      kind,
      identifier,
    );
    this.snapshots.set(key, { identifier, encrypted: options.encrypted ?? false, restore: [] });
  }

  /** Seed a DB instance of an account and region (every checked setting off unless given). */
  seedInstance(
    identifier: string,
    options: DbInstanceSeed & { accountId?: string; region?: string } = {},
  ): void {
    const { accountId = SANDBOX_ACCOUNT_ID, region = SANDBOX_REGION, ...seed } = options;
    this.instances.seed(accountId, region, identifier, seed);
  }

  /** Seed a DB cluster of an account and region (every checked setting off unless given). */
  seedCluster(
    identifier: string,
    options: DbClusterSeed & { accountId?: string; region?: string } = {},
  ): void {
    const { accountId = SANDBOX_ACCOUNT_ID, region = SANDBOX_REGION, ...seed } = options;
    this.clusters.seed(accountId, region, identifier, seed);
  }

  private key(accountId: string, region: string, kind: Kind, identifier: string): string {
    return `${accountId}/${region}/${kind}/${identifier}`;
  }

  private find(req: SandboxRequest, input: SnapshotAttributeInput, kind: Kind): ManualSnapshot {
    const id = input[KINDS[kind].idMember] as string;
    const snapshot = this.snapshots.get(this.key(req.accountId, req.region, kind, id));
    if (!snapshot) throw KINDS[kind].notFound(id);
    return snapshot;
  }

  private result(kind: Kind, snapshot: ManualSnapshot) {
    const { result, list, idMember } = KINDS[kind];
    return {
      [result]: {
        [idMember]: snapshot.identifier,
        [list]: [{ AttributeName: RESTORE, AttributeValues: [...snapshot.restore] }],
      },
    };
  }

  private describe(req: SandboxRequest, input: SnapshotAttributeInput, kind: Kind) {
    return this.result(kind, this.find(req, input, kind));
  }

  private modify(req: SandboxRequest, input: SnapshotAttributeInput, kind: Kind) {
    const snapshot = this.find(req, input, kind);
    const attribute = input.AttributeName;
    if (attribute !== RESTORE)
      throw new AwsError('InvalidParameterValue', `Invalid snapshot attribute name: ${attribute ?? ''}`);
    const add = input.ValuesToAdd ?? [];
    const remove = input.ValuesToRemove ?? [];
    const bad = [...add, ...remove].find((value) => value !== 'all' && !/^\d{12}$/.test(value));
    if (bad !== undefined) throw new AwsError('InvalidParameterValue', `Invalid account id or "all": ${bad}`);
    // "You can't use all as a value for that parameter in this case" for an encrypted snapshot.
    if (snapshot.encrypted && add.includes('all'))
      throw new AwsError('InvalidParameterValue', 'Encrypted snapshots cannot be shared publicly.');
    const next = [...snapshot.restore.filter((v) => !remove.includes(v))];
    for (const value of add) if (!next.includes(value)) next.push(value);
    if (next.filter((v) => v !== 'all').length > MAX_SHARED_ACCOUNTS)
      throw new AwsError(
        'SharedSnapshotQuotaExceeded',
        `You have exceeded the maximum number of accounts (${MAX_SHARED_ACCOUNTS}) that a snapshot can be shared with.`,
      );
    snapshot.restore.splice(0, snapshot.restore.length, ...next);
    return this.result(kind, snapshot);
  }
}
