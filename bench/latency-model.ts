import {
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  ListStateMachinesCommand,
} from '@aws-sdk/client-sfn';
import { Sandbox } from '#sandbox/index.ts';
import { scenarioEvents } from '#sandbox/scenario/events.ts';
import { replayScenario } from '#sandbox/scenario/replay.ts';
import { seedAccount } from '#sandbox/scenario/seed.ts';
import { playbooks } from '#statemachines/registry.ts';
import { type BenchSection, fmt } from './stats.ts';

/**
 * The figures the model adds up. AWS publishes a price per state transition but no latency per
 * transition or per API call, so the latencies are stated assumptions in one place, to be
 * replaced by figures measured in a real account (X-Ray traces of the playbooks give both).
 */
export const MODEL = {
  /**
   * Standard workflows: $0.025 per 1,000 state transitions (us-east-1 list price; every retry
   * counts as another): https://aws.amazon.com/step-functions/pricing/
   */
  dollarsPerTransition: 0.025 / 1000,
  /**
   * Step Functions' own time to leave one state and enter the next (assumed). Standard workflows
   * persist every transition; community measurements of SDK integrations
   * (https://cremich.cloud/aws-step-function-vs-aws-lambda-benchmark) put whole short
   * workflows in the tens to low hundreds of milliseconds, so 20 ms per transition is the figure used.
   */
  transitionMs: 20,
  /** One API call's round trip from Step Functions, by integration (assumed, warm, same region). */
  callMs: {
    'aws-sdk:iam': 150, // IAM is a global service served from us-east-1: the slowest control plane here
    'aws-sdk:ec2': 120,
    'aws-sdk:autoscaling': 120,
    'aws-sdk:elasticloadbalancingv2': 100,
    'aws-sdk:cloudtrail': 100,
    'aws-sdk:s3': 60,
    'aws-sdk:sfn': 50,
    dynamodb: 15,
    sns: 40,
    lambda: 40, // the audit appender, warm: one invoke and its conditional DynamoDB writes
    // quarantine-instance's read after the cut: the invoke, then its longest chain of reads
    // (DescribeIamInstanceProfileAssociations, then GetInstanceProfile); its other reads run meanwhile.
    'function:ReadQuarantineState': 40 + 120 + 150,
  } as Record<string, number>,
  /** A call of an integration not listed above (assumed). */
  otherCallMs: 100,
} as const;

/** One execution's path, as its history tells it, and what the model makes of it. */
export interface ModelledRun {
  readonly playbook: string;
  readonly transitions: number;
  /** States entered up to and including the first containment call's state. */
  readonly statesToContainment: number;
  readonly callsToContainment: number;
  readonly msToContainment: number;
  readonly msTotal: number;
  readonly containmentCall: string;
}

/** Functions that make AWS calls of their own, priced by those calls (see `MODEL.callMs`). */
const CALLING_FUNCTIONS = ['ReadQuarantineState'];

const callOf = (e: HistoryEvent): string | undefined => {
  if (e.type === 'TaskScheduled') {
    const details = e.taskScheduledEventDetails;
    const calling = CALLING_FUNCTIONS.find((name) => details?.parameters?.includes(name));
    return details?.resourceType === 'lambda' && calling ? `function:${calling}` : details?.resourceType;
  }
  if (e.type === 'LambdaFunctionScheduled') return 'lambda';
  return undefined;
};
const callMs = (integration: string) => MODEL.callMs[integration] ?? MODEL.otherCallMs;
/** An SDK call that changes something: not a read. */
const mutates = (e: HistoryEvent) =>
  e.type === 'TaskScheduled' &&
  e.taskScheduledEventDetails?.resourceType?.startsWith('aws-sdk:') === true &&
  !/^(describe|get|list)/i.test(e.taskScheduledEventDetails.resource ?? '');

/**
 * Model one execution from its history: every state entered costs a transition, every call its
 * integration's round trip. The first containment call is the first SDK call that changes
 * something (what the playbook's `containmentAction` record then states), read from the history
 * rather than from a table. States run one after another here; where a Parallel or a Map runs
 * branches at once, the sum is an upper bound.
 */
export function modelRun(playbook: string, history: readonly HistoryEvent[]): ModelledRun | undefined {
  const first = history.findIndex(mutates);
  if (first < 0) return undefined;
  const cost = (events: readonly HistoryEvent[]) =>
    events.reduce((ms, e) => {
      if (e.type?.endsWith('StateEntered')) return ms + MODEL.transitionMs;
      const call = callOf(e);
      return call ? ms + callMs(call) : ms;
    }, 0);
  const upTo = history.slice(0, first + 1);
  const details = history[first]?.taskScheduledEventDetails;
  return {
    playbook,
    transitions: history.filter((e) => e.type?.endsWith('StateEntered')).length,
    statesToContainment: upTo.filter((e) => e.type?.endsWith('StateEntered')).length,
    callsToContainment: upTo.filter(callOf).length,
    msToContainment: cost(upTo),
    msTotal: cost(history),
    containmentCall: `${details?.resourceType?.replace('aws-sdk:', '')}:${details?.resource}`,
  };
}

/**
 * Replay the demo scenario through the deployed stack in the sandbox, read every playbook
 * execution's history, and model each `auto` playbook's time to its first containment call,
 * its transitions and its cost per 1,000 runs.
 */
