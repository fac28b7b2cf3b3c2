import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { RemediationError } from '#shared/errors.ts';
import { approvalsCommand } from './commands/approvals.ts';
import { auditCommand } from './commands/audit.ts';
import { classifyCommand } from './commands/classify.ts';
import { demoCommand } from './commands/demo.ts';
import { policyCommand } from './commands/policy.ts';
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
];

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

const program = new Command('remediate')
  .description('Serverless auto-remediation for AWS findings: policy, classification, sandbox')
  .version(version);
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
  console.error(`remediate: ${error.message}`);
  process.exitCode = 2;
}
