import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { Approval, Policy } from '#shared/policy/schema.ts';

/**
 * The blast-radius limit: at most `maxAutoActions` automatic actions in any span of
 * `windowMinutes`, a sliding window, whatever the concurrency or the size of the event.
 *
 * The limit is a set of `maxAutoActions` slots, each holding the time it was last claimed. A
 * finding may run `auto` only once it has claimed a slot whose last claim is older than the
 * window; claiming is one conditional UpdateItem, so two findings can never take the same slot,
 * however many classifier instances run at once. A slot is reused only after more than a window,
 * so any span of the window's length holds at most one claim per slot: at most `maxAutoActions`
 * automatic starts, measured on the classifier's clock at claim time.
 *
 * All slots live in one item of the counters table, so one consistent read shows which are free
 * and the common case costs one read and one write. DynamoDB applies the condition and the write
 * of one UpdateItem atomically, against the item's latest state:
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/BestPractices_ImplementingVersionControl.html
 * A failed condition is `ConditionalCheckFailedException`:
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html#API_UpdateItem_Errors
 *
 * One execution holds at most one slot per window. Step Functions answers a second start of an
 * open execution with the same name and input with success, starting nothing, and a different
 * input with `ExecutionAlreadyExists`
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html), so
 * a finding delivered again must not take a second slot: after its slot, a finding marks its
 * execution name (conditional write); whoever finds the mark already there gives its slot back
 * and goes on as `auto`, since that start can only reach the execution already counted.
 */

/** The counters-table item that holds every slot (attributes `s0`…`s<max-1>`, epoch milliseconds). */
export const BLAST_RADIUS_KEY = 'blast-radius#slots';

/** What claiming needs from the router's environment. */
export interface BlastRadiusDeps {
  policy: Policy;
  dynamodb: Pick<DynamoDBClient, 'send'>;
  counterTable: string;
  now?: () => Date;
}

/** The counters-table item that marks an execution name as counted in the window. */
const executionKey = (executionName: string) => ({ pk: { S: `blast-radius#execution#${executionName}` } });

/** A slot this finding holds: which one, when it was claimed, and what it held before. */
export interface AutoActionSlot {
  index: number;
  claimedAt: number;
  previous?: number;
}

/** The finding may run `auto` (it holds `slot`), or must wait for approval, and why. */
export type AutoActionClaim =
  /** `slot` absent: the execution was counted within the window, by an earlier delivery. */
  { granted: true; slot?: AutoActionSlot } | { granted: false; reason: string; approval: Approval };

/**
 * Claim one automatic action for one finding, before its playbook starts. Every finding claims
 * its own slot, so the findings of one Security Hub event each count. Past the limit the
 * decision becomes `approve`, with the rule's approval settings.
 */
export async function claimAutoAction(
  deps: BlastRadiusDeps,
  ruleId: string,
  executionName: string,
): Promise<AutoActionClaim> {
  const { maxAutoActions, windowMinutes } = deps.policy.blastRadius;
  const now = (deps.now?.() ?? new Date()).getTime();
  const cutoff = now - windowMinutes * 60_000;
  const out = await deps.dynamodb.send(
    new GetItemCommand({ TableName: deps.counterTable, Key: slotsKey(), ConsistentRead: true }),
  );
  const item = out.Item ?? {};
  const lastClaim = (index: number) => {
    const value = item[slotName(index)]?.N;
    return value === undefined ? undefined : Number(value);
  };
  // A random start spreads simultaneous claimers over different free slots, so few collide.
  const start = Math.floor(Math.random() * maxAutoActions);
  for (let step = 0; step < maxAutoActions; step++) {
    const index = (start + step) % maxAutoActions;
    const previous = lastClaim(index);
    if (previous !== undefined && previous >= cutoff) continue;
    if (await claimSlot(deps, index, now, cutoff, windowMinutes)) {
      const slot = { index, claimedAt: now, ...(previous !== undefined && { previous }) };
      if (await markExecution(deps, executionName, now, cutoff, windowMinutes))
        return { granted: true, slot };
      await releaseAutoAction(deps, slot);
      return { granted: true };
    }
    // Another finding took this slot since the read: try the next free one.
  }
  // Every slot was claimed within the window (slots read as taken stay taken until the window
  // passes, so this errs towards approval, never beyond the limit).
  return {
    granted: false,
    reason: `blast radius: the limit of ${maxAutoActions} automatic actions in any ${windowMinutes} minutes is reached, so approval is required`,
    approval: approvalOf(deps.policy, ruleId),
  };
}

