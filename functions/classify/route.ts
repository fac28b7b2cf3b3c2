import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { findingKey, keptEvent } from '#shared/audit/record.ts';
import { resourceKey } from '#shared/audit/resource-key.ts';
import type { AuditWriter } from '#shared/audit/writer.ts';
import { type Classification, classifyEvent } from '#shared/classify.ts';
import { ConfigurationError } from '#shared/errors.ts';
import { executionName } from '#shared/execution-name.ts';
import type { Finding } from '#shared/findings/finding.ts';
import type { Policy } from '#shared/policy/schema.ts';
import { claimAutoAction, releaseAutoAction } from './blast-radius.ts';
import {
  claimPostureRemediation,
  isPostureFinding,
  POSTURE_WINDOW_MINUTES,
  settingFixed,
} from './posture-claim.ts';
import { cappedRejection, deadLetterBody } from './rejection.ts';

/** Everything the router needs from its environment; injected so tests can replace any part. */
export interface RouterDeps {
  policy: Policy;
  audit: AuditWriter;
  sfn: Pick<SFNClient, 'send'>;
  sns: Pick<SNSClient, 'send'>;
  sqs: Pick<SQSClient, 'send'>;
  dynamodb: Pick<DynamoDBClient, 'send'>;
  /** Playbook name → state machine ARN. */
  stateMachines: Readonly<Record<string, string>>;
  topicArn: string;
  deadLetterQueueUrl: string;
  counterTable: string;
  /** ARNs the product never touches (its own roles). */
  protectedPrincipalArns: readonly string[];
  /** Global dry-run: every `auto`/`approve` decision runs as `dry-run`. */
  globalDryRun: boolean;
  /** In an organization, the member role ARN with `{account}`; the playbook acts as that role of the finding's account. */
  memberRoleArn?: string;
  /**
   * Outside an organization (no `memberRoleArn`), required: this stack's account and region. The
   * playbooks act there with the stack's own credentials, so a finding about any other account or
   * region is notified instead (its resource names would point at this account's resources).
   */
  ownAccount?: { accountId: string; region: string };
  /**
   * In an organization: this stack's region and every region the security stack is deployed in.
   * A finding about another deployed region is started there (state machines have the same name
   * in every region); one about a region without the stack goes to a human. Absent: one region.
   */
  regions?: { own: string; deployed: readonly string[] };
  /** A Step Functions client of another region (cross-region starts). @default `sfn` */
  sfnIn?: (region: string) => Pick<SFNClient, 'send'>;
  now?: () => Date;
}

/** What happened to one finding (or one rejected event). */
export interface RouteOutcome {
  outcome: Classification['outcome'] | 'duplicate' | 'notified';
  findingId?: string;
  /** The finding's source and type (absent for a rejected event), for the metrics. */
  source?: string;
  findingType?: string;
  playbook?: string;
  mode?: string;
  executionName?: string;
  reason: string;
}

const ACTOR = 'classify';

type Routed = Extract<Classification, { outcome: 'routed' }>;

/**
 * Classify one EventBridge event and act on the decision: start the playbook under its
 * deterministic name, notify, or record why nothing was done. Every path ends in exactly
 * one audit record per finding, so nothing is lost silently.
 */
export async function routeEvent(event: unknown, deps: RouterDeps): Promise<RouteOutcome[]> {
  const now = deps.now?.() ?? new Date();
  const results = classifyEvent(event, deps.policy, {
    now,
    // The blast radius is enforced per finding, by a slot claimed just before its start (act).
    recentAutoActions: 0,
    protectedPrincipalArns: deps.protectedPrincipalArns,
    ownScope: ownScopeOf(deps),
  });
  const outcomes: RouteOutcome[] = [];
  for (const result of results) {
    const outcome = await act(event, result, deps, now);
    outcomes.push(
      result.finding === undefined
        ? outcome
        : { ...outcome, source: result.finding.source, findingType: result.finding.type },
    );
  }
  return outcomes;
}

