import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { Command } from 'commander';
import { SANDBOX_CREDENTIALS } from '#sandbox/aws-sdk-clients.ts';
import type { ChainVerdict } from '#shared/audit/chain-verify.ts';
import {
  AuditTrailError,
  findTrailTables,
  parseSince,
  recordsOfFinding,
  recordsOfResource,
  recordsSince,
  type StoredRecord,
  type TrailTables,
} from '#shared/audit/reader.ts';
import { AUDIT_MAC_KEY_ALIAS, KmsRecordMac } from '#shared/audit/record-mac.ts';
import { verifyTrail } from '#shared/audit/verify.ts';
import { table } from '../table.ts';
import type { Output } from './policy.ts';

/** The clients the audit commands use. */
export interface AuditDeps {
  readonly dynamodb: DynamoDBClient;
  /** Verifies record MACs (`audit verify`), with the caller's own credentials. */
  readonly kms?: KMSClient;
  /** Completes a bare resource id with this account. */
  readonly accountId?: () => Promise<string | undefined>;
}

/** Options shared by the audit commands. */
export interface TrailOptions {
  readonly table?: string;
  readonly chainTable?: string;
  readonly json?: boolean;
}

/** Where the timeline comes from. */
export interface TimelineOptions extends TrailOptions {
  readonly finding?: string;
  readonly resource?: string;
  readonly since?: string;
}

/** `remediate audit`: one finding's, one resource's, or a period's records as a timeline. */
export async function auditTimeline(
  options: TimelineOptions,
  deps: AuditDeps,
  out: Output,
): Promise<{ exitCode: number; records: StoredRecord[] }> {
  const chosen = [options.finding, options.resource, options.since].filter((x) => x !== undefined);
  if (chosen.length !== 1) {
    throw new AuditTrailError('name exactly one of --finding ID, --resource ARN-or-id, --since DURATION');
  }
  const tables = await findTrailTables(deps.dynamodb, {
    auditTable: options.table,
    chainTable: options.chainTable,
  });
  const records = options.finding
    ? await recordsOfFinding(deps.dynamodb, tables, options.finding)
    : options.resource
      ? await recordsOfResource(deps.dynamodb, tables, options.resource, await deps.accountId?.())
      : await recordsSince(deps.dynamodb, tables, parseSince(options.since as string));
  if (options.json) {
    for (const r of records) out.log(JSON.stringify(r));
  } else if (records.length === 0) {
    out.log('No audit records match.');
  } else {
    out.log(renderTimeline(records));
  }
  return { exitCode: 0, records };
}

/** The timeline as a table: when, which finding, who, what, how it ended, and the gist. */
export function renderTimeline(records: readonly StoredRecord[]): string {
  const findings = new Set(records.map((r) => r.pk)).size;
  const rows = records.map((r) => [
    r.at.replace('T', ' ').replace('Z', ''),
    shortId(r.findingId ?? r.pk),
    r.seq === undefined ? '-' : String(r.seq),
    r.actor.replace(/^arn:aws[\w-]*:(sts|iam)::\d{12}:/, ''),
    r.action,
    r.outcome,
    gist(r),
  ]);
  return [
    table(['time (UTC)', 'finding', '#', 'actor', 'action', 'outcome', 'detail'], rows),
    '',
    `${records.length} record(s), ${findings} finding(s).`,
  ].join('\n');
}

