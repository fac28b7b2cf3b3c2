import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Classification, classifyEvent } from '#shared/classify.ts';
import { PolicyError } from '#shared/errors.ts';
import type { Policy } from '#shared/policy/schema.ts';
import type { RiskyChange } from './risky-changes.ts';

// Kept apart so the command line's help names them without loading the classifier.
export { RISKY_CHANGES, type RiskyChange } from './risky-changes.ts';

/** One event of the corpus, with where it came from. */
export interface CorpusEvent {
  /** `file` or `file:line` for JSON lines. */
  readonly origin: string;
  readonly event: unknown;
}

/** What a policy decided for one finding, reduced to what the diff compares. */
export interface DecisionSummary {
  readonly outcome: string;
  readonly playbook?: string;
  readonly mode?: string;
  readonly rule?: string;
}

/** One finding (or rejected event) whose decision differs between the two policies. */
export interface DecisionChange {
  readonly origin: string;
  readonly findingId?: string;
  readonly before: DecisionSummary;
  readonly after: DecisionSummary;
  readonly risky: readonly RiskyChange[];
}

/**
 * Read every event under the given files and folders (recursively, in name order): a `.json` file
 * holds one event or an array of them, a `.jsonl`/`.ndjson` file one event per line (what `remediate
 * audit export --events` writes). A file that is not JSON is a {@link PolicyError} naming it.
 */
export function readEventCorpus(paths: readonly string[]): CorpusEvent[] {
  const events: CorpusEvent[] = [];
  const visit = (path: string) => {
    if (statSync(path).isDirectory()) {
      for (const name of readdirSync(path).sort()) visit(join(path, name));
      return;
    }
    if (/\.(jsonl|ndjson)$/.test(path)) {
      for (const [i, line] of readFileSync(path, 'utf8').split('\n').entries()) {
        if (line.trim() !== '')
          events.push({ origin: `${path}:${i + 1}`, event: parse(line, `${path}:${i + 1}`) });
      }
    } else if (path.endsWith('.json')) {
      const value = parse(readFileSync(path, 'utf8'), path);
      for (const [i, event] of (Array.isArray(value) ? value : [value]).entries()) {
        events.push({ origin: Array.isArray(value) ? `${path}[${i}]` : path, event });
      }
    }
  };
  for (const path of paths) visit(path);
  return events;
}

function parse(text: string, origin: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new PolicyError(`${origin}: not JSON (${(error as Error).message})`, { cause: error });
  }
}

function summary(c: Classification): DecisionSummary {
  if (c.outcome === 'rejected') return { outcome: 'rejected' };
  if (c.outcome === 'routed') {
    return {
      outcome: c.mode === 'notify' || !c.playbook ? 'notified' : 'routed',
      ...(c.playbook && { playbook: c.playbook }),
      mode: c.mode,
      rule: c.ruleId,
    };
  }
  return { outcome: c.outcome, ...('ruleId' in c && c.ruleId && { rule: c.ruleId }) };
}

/** A decision that changes the resource: a playbook run automatically or once approved. */
const contains = (d: DecisionSummary) =>
  d.outcome === 'routed' && d.playbook !== undefined && (d.mode === 'auto' || d.mode === 'approve');

function riskOf(before: DecisionSummary, after: DecisionSummary): RiskyChange[] {
  const risky: RiskyChange[] = [];
  if (after.mode === 'auto' && after.outcome === 'routed' && before.mode !== 'auto') risky.push('gains-auto');
  if (contains(before) && !contains(after)) risky.push('loses-containment');
  return risky;
}

const same = (a: DecisionSummary, b: DecisionSummary) =>
  a.outcome === b.outcome && a.playbook === b.playbook && a.mode === b.mode && a.rule === b.rule;

/**
 * Classify every event with both policies, with the classifier's own logic (classifyEvent), and
 * list the findings whose outcome, playbook, mode or deciding rule changed. Evaluated as in an
 * organization (no own-account scope) with an empty blast-radius window, at `now`, so the
 * difference is the policies' alone.
 */
export function diffPolicies(
  before: Policy,
  after: Policy,
  corpus: readonly CorpusEvent[],
  now: Date = new Date(),
): DecisionChange[] {
  const ctx = { now, recentAutoActions: 0 };
  const changes: DecisionChange[] = [];
  for (const { origin, event } of corpus) {
    const old = classifyEvent(event, before, ctx);
    const next = classifyEvent(event, after, ctx);
    for (const [i, o] of old.entries()) {
      const n = next[i] as Classification;
      const [b, a] = [summary(o), summary(n)];
      if (same(b, a)) continue;
      changes.push({
        origin,
        ...(o.finding && { findingId: o.finding.id }),
        before: b,
        after: a,
        risky: riskOf(b, a),
      });
    }
  }
  return changes;
}

/** One change as a line: where, which finding, before → after, and why it fails the check. */
export function describeChange(c: DecisionChange): string {
  const show = (d: DecisionSummary) =>
    [d.outcome, d.playbook, d.mode && `(${d.mode})`, d.rule ? `by rule ${d.rule}` : 'no rule']
      .filter(Boolean)
      .join(' ');
  const flag = c.risky.length > 0 ? `  [${c.risky.join(', ')}]` : '';
  return `${c.origin}${c.findingId ? ` finding ${c.findingId}` : ''}: ${show(c.before)} → ${show(c.after)}${flag}`;
}
