import { Command } from 'commander';
import { packagePath } from '../package-path.ts';
import { RISKY_CHANGES } from '../report/risky-changes.ts';

/** The `policy` command group; each action loads cli/commands/policy.ts when it runs. */
export function policyCommand(): Command {
  const policy = new Command('policy').description('validate and test remediation policies');
  policy
    .command('check')
    .description('validate a policy: schema, and playbooks that exist')
    .argument('[file]', 'policy file', packagePath('policy/default.yaml'))
    .action(async (file: string) => {
      const { checkPolicy } = await import('../commands/policy.ts');
      process.exitCode = checkPolicy(file, console);
    });
  policy
    .command('test')
    .description('run policy test cases (YAML) and report pass/fail per case')
    .argument('[path]', 'a test case file, or a folder of them', packagePath('policy/tests'))
    .option('--policy <file>', 'policy under test', packagePath('policy/default.yaml'))
    .action(async (path: string, options: { policy: string }) => {
      const { testPolicy } = await import('../commands/policy.ts');
      process.exitCode = testPolicy(path, options.policy, console);
    });
  policy
    .command('schema')
    .description('print the JSON Schema of a policy file (for editors; fields: docs/policy.md)')
    .action(async () => {
      const { policyJsonSchema } = await import('../commands/policy.ts');
      console.log(JSON.stringify(policyJsonSchema(), null, 2));
    });
  policy
    .command('diff')
    .description('classify a corpus of events with two policies and list every decision that changes')
    .argument('<old>', 'the policy as it is')
    .argument('<new>', 'the policy as proposed')
    .requiredOption('--events <paths...>', 'event files (.json, .jsonl) or folders of them')
    .option(
      '--allow <changes>',
      `changes that do not fail the check, comma-separated: ${RISKY_CHANGES.join(',')}`,
    )
    .option('--json', 'one JSON object per changed decision')
    .action(
      async (
        oldFile: string,
        newFile: string,
        options: { events: string[]; allow?: string; json?: boolean },
      ) => {
        const { policyDiff } = await import('../commands/policy.ts');
        process.exitCode = policyDiff(oldFile, newFile, options, console);
      },
    );
  return policy;
}
