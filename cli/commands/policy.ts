import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { PolicyError } from '#shared/errors.ts';
import { loadPolicyFile } from '#shared/policy/load.ts';
import { checkPolicyPlaybooks } from '#shared/policy/playbook-checks.ts';
import { PolicySchema } from '#shared/policy/schema.ts';
import { loadPolicyTestFile, runPolicyTestCase } from '#shared/policy/test-cases.ts';
import { playbooks } from '#statemachines/registry.ts';
import { describeChange, diffPolicies, RISKY_CHANGES, readEventCorpus } from '../report/policy-diff.ts';

/** Where the CLI writes; `console` in production, a recorder in tests. */
export type Output = Pick<Console, 'log' | 'error'>;

export { packagePath } from '../package-path.ts';

/** `remediate policy check`: schema and known playbooks. Returns the exit code (1 on errors). */
export function checkPolicy(file: string, out: Output): number {
  let problems: string[];
  try {
    const policy = loadPolicyFile(file);
    problems = checkPolicyPlaybooks(policy, playbooks);
    if (problems.length === 0) {
      out.log(`OK ${file}: ${policy.rules.length} rules, ${policy.exemptions.length} exemptions`);
      return 0;
    }
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    problems = error.message.split('\n');
  }
  for (const problem of problems) out.error(problem);
  out.error(`${problems.length} error${problems.length === 1 ? '' : 's'} in ${file}`);
  return 1;
}

/**
 * The case files `path` names: the file itself, or every `*.yaml`/`*.yml` in the folder, sorted.
 * A missing path or a folder without case files is an input error, said in one line.
 */
export function policyTestFiles(path: string): { files: string[] } | { problem: string } {
  let isFolder: boolean;
  try {
    isFolder = statSync(path).isDirectory();
  } catch {
    return {
      problem: `${path}: no such file or folder (policy test cases are YAML files, e.g. policy/tests)`,
    };
  }
  if (!isFolder) return { files: [path] };
  const files = readdirSync(path)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => join(path, name));
  return files.length > 0
    ? { files }
    : { problem: `${path}: no *.yaml case files in this folder (see policy/tests for the format)` };
}

/**
 * `remediate policy test`: run the case file, or every case file of a folder, against the policy;
 * print pass/fail per case and `N passed, N failed`. Exit 0 all passed, 1 a case failed, 2 when
 * there is nothing to run or a file does not load (docs/operations.md, exit codes).
 */
export function testPolicy(path: string, policyFile: string, out: Output): number {
  let passed = 0;
  let failed = 0;
  const found = policyTestFiles(path);
  if ('problem' in found) {
    out.error(found.problem);
    return 2;
  }
  try {
    const policy = loadPolicyFile(policyFile);
    // A policy synth would refuse is not tested: its errors first, as `policy check` reports them.
    const problems = checkPolicyPlaybooks(policy, playbooks);
    if (problems.length > 0) throw new PolicyError(problems.join('\n'));
    for (const file of found.files) {
      for (const testCase of loadPolicyTestFile(file)) {
        const result = runPolicyTestCase(policy, testCase, file);
        if (result.failures.length === 0) {
          passed += 1;
          out.log(`pass  ${file}: ${result.name}`);
        } else {
          failed += 1;
          out.log(`FAIL  ${file}: ${result.name}`);
          for (const failure of result.failures) out.log(`        ${failure}`);
        }
      }
    }
  } catch (error) {
    if (!(error instanceof PolicyError) && (error as NodeJS.ErrnoException).code === undefined) throw error;
    out.error((error as Error).message);
    return 2;
  }
  out.log(`${passed} passed, ${failed} failed`);
  if (passed + failed === 0) {
    out.error(`${path}: the case files hold no cases`);
    return 2;
  }
  return failed === 0 ? 0 : 1;
}

/**
 * The JSON Schema (draft 2020-12) of a policy file as written (defaults may be left out), from the
 * same zod schema the loader validates with, so an editor can check a policy while it is typed.
 */
export function policyJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(PolicySchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}

/**
 * `remediate policy diff OLD NEW --events DIR…`: every finding whose decision changes. Exit 1 when
 * one gains `auto` or loses containment and `--allow` does not name that kind of change.
 */
export function policyDiff(
  oldFile: string,
  newFile: string,
  options: { events: readonly string[]; allow?: string; json?: boolean },
  out: Output,
): number {
  const allowed = (options.allow ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  const unknown = allowed.filter((a) => !(RISKY_CHANGES as readonly string[]).includes(a));
  if (unknown.length > 0)
    throw new PolicyError(`--allow ${unknown.join(',')}: expected ${RISKY_CHANGES.join(', ')}`);
  const corpus = readEventCorpus(options.events);
  const changes = diffPolicies(loadPolicyFile(oldFile), loadPolicyFile(newFile), corpus);
  const failing = changes.filter((c) => c.risky.some((r) => !allowed.includes(r)));
  for (const c of changes) out.log(options.json ? JSON.stringify(c) : describeChange(c));
  if (!options.json) {
    out.log(
      `${corpus.length} event(s), ${changes.length} decision(s) changed, ${failing.length} not allowed`,
    );
  }
  return failing.length > 0 ? 1 : 0;
}
