import { createHash } from 'node:crypto';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  GetExecutionHistoryCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { RemediationError } from '#shared/errors.ts';
import { displayText, jsonText } from '#shared/text/display.ts';
import type { UndoPlan, UndoRefusal } from '#shared/undo/plan.ts';
import { connection } from '../connection.ts';
import { terminal } from '../terminal.ts';
import type { Output } from './policy.ts';

/**
 * What CloudFormation calls the undo state machine: its logical id (`UndoStateMachine<hash>`) and
 * a suffix, after the stack's name when the name is generated with it (the sandbox names it
 * `AutoRemediation-UndoStateMachine<hash>-<suffix>`).
 */
const UNDO_STATE_MACHINE = /:stateMachine:(?:[\w-]+-)?UndoStateMachine[0-9A-F]{8}-/;

/**
 * A Step Functions execution ARN: `arn:<partition>:states:<region>:<account>:execution:<machine>:<name>`
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeExecution.html).
 */
const EXECUTION_ARN = /^arn:aws[\w-]*:states:[a-z0-9-]+:\d{12}:execution:[\w-]{1,80}:[\w-]{1,80}$/;

/** An argument that cannot be an execution ARN: refused before anything is started (exit 2). */
export class InvalidExecutionArnError extends RemediationError {
  override name = 'InvalidExecutionArnError';
}

/** `arn` when it has the shape of an execution ARN, else a usage error naming where to find one. */
export function checkExecutionArn(arn: string): string {
  if (!EXECUTION_ARN.test(arn)) {
    throw new InvalidExecutionArnError(
      `"${displayText(arn, 80)}" is not a Step Functions execution ARN (arn:aws:states:<region>:<account>:execution:…); \`remediate audit --finding <id>\` lists a finding's executions`,
    );
  }
  return arn;
}
/** The state whose output holds the plan. */
const PLAN_STATE = 'Plan undo';

/** The undo state machine could not be found. */
export class UndoUnavailableError extends RemediationError {
  override name = 'UndoUnavailableError';
}

/** Options of `remediate undo`. */
export interface UndoOptions {
  readonly dryRun?: boolean;
  readonly wait?: boolean;
  /** The undo state machine; found by listing state machines when absent. */
  readonly stateMachine?: string;
  readonly json?: boolean;
  /** How often to look at the execution, in ms. @default 500 */
  readonly pollMs?: number;
  /** Give up waiting after this many ms. @default 15 minutes */
  readonly timeoutMs?: number;
}

/** The clients `remediate undo` uses. */
export interface UndoDeps {
  readonly sfn: Pick<SFNClient, 'send'>;
  readonly sts: Pick<STSClient, 'send'>;
}

/** What an undo run printed, for callers that want it (tests, scripts). */
export interface UndoResult {
  readonly exitCode: number;
  readonly undoExecutionArn: string;
  readonly plan?: UndoPlan | UndoRefusal;
  /** `planned` (dry run), `undone`, `refused`, `denied`, `failed`, or `pending` when not waited for. */
  readonly outcome: string;
}

/**
 * The undo execution's name: the same for the same target (and dry-run flag), so a double click
 * joins the running undo rather than starting a second. A later attempt, after the first ended,
 * gets the next number; the planner refuses it when the target is already undone.
 */
export function undoExecutionName(executionArn: string, dryRun: boolean, attempt: number): string {
  const digest = createHash('sha256').update(executionArn).digest('hex').slice(0, 40);
  return `undo-${digest}${dryRun ? '-dry-run' : ''}${attempt > 1 ? `-${attempt}` : ''}`;
}

/** Start (or join) the undo of `executionArn`, print the plan or refusal and, with `wait`, the outcome. */
export async function undo(
  executionArn: string,
  options: UndoOptions,
  deps: UndoDeps,
  out: Output,
): Promise<UndoResult> {
  checkExecutionArn(executionArn);
  const stateMachineArn = options.stateMachine ?? (await findUndoStateMachine(deps.sfn));
  const identity = await deps.sts.send(new GetCallerIdentityCommand({}));
  const input = JSON.stringify({
    executionArn,
    dryRun: options.dryRun ?? false,
    requestedBy: identity.Arn ?? 'unknown',
  });
  const undoArn = await start(deps.sfn, stateMachineArn, executionArn, options.dryRun ?? false, input);
  const poll = { every: options.pollMs ?? 500, deadline: Date.now() + (options.timeoutMs ?? 15 * 60_000) };
  const plan = await planOf(deps.sfn, undoArn, poll);
  // A refusal, a dry run and a failed planning end at once: their outcome is worth the wait.
  const short = options.dryRun || !plan || plan.outcome === 'refused';
  const ended = options.wait || short ? await endOf(deps.sfn, undoArn, poll) : undefined;
  const outcome = outcomeOf(ended);
  const exitCode = ['undone', 'planned', 'pending'].includes(outcome) ? 0 : 1;
  if (options.json) out.log(jsonText({ undoExecutionArn: undoArn, outcome, plan }));
  else print(out, undoArn, plan, outcome, options.dryRun ?? false);
  return { exitCode, undoExecutionArn: undoArn, plan, outcome };
}

