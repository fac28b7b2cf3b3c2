import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
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
import { displayText, jsonText } from '#shared/text/display.ts';
import { connection } from '../connection.ts';
import { RefusedError } from '../failure.ts';
import { jsonLine } from '../json-line.ts';
import { originalEvents } from '../report/export-events.ts';
import { table } from '../table.ts';
import { terminal } from '../terminal.ts';
import type { Output } from './policy.ts';

/** `audit verify --finding ID` for a finding the trail has no record of: nothing was verified (exit 1). */
export class UnknownFindingError extends RefusedError {
  override name = 'UnknownFindingError';
  constructor(readonly findingId: string) {
    super(
      `no audit records for finding ${findingId}: nothing to verify (check the id with \`remediate audit --since 7d\`)`,
    );
  }
}

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
    for (const r of records) out.log(jsonLine(r));
  } else if (records.length === 0) {
    out.log('No audit records match.');
  } else {
    out.log(renderTimeline(records));
  }
  return { exitCode: 0, records };
}

/**
 * The timeline as tables, one per finding: a heading with the full finding id and the executions
 * that acted on it (what `remediate undo` takes), then when, who, what, how it ended, the gist.
 */
export function renderTimeline(records: readonly StoredRecord[]): string {
  const byFinding = new Map<string, StoredRecord[]>();
  for (const r of records) {
    const id = r.findingId ?? r.pk.replace(/^(FINDING|EVENT)#/, '');
    byFinding.set(id, [...(byFinding.get(id) ?? []), r]);
  }
  const sections = [...byFinding].map(([findingId, rows]) => {
    const executions = new Map<string, string>();
    for (const r of rows) if (r.executionArn) executions.set(r.executionArn, r.playbook ?? r.actor);
    return [
      displayText(`finding ${findingId}`),
      ...[...executions].map(([arn, playbook]) => displayText(`  execution ${arn}  (${playbook})`)),
      table(
        ['time (UTC)', '#', 'actor', 'action', 'outcome', 'detail'],
        rows.map((r) => [
          r.at.replace('T', ' ').replace('Z', ''),
          r.seq === undefined ? '-' : String(r.seq),
          r.actor.replace(/^arn:aws[\w-]*:(sts|iam)::\d{12}:/, ''),
          r.action,
          r.outcome,
          gist(r),
        ]),
      ),
    ].join('\n');
  });
  return [...sections, `${records.length} record(s), ${byFinding.size} finding(s).`].join('\n\n');
}

/** One line of what a record says: the reason, or what changed. */
function gist(r: StoredRecord): string {
  const parts: string[] = [];
  if (r.reason) parts.push(r.reason);
  if (r.before) parts.push(`before ${compact(r.before)}`);
  if (r.after) parts.push(`after ${compact(r.after)}`);
  if (!r.reason && r.details) parts.push(compact(r.details));
  // A reason is whoever wrote it's text (an approver, a finding's field): shown, never obeyed.
  const text = displayText(parts.join('; '));
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
  }).catch((error: unknown) => {
    // A finding with neither records nor a chain head: nothing verified, a failed check (exit 1).
    if (options.finding && error instanceof AuditTrailError && error.message.startsWith('no audit records')) {
      throw new UnknownFindingError(options.finding);
    }
    throw error;
  });
  if (options.finding && records === 0) throw new UnknownFindingError(options.finding);
  const broken = verdicts.filter((v) => !v.ok);
  if (options.json) {
    for (const v of verdicts) out.log(jsonLine(v));
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

/** `remediate audit export --since …`: JSON lines for a SIEM, oldest first; `--events`: the findings' original events. */
export async function auditExport(
  options: TrailOptions & { since: string; events?: boolean },
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
  if (options.events) {
    const { events, withoutEvent } = originalEvents(records);
    for (const e of events) out.log(JSON.stringify(e));
    if (withoutEvent.length > 0)
      progress(`${withoutEvent.length} finding(s) kept no event: ${withoutEvent.join(', ')}`);
    progress(`exported ${events.length} event(s) since ${since.toISOString()}`);
    return { exitCode: 0, count: events.length };
  }
  for (const r of records) out.log(jsonText(r));
  progress(`exported ${records.length} record(s) since ${since.toISOString()}`);
  return { exitCode: 0, count: records.length };
}

/**
 * The clients from the command line's `--local` and `--region` (each region's security stack
 * keeps its own trail), else the environment's region (refused unless a region name).
 */
export function connect(local: boolean | undefined, regionOption?: string): AuditDeps & { close(): void } {
  const settings = connection({ local, region: regionOption });
  const dynamodb = new DynamoDBClient(settings);
  const kms = new KMSClient(settings);
  const sts = new STSClient(settings);
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

const stderr = (line: string) => terminal.error(line);

/** Run one audit command with clients for `--local` / `--region`, and close them after. */
async function withTrail(
  opts: { local?: boolean; region?: string },
  run: (deps: AuditDeps) => Promise<{ exitCode: number }>,
): Promise<void> {
  const deps = connect(opts.local, opts.region);
  try {
    process.exitCode = (await run(deps)).exitCode;
  } finally {
    deps.close();
  }
}

/** `remediate audit` (the timeline). */
export function auditTimelineAction(
  opts: TimelineOptions & { local?: boolean; region?: string },
): Promise<void> {
  return withTrail(opts, (deps) => auditTimeline(opts, deps, terminal));
}

/** `remediate audit verify`: nothing verified (an unknown finding) is a failed check, exit 1 as for a break. */
export function auditVerifyAction(opts: VerifyOptions & { local?: boolean; region?: string }): Promise<void> {
  return withTrail(opts, (deps) => auditVerify(opts, deps, terminal, stderr));
}

/** `remediate audit export`. */
export function auditExportAction(
  opts: TrailOptions & { since: string; events?: boolean; local?: boolean; region?: string },
): Promise<void> {
  return withTrail(opts, (deps) => auditExport(opts, deps, terminal, stderr));
}