/**
 * Give a slot back when its playbook was not started by this finding (Step Functions refused
 * the start as a duplicate: the execution that exists claimed its own slot). The slot gets its
 * previous claim back, only if it still holds this one.
 */
export async function releaseAutoAction(deps: BlastRadiusDeps, slot: AutoActionSlot): Promise<void> {
  const name = { '#slot': slotName(slot.index) };
  const mine = { ':mine': { N: String(slot.claimedAt) } };
  try {
    await deps.dynamodb.send(
      new UpdateItemCommand({
        TableName: deps.counterTable,
        Key: slotsKey(),
        ...(slot.previous === undefined
          ? { UpdateExpression: 'REMOVE #slot', ExpressionAttributeValues: mine }
          : {
              UpdateExpression: 'SET #slot = :previous',
              ExpressionAttributeValues: { ...mine, ':previous': { N: String(slot.previous) } },
            }),
        ConditionExpression: '#slot = :mine',
        ExpressionAttributeNames: name,
      }),
    );
  } catch (error) {
    // The slot already holds a later claim (the window passed and another finding took it):
    // there is nothing of ours left to give back.
    if (!isConditionFailure(error)) throw error;
  }
}

/** One conditional write: the slot becomes ours only if its last claim is older than the window. */
function claimSlot(deps: BlastRadiusDeps, index: number, now: number, cutoff: number, windowMinutes: number) {
  return claimIfFree(deps, slotsKey(), slotName(index), now, cutoff, windowMinutes);
}

/** Mark the execution name as counted; false when it already was, within the window. */
function markExecution(
  deps: BlastRadiusDeps,
  executionName: string,
  now: number,
  cutoff: number,
  windowMinutes: number,
): Promise<boolean> {
  return claimIfFree(deps, executionKey(executionName), 'claimedAt', now, cutoff, windowMinutes);
}

/**
 * Set `attribute` of the item to `now` only if it is absent or older than `cutoff` (a DynamoDB
 * condition expression, atomic per item); false when another claim within the window holds it.
 */
async function claimIfFree(
  deps: BlastRadiusDeps,
  key: Record<string, { S: string }>,
  attribute: string,
  now: number,
  cutoff: number,
  windowMinutes: number,
): Promise<boolean> {
  try {
    await deps.dynamodb.send(
      new UpdateItemCommand({
        TableName: deps.counterTable,
        Key: key,
        UpdateExpression: 'SET #claim = :now, #expires = :expires',
        ConditionExpression: 'attribute_not_exists(#claim) OR #claim < :cutoff',
        ExpressionAttributeNames: { '#claim': attribute, '#expires': 'expiresAt' },
        ExpressionAttributeValues: {
          ':now': { N: String(now) },
          ':cutoff': { N: String(cutoff) },
          ':expires': { N: String(expiresAtOf(now, windowMinutes)) },
        },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** The approval settings the evaluator gives an `approve` decision of this rule. */
function approvalOf(policy: Policy, ruleId: string): Approval {
  const rule = policy.rules.find((candidate) => candidate.id === ruleId);
  return { ...policy.defaults.approval, ...rule?.approval };
}

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error as Error | undefined)?.name === 'ConditionalCheckFailedException'
  );
}

/** Items expire (table TTL) a day after the window of their latest claim; a missing slot is free. */
const expiresAtOf = (now: number, windowMinutes: number) =>
  Math.floor(now / 1000) + windowMinutes * 60 + 86_400;

const slotsKey = () => ({ pk: { S: BLAST_RADIUS_KEY } });
const slotName = (index: number) => `s${index}`;
