import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Classification, classifyEvent } from '#shared/classify.ts';
import { PolicyError } from '#shared/errors.ts';
import type { Severity } from '#shared/findings/finding.ts';
import { loadPolicyFile } from '#shared/policy/load.ts';
import type { Output } from './policy.ts';

/** One line of `remediate classify` output: what the policy does with one finding of one file. */
export interface ClassifyRow {
  file: string;
  outcome: Classification['outcome'];
  playbook?: string;
  mode?: string;
  severity: Severity;
  reason: string;
  /** The finding's type and id, when the event normalized. */
  type?: string;
  findingId?: string;
  ruleId?: string;
}

/** Options of `remediate classify`. */
export interface ClassifyOptions {
  policy: string;
  json: boolean;
  /** Evaluation time; defaults to now. */
  now?: Date;
}

/**
 * `remediate classify`: one row per finding of each event file. A rejected event is a
 * definite outcome (exit 0); an unreadable file or a bad policy is not (exit 2).
 */
export function classifyFiles(files: readonly string[], options: ClassifyOptions, out: Output): number {
  let policy: ReturnType<typeof loadPolicyFile>;
  try {
    policy = loadPolicyFile(options.policy);
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    out.error(error.message);
    return 2;
  }
  const rows: ClassifyRow[] = [];
  let exitCode = 0;
  for (const file of files.flatMap(eventFiles)) {
    let event: unknown;
    try {
      event = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      // ENOENT/EACCES from the read, SyntaxError from JSON.parse: both mean "no event to classify".
      out.error(`${file}: cannot read the event: ${(error as Error).message}`);
      exitCode = 2;
      continue;
    }
    const ctx = { now: options.now ?? new Date(), recentAutoActions: 0 };
    for (const classification of classifyEvent(event, policy, ctx)) rows.push(toRow(file, classification));
  }
  if (options.json) for (const row of rows) out.log(JSON.stringify(row));
  else if (rows.length > 0) for (const line of formatTable(rows)) out.log(line);
  return exitCode;
}

/** A folder stands for the `*.json` files in it (sorted); anything else is read as one event file. */
function eventFiles(path: string): string[] {
  let isFolder = false;
  try {
    isFolder = statSync(path).isDirectory();
  } catch {
    return [path]; // Reported as unreadable where it is read.
  }
  if (!isFolder) return [path];
  return readdirSync(path)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => join(path, name));
}

function toRow(file: string, classification: Classification): ClassifyRow {
  const { outcome, severity, reason, finding } = classification;
  return {
    file,
    outcome,
    ...(classification.outcome === 'routed' && {
      ...(classification.playbook !== undefined && { playbook: classification.playbook }),
      mode: classification.mode,
    }),
    severity,
    reason,
    ...(finding && { type: finding.type, findingId: finding.id }),
    ...('ruleId' in classification &&
      classification.ruleId !== undefined && { ruleId: classification.ruleId }),
  };
}

/** Aligned columns; the reason comes last and is not padded. */
function formatTable(rows: readonly ClassifyRow[]): string[] {
  const header = ['FILE', 'OUTCOME', 'PLAYBOOK', 'MODE', 'SEVERITY', 'REASON'];
  const cells = rows.map((row) => [
    row.file,
    row.outcome,
    row.playbook ?? '-',
    row.mode ?? '-',
    `${row.severity.score} ${row.severity.label}`,
    row.reason,
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...cells.map((line) => (line[column] ?? '').length)),
  );
  return [header, ...cells].map((line) =>
    line
      .map((cell, column) => (column === line.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  '),
  );
}