async function act(
  event: unknown,
  result: Classification,
  deps: RouterDeps,
  now: Date,
): Promise<RouteOutcome> {
  const at = now.toISOString();
  if (result.outcome === 'rejected') {
    const { eventId, reason, issues } = cappedRejection(eventIdOf(event), result);
    await deps.sqs.send(
      new SendMessageCommand({
        QueueUrl: deps.deadLetterQueueUrl,
        MessageBody: deadLetterBody(reason, issues, event),
      }),
    );
    await deps.audit.append({
      pk: `EVENT#${eventId}`,
      resourceKey: 'RESOURCE#unknown',
      at,
      actor: ACTOR,
      action: 'classify',
      outcome: 'rejected',
      reason,
      details: JSON.stringify({ issues }),
    });
    return { outcome: 'rejected', reason };
  }
  if (result.finding === undefined) {
    // A valid event with nothing to act on (a failed call, a closed finding): recorded, not dead-lettered.
    const { eventId, reason, issues } = cappedRejection(eventIdOf(event), result);
    await deps.audit.append({
      pk: `EVENT#${eventId}`,
      resourceKey: 'RESOURCE#unknown',
      at,
      actor: ACTOR,
      action: 'classify',
      outcome: 'skipped',
      reason,
      details: JSON.stringify({ issues }),
    });
    return { outcome: 'skipped', reason };
  }
  const finding = result.finding;
  const base = {
    pk: findingKey(finding.id),
    findingId: finding.id,
    resourceKey: resourceKey(finding.accountId, finding.resource),
    at,
    actor: ACTOR,
    action: 'classify',
  };
  // The classifier's record is the finding's first (a duplicate's is not): it keeps the event.
  const original = keptEvent(event);
  const first = 'event' in original ? { ...base, event: original.event } : base;
  const note = 'omitted' in original ? `; ${original.omitted}` : '';
  if (result.outcome !== 'routed') {
    await deps.audit.append({ ...first, outcome: result.outcome, reason: result.reason + note });
    return { outcome: result.outcome, findingId: finding.id, reason: result.reason };
  }
  let mode = result.mode;
  let reason = result.reason;
  if (deps.globalDryRun && (mode === 'auto' || mode === 'approve')) {
    mode = 'dry-run';
    reason = `${reason}; global dry-run is on`;
  }
  if (mode === 'notify' || !result.playbook) {
    await deps.sns.send(
      new PublishCommand({
        TopicArn: deps.topicArn,
        Subject: `[${finding.severity.label}] ${finding.type}`.slice(0, 100),
        Message: JSON.stringify({ finding, decision: { mode, reason, ruleId: result.ruleId } }, null, 2),
      }),
    );
    await deps.audit.append({ ...first, outcome: 'notified', mode, reason: reason + note });
    return { outcome: 'notified', findingId: finding.id, mode, reason };
  }
  const playbook = result.playbook;
  const elsewhere = deps.regions && finding.region !== deps.regions.own ? finding.region : undefined;
  if (elsewhere && !deps.regions?.deployed.includes(elsewhere)) {
    const why = `${reason}; but the finding is in ${elsewhere}, where no remediation stack is deployed (deployed: ${deps.regions?.deployed.join(', ')}), so a human must act: deploy the security stack in ${elsewhere} and add it to the regions context`;
    await deps.sns.send(
      new PublishCommand({
        TopicArn: deps.topicArn,
        Subject: `[${finding.severity.label}] ${finding.type} in ${elsewhere}: not remediated`.slice(0, 100),
        Message: JSON.stringify({ finding, decision: { mode, reason: why, ruleId: result.ruleId } }, null, 2),
      }),
    );
    await deps.audit.append({ ...first, outcome: 'notified', playbook, mode, reason: why + note });
    return { outcome: 'notified', findingId: finding.id, playbook, mode, reason: why };
  }
  const localArn = deps.stateMachines[playbook];
  const stateMachineArn = localArn && (elsewhere ? inRegion(localArn, elsewhere) : localArn);
  if (!stateMachineArn) {
    const why = `policy rule ${result.ruleId} names playbook '${playbook}', which this stack does not deploy`;
    await deps.audit.append({ ...first, outcome: 'skipped', playbook, mode, reason: why + note });
    return { outcome: 'skipped', findingId: finding.id, playbook, mode, reason: why };
  }
  const name = executionName(finding, playbook);
  // A Security Hub control and its AWS Config rule report the same resource: one remediation. A
  // dry run changes nothing, so it claims nothing (a sample must not hold off the real finding).
  if (isPostureFinding(finding) && (mode === 'auto' || mode === 'approve')) {
    // A playbook fixing only the setting the control names claims per setting (RDS.2 and RDS.13
    // on one instance are two remediations); any other claims the whole resource.
    const setting = settingFixed(playbook, finding);
    const claim = await claimPostureRemediation(
      deps,
      playbook,
      base.resourceKey,
      name,
      now.getTime(),
      setting,
    );
    if (!claim.claimed) {
      const what = setting === undefined ? 'this resource' : `${setting} of this resource`;
      const per = setting === undefined ? 'resource and playbook' : 'resource, playbook and setting';
      const why = `already handled: execution ${claim.heldBy} remediates ${what} with ${playbook} (claimed ${claim.since}; one remediation per ${per} within ${POSTURE_WINDOW_MINUTES} minutes)`;
      await deps.audit.append({ ...first, outcome: 'duplicate', playbook, mode, reason: why + note });
      return {
        outcome: 'duplicate',
        findingId: finding.id,
        playbook,
        mode,
        executionName: claim.heldBy,
        reason: why,
      };
    }
  }
  // Claimed before the start, so simultaneous findings cannot all see room left in the window.
  const blast = mode === 'auto' ? await claimAutoAction(deps, result.ruleId, name) : undefined;
  if (blast && !blast.granted) {
    mode = 'approve';
    reason = `${reason}; ${blast.reason}`;
  }
  const approvalSettings = blast && !blast.granted ? blast.approval : result.approval;
  // The approval gate waits `timeoutSeconds` (Step Functions takes seconds, the policy minutes).
  const approval =
    mode === 'approve' && approvalSettings
      ? { ...approvalSettings, timeoutSeconds: approvalSettings.timeoutMinutes * 60 }
      : undefined;
  const input = {
    finding,
    // The rule's `params` (e.g. the ports revoke-open-ingress closes) travel with the decision.
    decision: {
      playbook,
      mode,
      ruleId: result.ruleId,
      reason,
      severity: result.severity,
      approval,
      params: result.params,
      next: followUpOf(finding, result, deps, elsewhere),
    },
    audit: { pk: base.pk, resourceKey: base.resourceKey },
    // Where the playbook acts: the finding's own account and region; in an organization, as that
    // account's member role (the tasks' Credentials).
    target: {
      accountId: finding.accountId,
      region: finding.region,
      ...(deps.memberRoleArn && { roleArn: deps.memberRoleArn.replace('{account}', finding.accountId) }),
    },
  };
  const sfn = elsewhere && deps.sfnIn ? deps.sfnIn(elsewhere) : deps.sfn;
  try {
    const started = await sfn.send(
      new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }),
    );
    await deps.audit.append({
      ...first,
      outcome: 'routed',
      playbook,
      mode,
      reason: reason + note,
      executionArn: started.executionArn,
    });
    return { outcome: 'routed', findingId: finding.id, playbook, mode, executionName: name, reason };
  } catch (err) {
    if (!(err instanceof ExecutionAlreadyExists) && (err as Error).name !== 'ExecutionAlreadyExists')
      throw err;
    // Not started by this finding: its slot goes back. Any other failure keeps the slot, since
    // the start may have happened (a timeout after the service accepted it).
    if (blast?.granted && blast.slot) await releaseAutoAction(deps, blast.slot);
    const why = `already handled: execution ${name} exists (count ${finding.count})`;
    await deps.audit.append({ ...base, outcome: 'duplicate', playbook, mode, reason: why });
    return { outcome: 'duplicate', findingId: finding.id, playbook, mode, executionName: name, reason: why };
  }
}

