import { Command } from 'commander';
import { AUDIT_MAC_KEY_ALIAS } from '#shared/audit/mac-key-alias.ts';
import { LOCAL_HELP } from '../connection.ts';

/** The options every trail-reading command takes. */
function withTrailOptions(command: Command): Command {
  return command
    .option('--local', LOCAL_HELP)
    .option('--region <name>', 'the region whose trail to read (each region’s stack keeps its own)')
    .option('--table <name>', 'the audit table (default: found by name among the account’s tables)')
    .option('--chain-table <name>', 'the chain head table (default: found by name)');
}

/**
 * `remediate audit …`; each action loads cli/commands/audit.ts when it runs. Positional options:
 * `audit verify --finding X` gives `--finding` to `verify`, not to the `audit` timeline that has an
 * option of the same name (the program enables them too, see cli/main.ts). An option of `audit`
 * written before a subcommand would otherwise be dropped without a word, so it is refused.
 */
export function auditCommand(): Command {
  const audit = withTrailOptions(
    new Command('audit')
      .description(
        'Read the audit trail: a timeline by finding, resource or period; verify its hash chains; export it',
      )
      .enablePositionalOptions()
      .option('--finding <id>', 'one finding’s records')
      .option(
        '--resource <arn-or-id>',
        'every record about one resource (instance, group, key, bucket, trail)',
      )
      .option('--since <duration>', 'every record since then: 1h, 30m, 7d or an ISO-8601 time')
      .option('--json', 'JSON lines instead of a table'),
  )
    .hook('preSubcommand', (parent, sub) => {
      const given = parent.options
        .filter((o) => parent.getOptionValue(o.attributeName()) !== undefined)
        .map((o) => o.long);
      if (given.length > 0) {
        parent.error(
          `error: write ${given.join(', ')} after the subcommand: remediate audit ${sub.name()} ${given[0]} …`,
        );
      }
    })
    .action(async (opts) => {
      const { auditTimelineAction } = await import('../commands/audit.ts');
      await auditTimelineAction(opts);
    });
  audit.addCommand(
    withTrailOptions(
      new Command('verify')
        .description('Check the hash chains (every finding, or one) and name the first broken record')
        .option('--finding <id>', 'only this finding’s chain')
        .option(
          '--mac-key <key>',
          `the trail's HMAC KMS key: id, ARN or alias (default ${AUDIT_MAC_KEY_ALIAS})`,
        )
        .option('--json', 'one JSON verdict per chain'),
    ).action(async (opts) => {
      const { auditVerifyAction } = await import('../commands/audit.ts');
      await auditVerifyAction(opts);
    }),
  );
  audit.addCommand(
    withTrailOptions(
      new Command('export')
        .description('Every record since a time, as JSON lines on stdout (for a SIEM); progress on stderr')
        .requiredOption('--since <duration>', '1h, 30m, 7d or an ISO-8601 time')
        .option('--events', 'the findings’ original EventBridge events instead, replayable (JSON lines)'),
    ).action(async (opts) => {
      const { auditExportAction } = await import('../commands/audit.ts');
      await auditExportAction(opts);
    }),
  );
  return audit;
}
