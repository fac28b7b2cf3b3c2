import { ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { Sandbox } from '#sandbox/index.ts';
import { scenarioEvents } from '#sandbox/scenario/events.ts';
import { replayScenario } from '#sandbox/scenario/replay.ts';
import { seedAccount } from '#sandbox/scenario/seed.ts';
import { auditTimeline, auditVerify } from './commands/audit.ts';
import { demoApproval } from './demo-approval.ts';
import { demoReimage } from './demo-reimage.ts';
import { table } from './table.ts';

const started = performance.now();
const say = (line: string) =>
  console.log(`[${((performance.now() - started) / 1000).toFixed(1).padStart(5)}s] ${line}`);

/**
 * `remediate demo` (`npm start`): the whole pipeline on the local sandbox. Synthesizes the CDK
 * app if needed, deploys it into the sandbox, seeds an account, replays a scenario of findings,
 * and shows what happened, with the audit trail of the leaked key.
 */
export async function runDemo(options: { port: number; interactive?: boolean }): Promise<number> {
  say('starting the local sandbox (no AWS account, no network)…');
  const sandbox = await Sandbox.start({
    port: options.port,
    timeScale: 0.01,
    snapshotDelayMs: 200,
    log: say,
  });
  try {
    say(`sandbox up at ${sandbox.endpoint}; stack deployed: ${describeDeployment(sandbox)}`);
    const account = await seedAccount(sandbox.clients);
    say(
      `seeded: users alice (2 keys), bob, break-glass-admin; ${account.vpcs.length} VPCs; ${account.instance.id} with ${account.instance.enis} ENIs in ${account.autoScalingGroup}; trail ${account.trail}; bucket ${account.bucket}`,
    );
    const stopProgress = showProgress(sandbox);
    const results = await replayScenario(sandbox, scenarioEvents(account), (e) =>
      say(`→ PutEvents: ${e.label}`),
    );
    stopProgress();

    console.log(
      `\n${table(
        ['finding', 'expected', 'playbook', 'mode', 'outcome', 'detection→containment'],
        results.map((r) => [
          r.label,
          r.expect,
          r.playbook ?? '-',
          r.mode ?? '-',
          r.outcome,
          r.containmentMs === undefined ? '-' : `${r.containmentMs.toFixed(0)} ms`,
        ]),
      )}\n`,
    );

    const keys = async (user: string) =>
      (await sandbox.clients.iam.send(new ListAccessKeysCommand({ UserName: user }))).AccessKeyMetadata ?? [];
    console.log('access keys now:');
    for (const user of ['alice', 'bob', 'break-glass-admin']) {
      for (const k of await keys(user)) {
        const note = k.AccessKeyId === account.users.alice.leakedKey ? '  ← the leaked key' : '';
        console.log(`  ${user.padEnd(18)} ${k.AccessKeyId}  ${k.Status}${note}`);
      }
    }
    const leaked = results[0];
    if (leaked) {
      console.log(`\naudit trail of finding ${leaked.findingId} (${leaked.label}):`);
      console.log(
        table(
          ['at', 'actor', 'action', 'outcome', 'detail'],
          leaked.records.map((r) => [
            r.at,
            r.actor,
            r.action,
            r.outcome,
            (r.reason ?? r.after ?? '').slice(0, 70),
          ]),
        ),
      );
    }
    const quarantine = results.find((r) => r.playbook === 'quarantine-instance');
    if (quarantine?.findingId) await demoReimage(sandbox, say, account.instance.id, quarantine.findingId);
    await demoApproval(sandbox, say, options.interactive ?? false);
    if (quarantine?.findingId) await demoAuditTimeline(sandbox, say, quarantine.findingId);
    const notifications = sandbox.services.sns.published.length;
    const deadLetters = sandbox.services.sqs.messages(
      sandbox.deployment?.outputs.ClassifyDeadLetterQueueUrl ?? '',
    ).length;
    say(
      `done: ${notifications} notifications published, ${deadLetters} event(s) in the classify dead-letter queue`,
    );
    return 0;
  } finally {
    await sandbox.stop();
  }
}

/**
 * The end of the demo: `remediate audit verify` over every chain in the trail, then the
 * instance finding's whole story, `remediate audit --finding`, as the CLI prints it.
 */
async function demoAuditTimeline(
  sandbox: Sandbox,
  say: (line: string) => void,
  findingId: string,
): Promise<void> {
  const dynamodb = sandbox.clients.dynamodb;
  const outputs = sandbox.deployment?.outputs ?? {};
  const trail = { table: outputs.AuditTableName, chainTable: outputs.AuditChainTableName };
  say('remediate audit verify: checking the hash chain and MACs of every finding…');
  const lines: string[] = [];
  const verified = await auditVerify(
    trail,
    { dynamodb, kms: sandbox.clients.kms },
    { log: (l: string) => lines.push(l), error: () => {} },
  );
  for (const line of lines) say(`   ${line}`);
  if (verified.exitCode !== 0) throw new Error('the demo audit trail does not verify');
  console.log(`\nremediate audit --finding ${findingId}  (chain verified)`);
  await auditTimeline({ ...trail, finding: findingId }, { dynamodb }, console);
}

function describeDeployment(sandbox: Sandbox): string {
  const d = sandbox.deployment;
  if (!d) return 'nothing';
  return `${d.rules.length} rules, ${d.functions.length} function(s), ${d.stateMachines.length} playbook(s), ${d.tables.length} tables`;
}

/** Live progress: each playbook state as it is entered, each notification as it is published. */
function showProgress(sandbox: Sandbox): () => void {
  const stops = [
    sandbox.services.stepFunctions.onExecutionEvent(({ executionArn, event }) => {
      const execution = executionArn.split(':').at(-1)?.slice(0, 28);
      const e = event as unknown as {
        type: string;
        stateEnteredEventDetails?: { name: string };
        executionFailedEventDetails?: { error?: string };
      };
      if (e.type.endsWith('StateEntered') && e.stateEnteredEventDetails) {
        say(`   ${execution}… ${e.stateEnteredEventDetails.name}`);
      } else if (e.type === 'ExecutionSucceeded' || e.type === 'ExecutionFailed') {
        say(
          `   ${execution}… ${e.type}${e.executionFailedEventDetails?.error ? ` (${e.executionFailedEventDetails.error})` : ''}`,
        );
      }
    }),
    sandbox.services.sns.onPublish((m) => say(`   ✉ notification: ${m.subject ?? m.message.slice(0, 60)}`)),
  ];
  return () => {
    for (const stop of stops) stop();
  };
}