/**
 * What the playbook hands over to when it succeeds: the follow-up's state machine, its
 * deterministic execution name and its whole decision, so the handing-over step needs no logic.
 * Undefined when the rule names none, or the stack does not deploy it (recorded by the playbook
 * as nothing to hand over to).
 */
function followUpOf(finding: Finding, result: Routed, deps: RouterDeps, region?: string) {
  const next = result.next;
  const localArn = next && deps.stateMachines[next.playbook];
  if (!next || !localArn) return undefined;
  const stateMachineArn = region ? inRegion(localArn, region) : localArn;
  const mode = deps.globalDryRun && next.mode !== 'dry-run' ? 'dry-run' : next.mode;
  const approval =
    mode === 'approve' && next.approval
      ? { ...next.approval, timeoutSeconds: next.approval.timeoutMinutes * 60 }
      : undefined;
  return {
    stateMachineArn,
    executionName: executionName(finding, next.playbook),
    decision: {
      playbook: next.playbook,
      mode,
      ruleId: result.ruleId,
      reason: `follows ${result.playbook} (rule ${result.ruleId})`,
      severity: result.severity,
      approval,
      params: next.params,
    },
  };
}

/** Where the playbooks may act: anywhere in an organization, else only this stack's account and region. */
function ownScopeOf(deps: RouterDeps): RouterDeps['ownAccount'] {
  if (deps.memberRoleArn) return undefined;
  if (!deps.ownAccount)
    throw new ConfigurationError(
      'classify outside an organization needs its own account and region, to act on nothing else',
    );
  return deps.ownAccount;
}

/** The same state machine in another region: `arn:<partition>:states:<region>:<account>:stateMachine:<name>`. */
function inRegion(stateMachineArn: string, region: string): string {
  const parts = stateMachineArn.split(':');
  parts[3] = region;
  return parts.join(':');
}

function eventIdOf(event: unknown): string {
  const id = (event as { id?: unknown } | null)?.id;
  return typeof id === 'string' && id ? id : `unidentified-${Date.now()}`;
}