/** StartExecution under the deterministic name; join it while it runs, take the next attempt once it has ended. */
async function start(
  sfn: UndoDeps['sfn'],
  stateMachineArn: string,
  target: string,
  dryRun: boolean,
  input: string,
): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const name = undoExecutionName(target, dryRun, attempt);
    try {
      const started = await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input }));
      return started.executionArn as string;
    } catch (error) {
      if ((error as Error).name !== 'ExecutionAlreadyExists') throw error;
      const existing = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
      const described = await sfn.send(new DescribeExecutionCommand({ executionArn: existing }));
      if (described.status === 'RUNNING') return existing;
    }
  }
}

interface Poll {
  readonly every: number;
  readonly deadline: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The plan, read from the planning state's output in the execution history. */
async function planOf(sfn: UndoDeps['sfn'], executionArn: string, poll: Poll) {
  for (;;) {
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
    const planned = history.events?.find(
      (e) => e.type === 'TaskStateExited' && e.stateExitedEventDetails?.name === PLAN_STATE,
    );
    if (planned) {
      const state = JSON.parse(planned.stateExitedEventDetails?.output ?? '{}') as {
        plan?: UndoPlan | UndoRefusal;
      };
      return state.plan;
    }
    if (history.events?.some((e) => e.type?.startsWith('Execution') && e.type !== 'ExecutionStarted'))
      return undefined;
    if (Date.now() > poll.deadline) throw new UndoUnavailableError(`${executionArn} has not planned in time`);
    await sleep(poll.every);
  }
}

async function endOf(sfn: UndoDeps['sfn'], executionArn: string, poll: Poll) {
  for (;;) {
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (described.status !== 'RUNNING') return described;
    if (Date.now() > poll.deadline) throw new UndoUnavailableError(`${executionArn} has not ended in time`);
    await sleep(poll.every);
  }
}

function outcomeOf(ended: DescribeExecutionCommandOutput | undefined): string {
  if (!ended) return 'pending';
  if (ended.status !== 'SUCCEEDED') return 'failed';
  const output = JSON.parse(ended.output ?? '{}') as { outcome?: string };
  return output.outcome ?? 'failed';
}

function print(
  out: Output,
  undoArn: string,
  plan: UndoPlan | UndoRefusal | undefined,
  outcome: string,
  dryRun: boolean,
): void {
  out.log(`Undo execution: ${undoArn}`);
  if (!plan) out.error('No plan: the undo failed before planning; see its execution history.');
  else if (plan.outcome === 'refused') out.error(`Refused: ${plan.reason}`);
  else {
    out.log(
      `Undo of ${plan.playbook} on finding ${plan.findingId}${dryRun ? ' (dry run: nothing is changed)' : ''}:`,
    );
    const steps = [
      ...(plan.followUps ?? []).map(
        (f) =>
          `Stop follow-up ${f.executionArn}${f.approvalId ? ` and cancel its approval request ${f.approvalId}` : ''}`,
      ),
      ...plan.actions.map((action) => action.description),
    ];
    steps.forEach((step, i) => {
      out.log(`  ${i + 1}. ${step}`);
    });
    if (plan.held) out.log('  Nothing is reversed now: the execution is recorded as undone.');
    for (const note of plan.notes) out.log(`  Note: ${note}`);
  }
  if (outcome === 'pending')
    out.log('Started. If the policy asks for approval: remediate approvals list; add --wait to follow it.');
  else if (plan?.outcome !== 'refused') out.log(`Outcome: ${outcome}`);
}

/** The deployed stack's undo state machine, by its CloudFormation name. */
async function findUndoStateMachine(sfn: UndoDeps['sfn']): Promise<string> {
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new ListStateMachinesCommand({ nextToken }));
    const found = page.stateMachines?.find((m) => UNDO_STATE_MACHINE.test(m.stateMachineArn ?? ''));
    if (found?.stateMachineArn) return found.stateMachineArn;
    nextToken = page.nextToken;
  } while (nextToken);
  throw new UndoUnavailableError(
    'No undo state machine found: deploy the stack, or name it with --state-machine or REMEDIATION_UNDO_STATE_MACHINE',
  );
}

/** `remediate undo EXECUTION_ID [--dry-run] [--local] [--wait]`, with clients made for the call. */
export async function undoAction(
  executionArn: string,
  opts: UndoOptions & { local?: boolean },
): Promise<void> {
  // Checked before any client exists: a mistyped argument never starts anything.
  checkExecutionArn(executionArn);
  const sfn = new SFNClient(connection(opts));
  const sts = new STSClient(connection(opts));
  try {
    const stateMachine = opts.stateMachine ?? process.env.REMEDIATION_UNDO_STATE_MACHINE;
    const result = await undo(executionArn, { ...opts, stateMachine }, { sfn, sts }, terminal);
    process.exitCode = result.exitCode;
  } finally {
    sfn.destroy();
    sts.destroy();
  }
}
