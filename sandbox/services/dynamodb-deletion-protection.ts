import { AwsError, type SandboxRequest, type SandboxResponse } from '../protocol.ts';

/** Sends a (possibly rewritten) request on to dynalite and answers what it answered. */
export type Forward = (req: SandboxRequest) => Promise<SandboxResponse>;

type Body = Record<string, unknown>;

/**
 * A table's deletion protection, which dynalite does not know: DynamoDB's `DeletionProtectionEnabled`
 * (CreateTable, UpdateTable, every TableDescription; false unless set), and DeleteTable refused
 * while it is on. Kept here per account, region and table; the rest of each call goes to dynalite.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/WorkingWithTables.Basics.html#WorkingWithTables.Basics.DeletionProtection
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTable.html
 */
export class DeletionProtection {
  private readonly protectedTables = new Set<string>();

  constructor(private readonly forward: Forward) {}

  /** Whether `table` of the account and region of `req` is protected. */
  isOn(req: Pick<SandboxRequest, 'accountId' | 'region'>, table: string): boolean {
    return this.protectedTables.has(key(req, table));
  }

  async createTable(req: SandboxRequest): Promise<SandboxResponse> {
    const { DeletionProtectionEnabled: on, ...rest } = parse(req);
    const res = await this.forward(withBody(req, rest));
    if (res.status === 200) this.set(req, String(rest.TableName), on === true);
    return this.described(req, res, 'TableDescription');
  }

  /**
   * UpdateTable: DynamoDB takes deletion protection alone or with other changes; dynalite takes
   * none of it and refuses an update that changes nothing else, so such an update is answered with
   * the table as DescribeTable finds it.
   */
  async updateTable(req: SandboxRequest): Promise<SandboxResponse> {
    const { DeletionProtectionEnabled: on, ...rest } = parse(req);
    const table = String(rest.TableName);
    if (on === undefined) return this.described(req, await this.forward(req), 'TableDescription');
    const onlyProtection = Object.keys(rest).every((k) => k === 'TableName');
    const res = onlyProtection
      ? await this.forward(asDescribe(req, table))
      : await this.forward(withBody(req, rest));
    if (res.status !== 200) return res;
    this.set(req, table, on === true);
    return this.described(req, res, onlyProtection ? 'Table' : 'TableDescription', 'TableDescription');
  }

  async describeTable(req: SandboxRequest): Promise<SandboxResponse> {
    return this.described(req, await this.forward(req), 'Table');
  }

  async deleteTable(req: SandboxRequest): Promise<SandboxResponse> {
    const table = String(parse(req).TableName);
    if (this.isOn(req, table))
      throw new AwsError(
        'ValidationException',
        `Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.`,
      );
    return this.described(req, await this.forward(req), 'TableDescription');
  }

  private set(req: SandboxRequest, table: string, on: boolean): void {
    if (on) this.protectedTables.add(key(req, table));
    else this.protectedTables.delete(key(req, table));
  }

  /** dynalite's answer with the table's `DeletionProtectionEnabled` added, under `member` (renamed `as`). */
  private described(req: SandboxRequest, res: SandboxResponse, member: string, as = member): SandboxResponse {
    if (res.status !== 200 || !res.body) return res;
    const body = JSON.parse(res.body.toString()) as Body;
    const table = body[member] as Body | undefined;
    if (!table) return res;
    const out: Body = { ...body };
    delete out[member];
    out[as] = { ...table, DeletionProtectionEnabled: this.isOn(req, String(table.TableName)) };
    return { ...res, body: JSON.stringify(out) };
  }
}

const key = (req: Pick<SandboxRequest, 'accountId' | 'region'>, table: string) =>
  `${req.accountId}/${req.region}/${table}`;

function parse(req: SandboxRequest): Body {
  return JSON.parse(req.body.toString() || '{}') as Body;
}

function withBody(req: SandboxRequest, body: Body): SandboxRequest {
  return { ...req, body: Buffer.from(JSON.stringify(body)) };
}

/** The same caller's DescribeTable of `table` (the JSON protocol names the operation in X-Amz-Target). */
function asDescribe(req: SandboxRequest, table: string): SandboxRequest {
  const target = Object.keys(req.headers).find((h) => h.toLowerCase() === 'x-amz-target') ?? 'x-amz-target';
  return {
    ...withBody(req, { TableName: table }),
    headers: { ...req.headers, [target]: 'DynamoDB_20120810.DescribeTable' },
  };
}
