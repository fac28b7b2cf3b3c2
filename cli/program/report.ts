import { Command } from 'commander';
import { LOCAL_HELP } from '../connection.ts';
import { packagePath } from '../package-path.ts';

/** `remediate report --since 30d [--html FILE] [--json]`; loads cli/commands/report.ts when it runs. */
export function reportCommand(): Command {
  return new Command('report')
    .description(
      'What the policy did over a period, per rule and playbook, and the changes its numbers suggest',
    )
    .option('--since <duration>', 'the period: 30d, 12h or an ISO-8601 time', '30d')
    .option('--html <file>', 'also write a self-contained HTML report with charts')
    .option('--json', 'the report as one JSON object')
    .option('--policy <file>', 'the policy the suggestions point into', packagePath('policy/default.yaml'))
    .option('--local', LOCAL_HELP)
    .option('--region <name>', 'the region whose trail to read (each region’s stack keeps its own)')
    .option(
      '--regions <names>',
      'read these regions’ trails and merge them, with a section per region: eu-west-1,us-east-1',
    )
    .option('--all-regions', 'read every region the stack is deployed in (`regions` in cdk.json), merged')
    .option('--table <name>', 'the audit table (default: found by name among the account’s tables)')
    .option('--chain-table <name>', 'the chain head table (default: found by name)')
    .action(async (opts) => {
      const { reportAction } = await import('../commands/report.ts');
      await reportAction(opts);
    });
}
