import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { type Classification, classifyEvent } from '#shared/classify.ts';
import { PolicyError } from '#shared/errors.ts';
import type { EvaluationContext } from './evaluate.ts';
import { ModeSchema, type Policy } from './schema.ts';
import { parseYamlWithSchema } from './yaml-source.ts';

/** One policy test: an event and the outcome the policy must give it. */
export const PolicyTestCaseSchema = z.strictObject({
  /** Shown in the pass/fail report. */
  name: z.string({ error: 'expected a name' }).check(z.minLength(1)),
  /** A fixture path (JSON, relative to the case file) or the event itself, inline. */
  event: z.union([z.string().check(z.minLength(1)), z.record(z.string(), z.unknown())], {
    error: 'expected a path to a JSON event or an inline event',
  }),
  /** The evaluation context; by default now, with no recent automatic actions. */
  context: z.optional(
    z.strictObject({
      /** ISO date-time of the evaluation (exemption expiry). */
      now: z.optional(z.iso.datetime({ offset: true })),
      /** Automatic actions already taken in the blast-radius window. @default 0 */
      recentAutoActions: z._default(z.number().check(z.int(), z.gte(0)), 0),
      /** Extra protected principal ARNs, as the deployed stack passes its own roles. */
      protectedPrincipalArns: z.optional(z.array(z.string())),
    }),
  ),
  /** What every finding of the event must get. Fields left out are not checked. */
  expect: z.strictObject({
    outcome: z.enum(['routed', 'skipped', 'exempt', 'rejected'], {
      error: 'expected one of routed|skipped|exempt|rejected',
    }),
    playbook: z.optional(z.string()),
    mode: z.optional(ModeSchema),
    /** A substring the decision's reason must contain. */
    reason: z.optional(z.string()),
    /** The follow-up playbook that runs after this one (`next:`), and its mode. */
    next: z.optional(z.strictObject({ playbook: z.string(), mode: z.optional(ModeSchema) })),
  }),
});
export type PolicyTestCase = z.infer<typeof PolicyTestCaseSchema>;

/** A test file is a YAML list of cases. */
export const PolicyTestFileSchema = z.array(PolicyTestCaseSchema, { error: 'expected a list of test cases' });

/** The result of one case: `failures` is empty when it passed. */
export interface PolicyTestResult {
  name: string;
  failures: string[];
  classifications: Classification[];
}

/** Parse a test file; errors name `file:line:col` like policy errors do. */
export function loadPolicyTestFile(path: string): PolicyTestCase[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new PolicyError(`${path}: cannot read the test file (${code})`, { cause: error });
  }
  return parseYamlWithSchema(text, path, PolicyTestFileSchema).value;
}

/** Run one case from the file at `casePath` against `policy`. */
export function runPolicyTestCase(
  policy: Policy,
  testCase: PolicyTestCase,
  casePath: string,
): PolicyTestResult {
  const { name, expect } = testCase;
  let event: unknown = testCase.event;
  if (typeof testCase.event === 'string') {
    const eventPath = resolve(dirname(casePath), testCase.event);
    try {
      event = JSON.parse(readFileSync(eventPath, 'utf8'));
    } catch (error) {
      return {
        name,
        failures: [`cannot read event ${eventPath}: ${(error as Error).message}`],
        classifications: [],
      };
    }
  }
  const ctx: EvaluationContext = {
    now: testCase.context?.now ? new Date(testCase.context.now) : new Date(),
    recentAutoActions: testCase.context?.recentAutoActions ?? 0,
    ...(testCase.context?.protectedPrincipalArns && {
      protectedPrincipalArns: testCase.context.protectedPrincipalArns,
    }),
  };
  const classifications = classifyEvent(event, policy, ctx);
  const failures = classifications.flatMap((classification) => mismatches(classification, expect));
  return { name, failures, classifications };
}

function mismatches(classification: Classification, expected: PolicyTestCase['expect']): string[] {
  const actual = {
    outcome: classification.outcome,
    playbook: classification.outcome === 'routed' ? classification.playbook : undefined,
    mode: classification.outcome === 'routed' ? classification.mode : undefined,
  };
  const problems: string[] = [];
  for (const field of ['outcome', 'playbook', 'mode'] as const) {
    if (expected[field] !== undefined && expected[field] !== actual[field]) {
      problems.push(`expected ${field} ${expected[field]}, got ${actual[field] ?? 'none'}`);
    }
  }
  const next = classification.outcome === 'routed' ? classification.next : undefined;
  if (expected.next && expected.next.playbook !== next?.playbook) {
    problems.push(`expected next ${expected.next.playbook}, got ${next?.playbook ?? 'none'}`);
  } else if (expected.next?.mode !== undefined && expected.next.mode !== next?.mode) {
    problems.push(`expected next mode ${expected.next.mode}, got ${next?.mode ?? 'none'}`);
  }
  const reasonMissing = expected.reason !== undefined && !classification.reason.includes(expected.reason);
  if (reasonMissing) problems.push(`expected the reason to contain "${expected.reason}"`);
  // The actual reason is what explains a mismatch, so every failure shows it.
  if (problems.length > 0) problems.push(`reason: ${classification.reason}`);
  return problems;
}
