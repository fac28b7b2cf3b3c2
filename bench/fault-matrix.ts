import path from 'node:path';
import { CreateAccessKeyCommand, CreateUserCommand } from '@aws-sdk/client-iam';
import { GetExecutionHistoryCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { ApprovalsClient } from '#cli/approvals/client.ts';
import { grantApprover } from '#sandbox/scenario/approver-policy.ts';
import { SANDBOX_ACCOUNT_ID } from '#sandbox/server.ts';
import { startStack } from '../test/e2e/stack/harness.ts';
import {
  type CellResult,
  FAULT_KINDS,
  type FaultKind,
  faultFor,
  judge,
  type MutatingCall,
  mutatingCallsByPlaybook,
  PREPARE,
  playbookName,
  runCell,
} from '../test/reliability/fault-matrix.ts';
import { liftedBlastRadius } from './bench-stack.ts';
import { PRICES } from './cost.ts';
import { type BenchSection, fmt } from './stats.ts';

/** One row of the matrix. */
export interface MatrixRow {
  readonly playbook: string;
  readonly call: MutatingCall;
  readonly fault: FaultKind;
  readonly result: CellResult;
  readonly verdict: ReturnType<typeof judge>;
}

/**
 * Every mutating call of every playbook × throttled once, 5xx twice, AccessDenied always and
 * 2 s of latency, each on a fresh target through the deployed stack in the sandbox. `select`
 * narrows the cells (the CI subset); `latencyMs` is real time, not scaled.
 */
export async function runFaultMatrix(
  root: string,
  options: {
    select?: (playbook: string, call: MutatingCall, fault: FaultKind, index: number) => boolean;
    latencyMs?: number;
    onRow?: (row: MatrixRow) => void;
    /** Each playbook's clean run, with its execution history. */
    onBaseline?: (playbook: string, history: HistoryEvent[]) => void;
    /** Another deployment (e.g. with the blast-radius limit lifted for the full matrix). @default cdk.out */
    deploy?: { context?: Record<string, unknown>; assemblyDir?: string };
  } = {},
): Promise<MatrixRow[]> {
  const h = await startStack(options.deploy);
  const calls = mutatingCallsByPlaybook(options.deploy?.assemblyDir ?? path.join(root, 'cdk.out'));
  const rows: MatrixRow[] = [];
  try {
    const { iam } = h.sandbox.clients;
    await iam.send(new CreateUserCommand({ UserName: 'oncall-faults' }));
    await grantApprover(h.sandbox.clients, 'oncall-faults', SANDBOX_ACCOUNT_ID);
    const key = await iam.send(new CreateAccessKeyCommand({ UserName: 'oncall-faults' }));
    const approver = new ApprovalsClient({
      endpoint: h.sandbox.endpoint,
      credentials: {
        accessKeyId: key.AccessKey?.AccessKeyId as string,
        secretAccessKey: key.AccessKey?.SecretAccessKey as string,
      },
    });
    try {
      for (const [playbook, list] of Object.entries(calls)) {
        // A playbook without a prepared target is not in the matrix: `unpreparedPlaybooks` names it.
        if (!PREPARE[playbook]) continue;
        const baseline = await runCell(h, playbook, undefined, undefined, approver);
        if (options.onBaseline && baseline.executionArn) {
          const out = await h.sandbox.clients.sfn.send(
            new GetExecutionHistoryCommand({ executionArn: baseline.executionArn, maxResults: 1000 }),
          );
          options.onBaseline(playbookName(playbook), out.events ?? []);
        }
        for (const [index, call] of list.entries()) {
          for (const fault of FAULT_KINDS) {
            if (options.select && !options.select(playbook, call, fault, index)) continue;
            const result = await runCell(
              h,
              playbook,
              call,
              faultFor(call, fault, options.latencyMs ?? 2000),
              approver,
            );
            const row = {
              playbook: playbookName(playbook),
              call,
              fault,
              result,
              verdict: judge(fault, call, baseline, result),
            };
            rows.push(row);
            options.onRow?.(row);
          }
        }
      }
    } finally {
      approver.close();
    }
  } finally {
    await h.stop();
  }
  return rows;
}

/** The matrix as a BENCHMARKS.md section. */
export async function benchFaultMatrix(root: string): Promise<BenchSection[]> {
  const started = performance.now();
  // Over a hundred automatic remediations in minutes: the default policy would (rightly) switch to approval.
  const paths: PathRow[] = [];
  const rows = await runFaultMatrix(root, {
    deploy: await liftedBlastRadius(),
    onBaseline: (playbook, history) => paths.push(pathOf(playbook, history)),
  });
  const failed = rows.filter((r) => !r.verdict.ok);
  const lines = [
    '| playbook | call | fault | end state | attempts | audit trail | as expected |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((r) => {
      const state =
        r.result.status === 'FAILED'
          ? `FAILED (${r.result.error})${r.result.notified ? ', notified' : ''}`
          : r.result.status;
      return `| ${r.playbook} | ${r.call.service}:${r.call.operation} | ${r.fault} | ${r.verdict.expected === 'not reached in this scenario' ? 'not reached' : state} | ${r.result.attempts} | ${r.result.trail.length} records | ${r.verdict.ok ? 'yes' : `**no**: ${r.verdict.reason}`} |`;
    }),
  ];
  return [
    pathSection(paths),
    {
      title: 'Fault matrix',
      body: [
        `Every mutating call of every playbook (read from the synthesized definitions) crossed with four faults the sandbox injects with the service's own error codes: throttled once, a 5xx twice, AccessDenied on every attempt, and 2 s of latency once. Each cell runs a fresh target through the deployed stack. Expected: the first, second and fourth succeed after Step Functions' retries with the same audit trail as a clean run; AccessDenied ends in \`needs-human\` with a notification, the steps before it audited and none after it. ${rows.length} cells, ${failed.length} not as expected, ${((performance.now() - started) / 1000).toFixed(0)} s (the test suite runs a subset: \`test/reliability/fault-matrix.test.ts\`).`,
        '',
        ...lines,
      ].join('\n'),
    },
  ];
}