function shortId(id: string): string {
  const bare = id.replace(/^(FINDING|EVENT)#/, '');
  return bare.length > 14 ? `${bare.slice(0, 12)}…` : bare;
}

/** One line of what a record says: the reason, or what changed. */
function gist(r: StoredRecord): string {
  const parts: string[] = [];
  if (r.reason) parts.push(r.reason);
  if (r.before) parts.push(`before ${compact(r.before)}`);
  if (r.after) parts.push(`after ${compact(r.after)}`);
  if (!r.reason && r.details) parts.push(compact(r.details));
  const text = parts.join('; ');
  return text.length > 100 ? `${text.slice(0, 99)}…` : text;
}

function compact(json: string): string {
  try {
    return JSON.stringify(JSON.parse(json));
  } catch {
    return json;
  }
}

/** What `audit verify` checks, and with which key. */
export interface VerifyOptions extends TrailOptions {
  readonly finding?: string;
  /** The trail's HMAC key (id, ARN or alias); the stack's alias unless named. */
  readonly macKey?: string;
}

/**
 * `remediate audit verify`: check the hash chains, each record's MAC (kms:VerifyMac with the
 * caller's credentials) and each chain head; name the first broken record of each chain.
 */
export async function auditVerify(
  options: VerifyOptions,
  deps: AuditDeps,
  out: Output,
  progress: (line: string) => void = () => {},
): Promise<{ exitCode: number; verdicts: ChainVerdict[] }> {
  const tables = await findTrailTables(deps.dynamodb, {
    auditTable: options.table,
    chainTable: options.chainTable,
  });
  if (!deps.kms) throw new AuditTrailError('verifying the trail needs a KMS client (kms:VerifyMac)');
  const mac = new KmsRecordMac(deps.kms, options.macKey ?? AUDIT_MAC_KEY_ALIAS);
  const { verdicts, records } = await verifyTrail(deps.dynamodb, tables, mac, {
    finding: options.finding,
    onProgress: progress,
  });
  const broken = verdicts.filter((v) => !v.ok);
  if (options.json) {
    for (const v of verdicts) out.log(JSON.stringify(v));
  } else {
    for (const v of broken) out.log(describeBreak(v));
    out.log(
      broken.length === 0
        ? `Verified: ${verdicts.length} chain(s), ${records} record(s), intact.`
        : `${broken.length} of ${verdicts.length} chain(s) broken.`,
    );
  }
  return { exitCode: broken.length === 0 ? 0 : 1, verdicts };
}

/** One broken chain, naming its first broken record. */
export function describeBreak(v: ChainVerdict): string {
  const b = v.broken;
  if (!b) return `${v.pk}: intact`;
  const where = `record ${b.seq ?? '?'} (${b.action ?? 'unknown action'}, sort key ${b.sk || 'none'})`;
  return `BROKEN ${v.pk} at ${where}: ${b.reason}${v.expired ? ' [every record is past its retention: TTL may have removed some]' : ''}`;
}

/** `remediate audit export --since …`: JSON lines for a SIEM, oldest first. */
export async function auditExport(
  options: TrailOptions & { since: string },
  deps: AuditDeps,
  out: Output,
  progress: (line: string) => void = () => {},
): Promise<{ exitCode: number; count: number }> {
  const tables: TrailTables = await findTrailTables(deps.dynamodb, {
    auditTable: options.table,
    chainTable: options.chainTable,
  });
  const since = parseSince(options.since);
  const records = await recordsSince(deps.dynamodb, tables, since, (n) =>
    progress(`scanned, ${n} record(s) so far…`),
  );
  for (const r of records) out.log(JSON.stringify(r));
  progress(`exported ${records.length} record(s) since ${since.toISOString()}`);
  return { exitCode: 0, count: records.length };
}

/**
 * The clients from the command line's `--local` and `--region` (each region's security stack
 * keeps its own trail), else the environment's region.
 */
function connect(local: boolean | undefined, regionOption?: string): AuditDeps & { close(): void } {
  const connection = local ? { endpoint: 'http://127.0.0.1:4566', credentials: SANDBOX_CREDENTIALS } : {};
  const region = regionOption ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const dynamodb = new DynamoDBClient({ region, ...connection });
  const kms = new KMSClient({ region, ...connection });
  const sts = new STSClient({ region, ...connection });
  return {
    dynamodb,
    kms,
    accountId: async () => (await sts.send(new GetCallerIdentityCommand({}))).Account,
    close() {
      dynamodb.destroy();
      kms.destroy();
      sts.destroy();
    },
  };
}

const stderr = (line: string) => process.stderr.write(`${line}\n`);

function withTrailOptions(command: Command): Command {
  return command
    .option('--local', 'use the local sandbox at http://127.0.0.1:4566')
    .option('--region <name>', 'the region whose trail to read (each region’s stack keeps its own)')
    .option('--table <name>', 'the audit table (default: found by name among the account’s tables)')
    .option('--chain-table <name>', 'the chain head table (default: found by name)');
}

/** `remediate audit …` */
export function auditCommand(): Command {
  const audit = withTrailOptions(
    new Command('audit')
      .description(
        'Read the audit trail: a timeline by finding, resource or period; verify its hash chains; export it',
      )
      .option('--finding <id>', 'one finding’s records')
      .option(
        '--resource <arn-or-id>',
        'every record about one resource (instance, group, key, bucket, trail)',
      )
      .option('--since <duration>', 'every record since then: 1h, 30m, 7d or an ISO-8601 time')
      .option('--json', 'JSON lines instead of a table'),
  ).action(async (opts: TimelineOptions & { local?: boolean; region?: string }) => {
    const deps = connect(opts.local, opts.region);
    try {
      process.exitCode = (await auditTimeline(opts, deps, console)).exitCode;
    } finally {
      deps.close();
    }
  });
  audit.addCommand(
    withTrailOptions(
      new Command('verify')
        .description('Check the hash chains (every finding, or one) and name the first broken record')
        .option('--finding <id>', 'only this finding’s chain')
        .option(
          '--mac-key <key>',
          `the trail's HMAC KMS key: id, ARN or alias (default ${AUDIT_MAC_KEY_ALIAS})`,
        )
        .option('--json', 'one JSON verdict per chain'),
    ).action(async (opts: VerifyOptions & { local?: boolean; region?: string }) => {
      const deps = connect(opts.local, opts.region);
      try {
        process.exitCode = (await auditVerify(opts, deps, console, stderr)).exitCode;
      } finally {
        deps.close();
      }
    }),
  );
  audit.addCommand(
    withTrailOptions(
      new Command('export')
        .description('Every record since a time, as JSON lines on stdout (for a SIEM); progress on stderr')
        .requiredOption('--since <duration>', '1h, 30m, 7d or an ISO-8601 time'),
    ).action(async (opts: TrailOptions & { since: string; local?: boolean; region?: string }) => {
      const deps = connect(opts.local, opts.region);
      try {
        process.exitCode = (await auditExport(opts, deps, console, stderr)).exitCode;
      } finally {
        deps.close();
      }
    }),
  );
  return audit;
}