export async function benchLatencyModel(): Promise<BenchSection> {
  const sandbox = await Sandbox.start({ port: 0, timeScale: 0.001, snapshotDelayMs: 50 });
  const runs: ModelledRun[] = [];
  try {
    const account = await seedAccount(sandbox.clients);
    await replayScenario(sandbox, scenarioEvents(account, new Date()));
    // The playbook and mode of a run are in its input (`decision`), as classify started it.
    const contains = new Set(playbooks.filter((p) => p.containmentAction !== null).map((p) => p.name));
    const { stateMachines = [] } = await sandbox.clients.sfn.send(new ListStateMachinesCommand({}));
    for (const machine of stateMachines) {
      const { executions = [] } = await sandbox.clients.sfn.send(
        new ListExecutionsCommand({ stateMachineArn: machine.stateMachineArn }),
      );
      for (const execution of executions) {
        const { events = [] } = await sandbox.clients.sfn.send(
          new GetExecutionHistoryCommand({ executionArn: execution.executionArn, maxResults: 1000 }),
        );
        const input = JSON.parse(events[0]?.executionStartedEventDetails?.input ?? '{}') as {
          decision?: { playbook?: string; mode?: string };
        };
        const playbook = input.decision?.playbook ?? '';
        const run =
          input.decision?.mode === 'auto' && contains.has(playbook) ? modelRun(playbook, events) : undefined;
        if (run) runs.push(run);
      }
    }
  } finally {
    await sandbox.stop();
  }
  return latencySection(runs);
}

/** The section for BENCHMARKS.md: one row per playbook (its first auto run of the scenario). */
export function latencySection(runs: readonly ModelledRun[]): BenchSection {
  const seen = new Set<string>();
  const rows = runs.filter((r) => !seen.has(r.playbook) && seen.add(r.playbook));
  const calls = Object.entries(MODEL.callMs)
    .map(([k, v]) => `${k.replace('aws-sdk:', '')} ${v} ms`)
    .join(', ');
  return {
    title: 'Critical path: modelled time to first containment',
    body: [
      `Each \`auto\` playbook of the demo scenario, run through the deployed stack in the sandbox; its execution history, costed with AWS-typical figures: ${MODEL.transitionMs} ms per state transition (assumed), one round trip per call (${calls}; assumed, warm, same region), $${MODEL.dollarsPerTransition * 1000} per 1,000 transitions (https://aws.amazon.com/step-functions/pricing/). From execution start; EventBridge delivery and classify come before it. Parallel branches are summed (an upper bound).`,
      '',
      '| playbook | first containment call | states to it | calls to it | modelled ms to it (target ≤ 500) | transitions per run | modelled ms per run | $ per 1,000 runs |',
      '|---|---|---|---|---|---|---|---|',
      ...rows.map(
        (r) =>
          `| ${r.playbook} | ${r.containmentCall} | ${r.statesToContainment} | ${r.callsToContainment} | ${fmt(r.msToContainment, 0)}${r.msToContainment <= 500 ? '' : ' (missed)'} | ${r.transitions} | ${fmt(r.msTotal, 0)} | ${fmt(r.transitions * MODEL.dollarsPerTransition * 1000, 3)} |`,
      ),
      '',
      misses(rows),
    ].join('\n'),
  };
}

/** What holds quarantine where it is, stated with its figures when it misses. */
const QUARANTINE_LIMITS =
  "What limits quarantine: before its first change stand the `Mode?` choice, the resource claim (two findings never contain one instance twice), the instance read (its interfaces and VPC) and, on a VPC's first quarantine, the isolation group's lookup by tag before it is created (a second finding must change nothing, so no create is tried blind). Its 40 transitions in the demo scenario (a VPC's first quarantine, two interfaces, one target group, a follow-up): the choice, claim and instance read (3); the network isolation, both groups found, created, their answers checked and shaped from CreateSecurityGroup's answer, then a Map with one choice and two moves per interface (18) and its audit (1); the reads after the cut, one function reading as the member role, which also says which conditional changes the instance needs (1); one choice and the credential and evidence calls it runs (8); one choice that leaves service and decides how the run ends, the detach and the deregistration (4); the notification and one audit step recording every call since the reads with `contained` (2); the hand-over (3). The per-interface choice and the group checks of a first quarantine are what the state language needs to change nothing twice.";

/** Targets: ≤ 500 ms to the first containment call for every auto playbook; quarantine ≤ 50 transitions and ≤ $1 per 1,000. */
function misses(rows: readonly ModelledRun[]): string {
  const missed = rows.flatMap((r) => {
    const out: string[] = [];
    if (r.msToContainment > 500)
      out.push(`${r.playbook} ${fmt(r.msToContainment, 0)} ms to its first containment call (target ≤ 500)`);
    const dollars = r.transitions * MODEL.dollarsPerTransition * 1000;
    if (r.playbook === 'quarantine-instance' && r.transitions > 50)
      out.push(`${r.playbook} ${r.transitions} transitions (target ≤ 50)`);
    if (r.playbook === 'quarantine-instance' && dollars > 1)
      out.push(`${r.playbook} $${fmt(dollars, 3)} per 1,000 runs (target ≤ $1)`);
    return out;
  });
  return missed.length === 0
    ? 'Targets (≤ 500 ms to the first containment call; quarantine ≤ 50 transitions and ≤ $1 per 1,000 runs): met.'
    : `Targets missed: ${missed.join('; ')}. ${QUARANTINE_LIMITS}`;
}

// Run alone: `npx tsx bench/latency-model.ts` prints the section.
if (import.meta.url === `file://${process.argv[1]}`) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const section = await benchLatencyModel();
  console.log(`## ${section.title}\n\n${section.body}`);
}
