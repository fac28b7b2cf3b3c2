import { readFileSync, writeFileSync } from 'node:fs';
import { findTrailTables, parseSince, recordsSince } from '#shared/audit/reader.ts';
import { PolicySchema } from '#shared/policy/schema.ts';
import { parseYamlWithSchema } from '#shared/policy/yaml-source.ts';
import { findingHistories } from '#shared/report/finding-history.ts';
import { type TrailReport, trailReport } from '#shared/report/metrics.ts';
import { type PolicyWithSource, type Suggestion, suggestPolicyChanges } from '#shared/report/suggestions.ts';
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
  deps: Pick<AuditDeps, 'dynamodb'>,
  out: Output,
  now: Date = new Date(),
): Promise<{ exitCode: number; report: TrailReport; suggestions: Suggestion[] }> {
  const since = parseSince(options.since, now);
  const tables = await findTrailTables(deps.dynamodb, {
    auditTable: options.table,
    chainTable: options.chainTable,
  });
  const records = await recordsSince(deps.dynamodb, tables, since);
  const report = trailReport(findingHistories(records), since, now);
  const suggestions = suggestPolicyChanges(
    report,
    options.policy ? policyWithSource(options.policy) : undefined,
  );
  if (options.html) writeFileSync(options.html, renderHtmlReport(report, suggestions));
  if (options.json) out.log(JSON.stringify({ ...report, suggestions }));
  else out.log(renderTextReport(report, suggestions));
  return { exitCode: 0, report, suggestions };
}

function policyWithSource(file: string): PolicyWithSource {
  const { value, source } = parseYamlWithSchema(readFileSync(file, 'utf8'), file, PolicySchema);
  return { policy: value, source };
}

/** `remediate report`, connected to the trail `--local` / `--region` name. */
export async function reportAction(
  opts: ReportOptions & { local?: boolean; region?: string },
): Promise<void> {
  const deps = connect(opts.local, opts.region);
  try {
    process.exitCode = (await reportCommandRun(opts, deps, terminal)).exitCode;
  } finally {
    deps.close();
  }
}
