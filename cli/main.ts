import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { RemediationError } from '#shared/errors.ts';
import { displayBlock } from '#shared/text/display.ts';
import { approvalsCommand } from './commands/approvals.ts';
import { auditCommand } from './commands/audit.ts';
import { classifyCommand } from './commands/classify.ts';
import { demoCommand } from './commands/demo.ts';
import { policyCommand } from './commands/policy.ts';
import { runbookCommand } from './commands/runbook.ts';
import { sandboxCommand } from './commands/sandbox.ts';
import { undoCommand } from './commands/undo.ts';

/** Every `remediate` command; adding one is its module in `cli/commands/` and one line here. */
const commands: readonly (() => Command)[] = [
  policyCommand,
  classifyCommand,
  demoCommand,
  sandboxCommand,
  approvalsCommand,
  undoCommand,
  auditCommand,
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

// `remediate classify ... | head` closes the pipe early; that ends the output, it is not a failure.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // Our own typed errors say what is wrong and what to do: print that, not a stack trace.
  if (!(error instanceof RemediationError)) throw error;
  // The message may quote a finding, a file or a command line: shown, never obeyed by the terminal.
  console.error(`remediate: ${displayBlock(error.message)}`);
  process.exitCode = 2;
}
