import { XMLBuilder } from 'fast-xml-parser';
import { AwsError, type SandboxRequest, type SandboxResponse, type SandboxService } from '../protocol.ts';
import { SANDBOX_ACCOUNT_ID, SANDBOX_REGION } from '../server.ts';
import { FormParams } from './ec2/form-params.ts';
import { type DbInstanceSeed, DbInstances } from './rds-instances.ts';

const XMLNS = 'http://rds.amazonaws.com/doc/2014-10-31/';
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

/** The two kinds, with the names the API gives their members, elements and errors. */
const KINDS = {
  instance: {
    idParam: 'DBSnapshotIdentifier',
    result: 'DBSnapshotAttributesResult',
    list: 'DBSnapshotAttributes',
    item: 'DBSnapshotAttribute',
    notFound: (id: string) => new AwsError('DBSnapshotNotFound', `DBSnapshot ${id} not found.`, 404),
  },
  cluster: {
    idParam: 'DBClusterSnapshotIdentifier',
    result: 'DBClusterSnapshotAttributesResult',
    list: 'DBClusterSnapshotAttributes',
    item: 'DBClusterSnapshotAttribute',
    notFound: (id: string) =>
      new AwsError('DBClusterSnapshotNotFoundFault', `DBClusterSnapshot ${id} not found.`, 404),
  },
} as const;
type Kind = keyof typeof KINDS;

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: false,
});

/**
 * Amazon RDS on the query protocol, reduced to sharing manual snapshots: Describe and Modify of
 * the `restore` attribute of DB snapshots and DB cluster snapshots. Snapshots are seeded with
 * {@link RdsService.seedSnapshot} (the sandbox runs no databases to snapshot). Shapes follow the
 * RDS model (`ValuesToAdd.AttributeValue.N`, results under `DBSnapshotAttributesResult`).
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBSnapshotAttribute.html
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBClusterSnapshotAttribute.html
 */
export class RdsService implements SandboxService {
  readonly signingNames: readonly string[] = ['rds'];
  readonly protocol = 'query' as const;
  private readonly snapshots = new Map<string, ManualSnapshot>();
  private readonly instances = new DbInstances();

  operation(req: SandboxRequest): string {
    return FormParams.fromRequest(req).string('Action') ?? 'Unknown';
  }

  async handle(req: SandboxRequest, operation: string): Promise<SandboxResponse> {
    const params = FormParams.fromRequest(req);
    const run: Record<string, () => Record<string, unknown>> = {
      DescribeDBSnapshotAttributes: () => this.describe(req, params, 'instance'),
      DescribeDBClusterSnapshotAttributes: () => this.describe(req, params, 'cluster'),
      ModifyDBSnapshotAttribute: () => this.modify(req, params, 'instance'),
      ModifyDBClusterSnapshotAttribute: () => this.modify(req, params, 'cluster'),
      DescribeDBInstances: () => this.instances.describe(req.accountId, req.region, params),
      ModifyDBInstance: () => this.instances.modify(req.accountId, req.region, params),
    };
    const handler = run[operation];
    if (!handler)
      throw new AwsError('InvalidAction', `The action ${operation} is not valid for this web service.`);
    const body = {
      [`${operation}Response`]: {
        '@_xmlns': XMLNS,
        [`${operation}Result`]: handler(),
        ResponseMetadata: { RequestId: req.requestId },
      },
    };
    return {
      status: 200,
      headers: { 'content-type': 'text/xml', 'x-amzn-requestid': req.requestId },
      body: `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build(body)}`,
    };
  }

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

  private key(accountId: string, region: string, kind: Kind, identifier: string): string {
    return `${accountId}/${region}/${kind}/${identifier}`;
  }

  private find(req: SandboxRequest, params: FormParams, kind: Kind): ManualSnapshot {
    const id = params.string(KINDS[kind].idParam);
    if (!id)
      throw new AwsError(
        'ValidationError',
        `1 validation error detected: Value null at '${KINDS[kind].idParam.charAt(0).toLowerCase()}${KINDS[kind].idParam.slice(1)}' failed to satisfy constraint: Member must not be null`,
      );
    const snapshot = this.snapshots.get(this.key(req.accountId, req.region, kind, id));
    if (!snapshot) throw KINDS[kind].notFound(id);
    return snapshot;
  }

  private result(kind: Kind, snapshot: ManualSnapshot) {
    const { result, list, item, idParam } = KINDS[kind];
    return {
      [result]: {
        [idParam]: snapshot.identifier,
        [list]: {
          [item]: [{ AttributeName: RESTORE, AttributeValues: { AttributeValue: [...snapshot.restore] } }],
        },
      },
    };
  }

  private describe(req: SandboxRequest, params: FormParams, kind: Kind) {
    return this.result(kind, this.find(req, params, kind));
  }

  private modify(req: SandboxRequest, params: FormParams, kind: Kind) {
    const snapshot = this.find(req, params, kind);
    const attribute = params.string('AttributeName');
    if (attribute !== RESTORE)
      throw new AwsError('InvalidParameterValue', `Invalid snapshot attribute name: ${attribute ?? ''}`);
    const add = params.list('ValuesToAdd.AttributeValue');
    const remove = params.list('ValuesToRemove.AttributeValue');
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