/** Calls that are bookkeeping, not a change to the resource under remediation. */
const BOOKKEEPING = /^(dynamodb|sns|states|aws-sdk:sfn|aws-sdk:dynamodb|aws-sdk:sns)$/;
const READ = /^(describe|get|list|head)/i;

interface PathRow {
  readonly playbook: string;
  readonly states: number;
  readonly lambdas: number;
  readonly dynamoWrites: number;
  readonly sdkCalls: number;
  readonly statesBeforeContainment: number | undefined;
  readonly firstContainment: string | undefined;
}

/** Path length of one clean run, from its execution history. */
export function pathOf(playbook: string, history: HistoryEvent[]): PathRow {
  let states = 0;
  let lambdas = 0;
  let dynamoWrites = 0;
  let sdkCalls = 0;
  let statesBeforeContainment: number | undefined;
  let firstContainment: string | undefined;
  for (const event of history) {
    if (event.type?.endsWith('StateEntered')) states++;
    if (event.type === 'LambdaFunctionScheduled') lambdas++;
    if (event.type !== 'TaskScheduled') continue;
    const { resourceType = '', resource = '' } = event.taskScheduledEventDetails ?? {};
    sdkCalls++;
    if (/dynamodb/.test(resourceType) && /^(putItem|updateItem|deleteItem)$/i.test(resource)) dynamoWrites++;
    if (statesBeforeContainment === undefined && !BOOKKEEPING.test(resourceType) && !READ.test(resource)) {
      statesBeforeContainment = states - 1; // the task's own state was just entered
      firstContainment = `${resourceType.replace('aws-sdk:', '')}:${resource}`;
    }
  }
  return { playbook, states, lambdas, dynamoWrites, sdkCalls, statesBeforeContainment, firstContainment };
}

/** Path length and cost per playbook, from the clean runs of the fault matrix. */
function pathSection(paths: PathRow[]): BenchSection {
  const cost = (p: PathRow) =>
    1000 *
    (p.states * PRICES.stepFunctionsPerTransition +
      // classify once per finding (512 MB, 100 ms billed, assumed) plus the playbook's own functions
      (1 + p.lambdas) * (PRICES.lambdaPerRequest + 0.5 * 0.1 * PRICES.lambdaArmPerGbSecond) +
      (p.dynamoWrites + 2) * PRICES.dynamoDbPerWriteRequest +
      PRICES.snsPerPublish);
  return {
    title: 'Path length and cost per playbook',
    body: [
      `From the execution history of each playbook's clean run in the fault-matrix deployment (approval gates approved). Standard workflows bill per state transition; "calls" counts every SDK integration task scheduled, including audit writes. Cost per 1,000 remediations at ${PRICES.date}: transitions, one classify invocation plus the playbook's own Lambda invocations (512 MB, 100 ms billed, assumed), the playbook's DynamoDB writes plus the classifier's two, and one notification.`,
      '',
      '| playbook | states executed | Lambda invocations | SDK calls | DynamoDB writes | states before the first containment call | first containment call | cost per 1,000 |',
      '|---|---|---|---|---|---|---|---|',
      ...paths.map(
        (p) =>
          `| ${p.playbook} | ${p.states} | ${p.lambdas} | ${p.sdkCalls} | ${p.dynamoWrites} | ${p.statesBeforeContainment ?? 'none'} | ${p.firstContainment ?? ''} | $${fmt(cost(p), 3)} |`,
      ),
      '',
      `Target: the first containment call is at most the second state of an \`auto\` playbook (at most one state before it): ${paths.filter((p) => (p.statesBeforeContainment ?? 99) <= 1).length} of ${paths.length} playbooks meet it; **missed** by the rest, each with its figure above. What stands before the first change is on purpose and kept: the \`Mode?\` choice; the resource claim (a DynamoDB conditional write, so two findings on one resource never contain it twice); and the reads that make the change exact and undoable: the key's current status (undo never reactivates a key that was already inactive), the group's rules as they stand now (only the offending rule is revoked), the trail's status and who stopped it, the bucket's previous block, and for an instance its network interfaces and VPC, then the isolation group looked up by tag before it is created (a second finding must change nothing); the rest of an instance's state is read after its network is cut. For \`quarantine-instance\` that is ${paths.find((p) => p.playbook === 'quarantine-instance')?.statesBeforeContainment ?? '?'} states before the first change (measured here, not timed in AWS).`,
    ].join('\n'),
  };
}

/** The playbooks (state machine ids, lower case) the matrix has no prepared target for, so does not exercise. */
export function unpreparedPlaybooks(root: string, assemblyDir = path.join(root, 'cdk.out')): string[] {
  return Object.keys(mutatingCallsByPlaybook(assemblyDir))
    .filter((playbook) => !PREPARE[playbook])
    .sort();
}
