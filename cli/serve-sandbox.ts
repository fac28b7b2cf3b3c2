import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { SANDBOX_CREDENTIALS } from '#sandbox/credentials.ts';
import { Sandbox } from '#sandbox/index.ts';
import { NOTIFICATIONS_PATH, NotificationsRoute } from '#sandbox/scenario/notifications.ts';
import { seedAccount } from '#sandbox/scenario/seed.ts';
import { SANDBOX_REGION } from '#sandbox/server.ts';
import { displayText } from '#shared/text/display.ts';
import { divertOutput } from './divert-output.ts';
import { SANDBOX_DIR, synthesizeQuietly } from './quiet-synth.ts';

/** What a shell needs to point the AWS CLI (v1 and v2), the SDKs and `remediate` at the sandbox. */
export function sandboxExports(endpoint: string): string {
  // AWS CLI v1 (Debian's /usr/bin/aws) reads only AWS_DEFAULT_REGION; the SDKs read AWS_REGION.
  return [
    `export AWS_ENDPOINT_URL=${endpoint}`,
    `export AWS_ACCESS_KEY_ID=${SANDBOX_CREDENTIALS.accessKeyId} AWS_SECRET_ACCESS_KEY=${SANDBOX_CREDENTIALS.secretAccessKey}`,
    `export AWS_REGION=${SANDBOX_REGION} AWS_DEFAULT_REGION=${SANDBOX_REGION}`,
  ].join('\n');
}

/** Start the sandbox, print how to use it, show notifications as they come, run until interrupted. */
export async function serveSandbox(options: {
  port: number;
  seed: boolean;
  verbose?: boolean;
}): Promise<void> {
  const logFile = path.join(SANDBOX_DIR, 'sandbox.log');
  mkdirSync(SANDBOX_DIR, { recursive: true });
  // The functions' own logs go to the file (and the terminal with --verbose); this is the console.
  const output = divertOutput(logFile, options.verbose ?? false);
  try {
    await serve(options, logFile, output.story.log);
  } finally {
    output.restore();
  }
}

async function serve(
  options: { port: number; seed: boolean },
  logFile: string,
  say: (line: string) => void,
): Promise<void> {
  await synthesizeQuietly(path.join(SANDBOX_DIR, 'synth.log'), say);
  const sandbox = await Sandbox.start({ port: options.port, log: say });
  sandbox.server.registerPath(NOTIFICATIONS_PATH, new NotificationsRoute(sandbox.services.sns));
  if (options.seed) await seedAccount(sandbox.clients);
  const e = sandbox.endpoint;
  say(`
The sandbox is running at ${e} (account 111122223333, region ${SANDBOX_REGION}).
In another shell, point the AWS CLI, the SDKs and \`remediate --local\` at it:

${sandboxExports(e)
  .split('\n')
  .map((l) => `  ${l}`)
  .join('\n')}

Then follow docs/sandbox.md: put a finding on the bus, watch it contained, approve one, undo one.
  aws iam list-access-keys --user-name alice
  npx remediate notifications --local
  npx remediate approvals list --local

Notifications appear below as they are published (function logs: ${path.relative(process.cwd(), logFile)}).
Press Ctrl+C to stop.
`);
  const stop = sandbox.services.sns.onPublish((m) => {
    const topic = m.topicArn.split(':').at(-1) ?? '';
    // Notifications quote findings: shown, never obeyed by the terminal.
    say(displayText(`notification to ${topic}: ${m.subject ?? '(no subject)'}`));
    for (const line of m.message.split('\n')) say(`    ${displayText(line)}`);
  });
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  stop();
  say('stopping the sandbox…');
  await sandbox.stop();
}
