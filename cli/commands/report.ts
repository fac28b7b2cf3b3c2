import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { AuditTrailError, findTrailTables, parseSince, recordsSince } from '#shared/audit/reader.ts';
import { PolicySchema } from '#shared/policy/schema.ts';
import { parseYamlWithSchema } from '#shared/policy/yaml-source.ts';
import { type FindingHistory, findingHistories } from '#shared/report/finding-history.ts';
import { type TrailReport, trailReport } from '#shared/report/metrics.ts';
import { type PolicyWithSource, type Suggestion, suggestPolicyChanges } from '#shared/report/suggestions.ts';
import { regionOf, UsageError } from '../connection.ts';
import { packagePath } from '../package-path.ts';
import { renderHtmlReport } from '../report/html.ts';
import { renderTextReport } from '../report/text.ts';
import { terminal } from '../terminal.ts';
import { type AuditDeps, connect, type TrailOptions } from './audit.ts';
import type { Output } from './policy.ts';

/** What `remediate report` reads and writes. */
export interface ReportOptions extends TrailOptions {
  readonly since: string;
  /** Write the HTML report here too. */
  readonly html?: string;
  /** The policy whose lines the suggestions name. */
  readonly policy?: string;
}

/**
 * `remediate report`: the period's findings from the audit trail, per rule and per playbook, with
 * the policy changes the numbers support. `--json` prints the report as one JSON object.
 */
export async function reportCommandRun(
  options: ReportOptions,
  deps: Pick<AuditDeps, 'dynamodb'> | readonly RegionTrail[],
  out: Output,
  now: Date = new Date(),
): Promise<{ exitCode: number; report: TrailReport; suggestions: Suggestion[] }> {
  const since = parseSince(options.since, now);
  const regional = isRegional(deps);
  const findings: FindingHistory[] = [];
  for (const trail of regional ? deps : [deps]) {
    const region = 'region' in trail ? trail.region : undefined;
    const records = await trailRecords(trail.dynamodb, options, since, region);
    findings.push(...findingHistories(records).map((f) => (region ? { ...f, region } : f)));
  }
  const report = trailReport(findings, since, now, { byRegion: regional });
  const suggestions = suggestPolicyChanges(
    report,
    options.policy ? policyWithSource(options.policy) : undefined,
  );
  if (options.html) writeFileSync(options.html, renderHtmlReport(report, suggestions));
  if (options.json) out.log(JSON.stringify({ ...report, suggestions }));
  else out.log(renderTextReport(report, suggestions));
  return { exitCode: 0, report, suggestions };
}

/** One region's trail: the region, and a client of the security account there. */
export interface RegionTrail {
  readonly region: string;
  readonly dynamodb: AuditDeps['dynamodb'];
}

function isRegional(
  deps: Pick<AuditDeps, 'dynamodb'> | readonly RegionTrail[],
): deps is readonly RegionTrail[] {
  return Array.isArray(deps);
}

/** One trail's records since then; a region without the stack's tables is named in the error. */
async function trailRecords(
  dynamodb: AuditDeps['dynamodb'],
  options: TrailOptions,
  since: Date,
  region: string | undefined,
) {
  try {
    const tables = await findTrailTables(dynamodb, {
      auditTable: options.table,
      chainTable: options.chainTable,
    });
    return await recordsSince(dynamodb, tables, since);
  } catch (error) {
    if (region && error instanceof AuditTrailError) {
      throw new AuditTrailError(`${region}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

/**
 * The regions `--regions a,b` names, or `--all-regions`: the `regions` the stack is deployed with
 * (cdk.json's context, as `cdk deploy` read it). Undefined for one region (`--region`).
 */
export function reportRegions(
  opts: { region?: string; regions?: string; allRegions?: boolean },
  cdkJson: string = packagePath('cdk.json'),
): string[] | undefined {
  const given = [opts.region && '--region', opts.regions && '--regions', opts.allRegions && '--all-regions'];
  if (given.filter(Boolean).length > 1) {
    throw new UsageError(`use one of ${given.filter(Boolean).join(', ')}`);
  }
  if (opts.regions !== undefined) return listedRegions(opts.regions.split(','), '--regions');
  if (!opts.allRegions) return undefined;
  const context = existsSync(cdkJson)
    ? (JSON.parse(readFileSync(cdkJson, 'utf8')) as { context?: { regions?: unknown } }).context
    : undefined;
  const configured = context?.regions;
  const names = Array.isArray(configured) ? configured.map(String) : String(configured ?? '').split(',');
  if (names.every((n) => n.trim() === '')) {
    throw new UsageError(
      `--all-regions reads the deployment's \`regions\` from ${cdkJson}, which sets none: name them with --regions eu-west-1,us-east-1`,
    );
  }
  return listedRegions(names, `the regions of ${cdkJson}`);
}

function listedRegions(names: readonly string[], where: string): string[] {
  const regions = [...new Set(names.map((n) => n.trim()).filter(Boolean))];
  if (regions.length === 0) throw new UsageError(`${where}: name at least one region`);
  for (const region of regions) regionOf(region);
  return regions;
}

function policyWithSource(file: string): PolicyWithSource {
  const { value, source } = parseYamlWithSchema(readFileSync(file, 'utf8'), file, PolicySchema);
  return { policy: value, source };
}

/** `remediate report`, connected to the trail `--local` / `--region` name, or to each of `--regions`. */
export async function reportAction(
  opts: ReportOptions & { local?: boolean; region?: string; regions?: string; allRegions?: boolean },
): Promise<void> {
  const regions = reportRegions(opts);
  const connections = (regions ?? [opts.region]).map((region) => ({
    region,
    ...connect(opts.local, region),
  }));
  try {
    const deps = regions
      ? connections.map(({ region, dynamodb }) => ({ region: region as string, dynamodb }))
      : (connections[0] as AuditDeps);
    process.exitCode = (await reportCommandRun(opts, deps, terminal)).exitCode;
  } finally {
    for (const c of connections) c.close();
  }
}
