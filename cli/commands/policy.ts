import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { PolicyError } from '#shared/errors.ts';
import { loadPolicyFile } from '#shared/policy/load.ts';
import { checkPolicyPlaybooks } from '#shared/policy/playbook-checks.ts';
import { loadPolicyTestFile, runPolicyTestCase } from '#shared/policy/test-cases.ts';
import { playbooks } from '#statemachines/registry.ts';

/** Where the CLI writes; `console` in production, a recorder in tests. */
export type Output = Pick<Console, 'log' | 'error'>;

/** A path inside this package, shown relative to the working directory (`policy/default.yaml` from the root). */
export function packagePath(path: string): string {
  return relative(process.cwd(), fileURLToPath(new URL(`../../${path}`, import.meta.url))) || '.';
}

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
 * `remediate policy test`: run every `*.yaml` case file in `dir` against the policy, print
 * pass/fail per case and `N passed, N failed`. Returns the exit code (1 on any failure).
 */
export function testPolicy(dir: string, policyFile: string, out: Output): number {
  let passed = 0;
  let failed = 0;
  try {
    const policy = loadPolicyFile(policyFile);
    // A policy synth would refuse is not tested: its errors first, as `policy check` reports them.
    const problems = checkPolicyPlaybooks(policy, playbooks);
    if (problems.length > 0) throw new PolicyError(problems.join('\n'));
    const files = readdirSync(dir)
      .filter((name) => /\.ya?ml$/.test(name))
      .sort()
      .map((name) => join(dir, name));
    for (const file of files) {
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
    return 1;
  }
  out.log(`${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0 ? 0 : 1;
}

/** The `policy` command group. */
export function policyCommand(): Command {
  const policy = new Command('policy').description('validate and test remediation policies');
  policy
    .command('check')
    .description('validate a policy: schema, and playbooks that exist')
    .argument('[file]', 'policy file', packagePath('policy/default.yaml'))
    .action((file: string) => {
      process.exitCode = checkPolicy(file, console);
    });
  policy
    .command('test')
    .description('run policy test cases (YAML) and report pass/fail per case')
    .argument('[dir]', 'folder of test case files', packagePath('policy/tests'))
    .option('--policy <file>', 'policy under test', packagePath('policy/default.yaml'))
    .action((dir: string, options: { policy: string }) => {
      process.exitCode = testPolicy(dir, options.policy, console);
    });
  return policy;
}
