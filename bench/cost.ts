import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { AuditRecord } from '#shared/audit/record.ts';
import { type BenchSection, fmt } from './stats.ts';

/** AWS list prices, us-east-1, as published on the pricing pages in 2025 (no free tier applied). */
export const PRICES = {
  date: '2025 (us-east-1 list prices)',
  stepFunctionsPerTransition: 0.025 / 1000,
  lambdaPerRequest: 0.2 / 1_000_000,
  lambdaArmPerGbSecond: 0.0000133334,
  dynamoDbPerWriteRequest: 0.625 / 1_000_000,
  dynamoDbPerReadRequest: 0.125 / 1_000_000,
  snsPerPublish: 0.5 / 1_000_000,
};
/** classify runs with 512 MB; Lambda bills per millisecond; we assume 100 ms billed per invocation. */
const CLASSIFY_GB = 0.5;
const CLASSIFY_BILLED_SECONDS = 0.1;

/**
 * Cost and path length of `disable-access-key`, from real execution histories and the audit
 * trail of the storm run.
 */
export function costSection(
  histories: HistoryEvent[][],
  records: AuditRecord[],
  executions: number,
  events: number,
): BenchSection {
  const entered = histories.map((h) => h.filter((e) => e.type?.endsWith('StateEntered')));
  const statesPerRun = entered.reduce((n, h) => n + h.length, 0) / Math.max(1, entered.length);
  const first = entered[0] ?? [];
  const containmentIndex = first.findIndex(
    (e) => e.stateEnteredEventDetails?.name === 'Deactivate access key',
  );
  const statesBefore = containmentIndex; // states entered before the first containment call
  const playbookWrites =
    records.filter((r) => r.actor.startsWith('playbook/')).length / Math.max(1, executions);
  const publishes = 1; // one notification per contained key
  // Per 1,000 remediations: 1,000 executions, and one classify invocation + decision per event delivered.
  const eventsPerRemediation = events / Math.max(1, executions);
  const per1000 = {
    transitions: 1000 * statesPerRun * PRICES.stepFunctionsPerTransition,
    lambda:
      1000 *
      eventsPerRemediation *
      (PRICES.lambdaPerRequest + CLASSIFY_GB * CLASSIFY_BILLED_SECONDS * PRICES.lambdaArmPerGbSecond),
    // classify: one audit put + one blast-radius read per event, and per automatic remediation two
    // conditional updates (its slot, its execution's mark); playbook: its audit puts
    dynamo:
      1000 *
      (eventsPerRemediation * (PRICES.dynamoDbPerWriteRequest + PRICES.dynamoDbPerReadRequest) +
        (playbookWrites + 2) * PRICES.dynamoDbPerWriteRequest),
    sns: 1000 * publishes * PRICES.snsPerPublish,
  };
  const total = Object.values(per1000).reduce((a, b) => a + b, 0);
  return {
    title: 'Cost and path length (disable-access-key)',
    body: [
      `From ${histories.length} execution histories and the audit trail of the storm run (${fmt(eventsPerRemediation, 0)} deliveries per remediation there; 1 in the common case).`,
      '',
      '| per remediation | value |',
      '|---|---|',
      `| states executed (Standard transitions) | ${fmt(statesPerRun, 0)} |`,
      `| Lambda invocations (classify, per delivery) | ${fmt(eventsPerRemediation, 0)} × ${CLASSIFY_GB * 1024} MB × ${CLASSIFY_BILLED_SECONDS * 1000} ms billed (assumed) = ${fmt(eventsPerRemediation * CLASSIFY_GB * CLASSIFY_BILLED_SECONDS, 3)} GB-s |`,
      `| DynamoDB writes by the playbook (audit) | ${fmt(playbookWrites, 0)} |`,
      `| states entered before the first containment call | ${statesBefore} (\`Mode?\` choice, then \`Read key state\`) |`,
      '',
      `Cost per 1,000 remediations at ${PRICES.date}: Step Functions $${fmt(per1000.transitions, 3)}, Lambda $${fmt(per1000.lambda, 4)}, DynamoDB $${fmt(per1000.dynamo, 4)}, SNS $${fmt(per1000.sns, 4)}: **$${fmt(total, 3)}** (with ${fmt(eventsPerRemediation, 0)} deliveries each).`,
      '',
      statesBefore <= 1
        ? 'Target (first containment call at most the second state): met.'
        : `Target (first containment call at most the second state): **missed** — it is state ${statesBefore + 1}. The key's state is read before it is changed so that the audit trail holds the true "before" and undo never reactivates a key someone had already disabled; we keep that read.`,
    ].join('\n'),
  };
}
