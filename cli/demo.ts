import path from 'node:path';
import { ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { Sandbox } from '#sandbox/index.ts';
import { findingHistory } from '#sandbox/scenario/audit-reader.ts';
import { scenarioEvents } from '#sandbox/scenario/events.ts';
import { type ReplayResult, replayScenario } from '#sandbox/scenario/replay.ts';
import { seedAccount } from '#sandbox/scenario/seed.ts';
import type { AuditRecord } from '#shared/audit/record.ts';
import { auditVerify } from './commands/audit.ts';
import type { Output } from './commands/policy.ts';
import { demoApproval } from './demo-approval.ts';
import { demoReimage } from './demo-reimage.ts';
import { clock, DEMO_WIDTH, DemoError, wrapLine } from './demo-story.ts';
import { divertOutput } from './divert-output.ts';
import { SANDBOX_DIR, synthesizeQuietly } from './quiet-synth.ts';
import { table } from './table.ts';

/** Where the functions' logs and the sandbox's own output go during the demo. */
export const DEMO_LOG = path.join(SANDBOX_DIR, 'demo.log');

/** Options of `remediate demo`. */
export interface DemoOptions {
  readonly port: number;
  readonly interactive?: boolean;
  /** Also show the functions' logs and every playbook state on the terminal. */
  readonly verbose?: boolean;
}

/**
 * `remediate demo` (`npm start`): the whole pipeline on the local sandbox, told as one story on
 * stdout: deploy, seed, replay findings, approve, verify the trail, then one summary. Everything
 * else (the functions' JSON logs, synthesis) goes to `.sandbox/demo.log`, shown with `--verbose`.
 */
export async function runDemo(options: DemoOptions): Promise<number> {
  const output = divertOutput(DEMO_LOG, options.verbose ?? false);
  // Every line of the story fits in DEMO_WIDTH columns, wrapped at spaces.
  const fitted: Output = {
    log: (text: unknown) => {
      for (const line of String(text).split('\n')) for (const part of wrapLine(line)) output.story.log(part);
    },
    error: (text: unknown) => output.story.error(text),
  };
  try {
    return await tell(options, fitted);
  } finally {
    output.restore();
  }
}

async function tell(options: DemoOptions, out: Output): Promise<number> {
  const say = (line: string) => out.log(line);
  const logName = path.relative(process.cwd(), DEMO_LOG);
  say('Starting the local sandbox (no AWS account, no network)…');
  await synthesizeQuietly(path.join(SANDBOX_DIR, 'synth.log'), say);
  const sandbox = await Sandbox.start({ port: options.port, timeScale: 0.01, snapshotDelayMs: 200 });
  try {
    say(`Sandbox up at ${sandbox.endpoint}; stack deployed: ${describeDeployment(sandbox)}.`);
    const account = await seedAccount(sandbox.clients);
    say(`Seeded: users alice (2 keys), bob, break-glass-admin; ${account.vpcs.length} VPCs;`);
    say(`  instance ${account.instance.id} (${account.instance.enis} ENIs) in ${account.autoScalingGroup};`);
    say(`  trail ${account.trail}; buckets ${account.bucket}, ${account.publicBucket}.`);
    say('');
    say('Replaying findings, each stamped with the current time (policy: policy/default.yaml):');
    const stopProgress = options.verbose ? showStates(sandbox, say) : () => {};
    const results = await replayScenario(sandbox, scenarioEvents(account, new Date()), (e) =>
      say(`  ${e.label}: expected ${e.expect}`),
    );
    stopProgress();
    say('');
    const quarantine = results.find((r) => r.playbook === 'quarantine-instance');
    if (quarantine?.findingId) await demoReimage(sandbox, say, account.instance.id, quarantine.findingId);
    say('');
    await demoApproval(sandbox, out, options.interactive ?? false);
    say('');
    if (quarantine?.findingId) await showVerifiedTrail(sandbox, say, quarantine.findingId);
    say('');
    say('Access keys now:');
    const keys = async (user: string) =>
      (await sandbox.clients.iam.send(new ListAccessKeysCommand({ UserName: user }))).AccessKeyMetadata ?? [];
    for (const user of ['alice', 'bob', 'break-glass-admin']) {
      for (const k of await keys(user)) {
        const note = k.AccessKeyId === account.users.alice.leakedKey ? '  <- the leaked key' : '';
        say(`  ${user.padEnd(18)} ${k.AccessKeyId}  ${k.Status}${note}`);
      }
    }
    say('');
    say('Summary (detection→containment: PutEvents to the playbook’s first containment call):');
    say(summary(results));
    const notifications = sandbox.services.sns.published.length;
    const deadLetters = sandbox.services.sqs.messages(
      sandbox.deployment?.outputs.ClassifyDeadLetterQueueUrl ?? '',
    ).length;
    say('');
    say(`Done: ${notifications} notifications, ${deadLetters} event(s) in the classify dead-letter queue.`);
    say(`The functions' logs are in ${logName} (--verbose shows them).`);
    return 0;
  } finally {
    await sandbox.stop();
  }
}

/** One row per finding: what the policy chose, how it ended, how long containment took. */
export function summary(results: readonly ReplayResult[]): string {
  return table(
    ['finding', 'playbook', 'mode', 'outcome', 'detect→contain'],
    results.map((r) => [
      r.label,
      r.playbook ?? '-',
      r.mode ?? '-',
      r.outcome,
      r.containmentMs === undefined ? '-' : `${r.containmentMs.toFixed(0)} ms`,
    ]),
  );
}

/** `remediate audit verify` over every chain, then the instance finding's whole story. */
async function showVerifiedTrail(sandbox: Sandbox, say: (line: string) => void, findingId: string) {
  const outputs = sandbox.deployment?.outputs ?? {};
  const trail = { table: outputs.AuditTableName, chainTable: outputs.AuditChainTableName };
  say('remediate audit verify: the hash chain and MAC of every record of every finding');
  const lines: string[] = [];
  const verified = await auditVerify(
    trail,
    { dynamodb: sandbox.clients.dynamodb, kms: sandbox.clients.kms },
    { log: (l: string) => lines.push(l), error: () => {} },
  );
  for (const line of lines) say(`  ${line}`);
  if (verified.exitCode !== 0) throw new DemoError(`the demo's audit trail does not verify: see ${DEMO_LOG}`);
  const records = await findingHistory(sandbox.clients.dynamodb, outputs.AuditTableName as string, findingId);
  say('');
  say(`Audit trail of the instance finding (remediate audit --finding ${findingId}):`);
  say(trailTable(records));
}

/** A trail as the demo shows it: times as HH:MM:SS.mmm UTC, each line at most {@link DEMO_WIDTH}. */
export function trailTable(records: readonly AuditRecord[]): string {
  return table(
    ['time (UTC)', 'actor', 'action', 'outcome'],
    records.map((r) => [
      clock(r.at),
      r.actor.replace(/^arn:aws[\w-]*:(sts|iam)::\d{12}:/, ''),
      r.action,
      r.outcome,
    ]),
    { maxWidth: DEMO_WIDTH },
  );
}

function describeDeployment(sandbox: Sandbox): string {
  const d = sandbox.deployment;
  if (!d) return 'nothing';
  return `${d.rules.length} rules, ${d.functions.length} functions, ${d.stateMachines.length} state machines`;
}

/** With --verbose: each playbook state as it is entered. */
function showStates(sandbox: Sandbox, say: (line: string) => void): () => void {
  return sandbox.services.stepFunctions.onExecutionEvent(({ executionArn, event }) => {
    const execution = executionArn.split(':').at(-1)?.slice(0, 28);
    const e = event as unknown as { type: string; stateEnteredEventDetails?: { name: string } };
    if (e.type.endsWith('StateEntered') && e.stateEnteredEventDetails) {
      say(`    ${execution}… ${e.stateEnteredEventDetails.name}`);
    }
  });
}
