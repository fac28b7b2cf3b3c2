// First: settings the AWS SDK reads when a client is made (no Node-version notice).
import './environment.ts';
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { reportFailure } from './failure.ts';
import { approvalsCommand } from './program/approvals.ts';
import { auditCommand } from './program/audit.ts';
import { classifyCommand } from './program/classify.ts';
import { demoCommand } from './program/demo.ts';
import { notificationsCommand } from './program/notifications.ts';
import { policyCommand } from './program/policy.ts';
import { reportCommand } from './program/report.ts';
import { runbookCommand } from './program/runbook.ts';
import { sandboxCommand } from './program/sandbox.ts';
import { undoCommand } from './program/undo.ts';

/**
 * Every `remediate` command. A command is its options in `cli/program/` and its work in
 * `cli/commands/`, loaded by its action when it runs: `--help` and each command load only
 * what they use, not every command's SDK clients. Adding one is those two modules and one line here.
 */
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
