// First: settings the AWS SDK reads when a client is made (no Node-version notice).
import './environment.ts';
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { approvalsCommand } from './commands/approvals.ts';
import { auditCommand } from './commands/audit.ts';
import { classifyCommand } from './commands/classify.ts';
import { demoCommand } from './commands/demo.ts';
import { notificationsCommand } from './commands/notifications.ts';
import { policyCommand } from './commands/policy.ts';
import { reportCommand } from './commands/report.ts';
import { runbookCommand } from './commands/runbook.ts';
import { sandboxCommand } from './commands/sandbox.ts';
import { undoCommand } from './commands/undo.ts';
import { reportFailure } from './failure.ts';

/** Every `remediate` command; adding one is its module in `cli/commands/` and one line here. */
const commands: readonly (() => Command)[] = [
  policyCommand,
  classifyCommand,
  demoCommand,
  sandboxCommand,
  approvalsCommand,
  notificationsCommand,
  undoCommand,
  auditCommand,
  reportCommand,
  runbookCommand,
];

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

// Positional options: an option belongs to the command it follows, so `audit verify --finding X`
// is verify's `--finding`, not the `audit` timeline's (commander requires it on the program too).
const program = new Command('remediate')
  .description('Serverless auto-remediation for AWS findings: policy, classification, sandbox')
  .version(version)
  .enablePositionalOptions();
for (const command of commands) program.addCommand(command());

/**
 * Usage errors exit 2 (docs/operations.md): commander's own exits (an unknown option, a missing
 * argument) become exceptions, mapped in {@link reportFailure}, on every command and subcommand.
 */
function throwOnExit(command: Command): void {
  command.exitOverride();
  for (const sub of command.commands) throwOnExit(sub);
}
throwOnExit(program);

// `remediate classify ... | head` closes the pipe early; that ends the output, it is not a failure.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // One line saying what is wrong and what to do, never a stack trace (REMEDIATE_DEBUG=1 shows it).
  reportFailure(error);
}
