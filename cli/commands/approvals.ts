import type { CliResponse } from '#functions/approval-decision/cli-actions.ts';
import type { ApprovalView } from '#shared/approvals/model.ts';
import { RemediationError } from '#shared/errors.ts';
import { displayText } from '#shared/text/display.ts';
import { ApprovalsClient, type ApprovalsClientOptions } from '../approvals/client.ts';
import { connection } from '../connection.ts';
import { jsonLine } from '../json-line.ts';
import { table } from '../table.ts';
import { terminal } from '../terminal.ts';
import type { Output } from './policy.ts';

/** Options every subcommand takes. */
export interface ConnectionOptions {
  local?: boolean;
  function?: string;
  json?: boolean;
  quiet?: boolean;
}

function clientOptions(opts: ConnectionOptions): ApprovalsClientOptions {
  // --local: the sandbox's endpoint, with the caller's keys when set (an approver made there).
  const { region, endpoint, credentials } = connection(opts);
  return {
    region,
    ...(endpoint && { endpoint }),
    ...(credentials && { credentials }),
    ...(opts.function ? { functionName: opts.function } : {}),
  };
}

/** Minutes (or hours) as people say them: `5m`, `2h10m`, `-3m` for the past. */
function duration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  const sign = minutes < 0 ? '-' : '';
  const abs = Math.abs(minutes);
  return abs >= 60 ? `${sign}${Math.floor(abs / 60)}h${abs % 60}m` : `${sign}${abs}m`;
}

/** An approval id as the decision function makes them (see `approvalId`): checked before any call. */
const APPROVAL_ID = /^apr-[0-9a-f]{16}$/;

/** An id on the command line that cannot be an approval's. */
export class InvalidApprovalIdError extends RemediationError {
  override name = 'InvalidApprovalIdError';
}

/** `id` when it has the shape of an approval id, else a clear error (exit 2) before any AWS call. */
export function checkApprovalId(id: string): string {
  if (!APPROVAL_ID.test(id)) {
    throw new InvalidApprovalIdError(
      `"${displayText(id, 40)}" is not an approval id (apr- and 16 hex digits, as \`remediate approvals list\` shows)`,
    );
  }
  return id;
}

function resourceOf(view: ApprovalView): string {
  const finding = JSON.parse(view.finding) as { resource?: Record<string, string> };
  const r = finding.resource ?? {};
  return r.accessKeyId ?? r.instanceId ?? r.groupId ?? r.trailName ?? r.bucketName ?? r.kind ?? '';
}

/**
 * Print one CLI response; returns the exit code: 0 done, 1 refused (already decided, expired,
 * not an approver, no such request).
 */
export function printResponse(
  response: CliResponse,
  out: Output,
  json: boolean,
  now = new Date(),
  quiet = false,
): number {
  if (json) {
    // One object per line: a list is one line per approval, as `audit --json` is one per record.
    if (response.ok && 'approvals' in response) for (const a of response.approvals) out.log(jsonLine(a));
    else out.log(jsonLine(response));
    return response.ok ? 0 : 1;
  }
  if (quiet && response.ok && 'approvals' in response) {
    for (const a of response.approvals) out.log(a.id);
    return 0;
  }
  if (!response.ok) {
    out.error(displayText(response.message));
    return 1;
  }
  // Reasons, finding ids and actors are other people's text: each line is shown through displayText.
  const say = (line: string) => out.log(displayText(line));
  if ('approvals' in response) {
    if (response.approvals.length === 0) say('No approvals pending.');
    else
      out.log(
        table(
          ['ID', 'AGE', 'EXPIRES IN', 'STATUS', 'PLAYBOOK', 'RESOURCE', 'FINDING'],
          response.approvals.map((a) => [
            a.id,
            duration(now.getTime() - Date.parse(a.createdAt)),
            duration(Date.parse(a.expiresAt) - now.getTime()),
            a.effectiveStatus + (a.escalated ? ' (escalated)' : ''),
            a.playbook,
            resourceOf(a),
            a.findingId,
          ]),
        ),
      );
    return 0;
  }
  if ('decided' in response) {
    say(`${response.approval.id} ${response.decided} by ${response.approver}.`);
    say(
      response.decided === 'approved'
        ? `The ${response.approval.playbook} playbook continues.`
        : `The ${response.approval.playbook} playbook ends without changing anything more.`,
    );
    return 0;
  }
  const a = response.approval;
  say(`${a.id}: ${a.effectiveStatus}${a.escalated ? ' (escalated)' : ''}`);
  say(`  playbook ${a.playbook} (rule ${a.ruleId}), finding ${a.findingId}`);
  say(`  created ${a.createdAt}, expires ${a.expiresAt}, then ${a.onTimeout}`);
  if (a.decidedBy) say(`  decided ${a.decidedAt} by ${a.decidedBy}: ${a.reason || '(no reason)'}`);
  say('If approved:');
  for (const action of a.proposedActions) say(`  - ${action}`);
  say(`If denied: ${a.ifDenied}`);
  say('Audit trail:');
  for (const r of response.history) say(`  ${r.at}  ${r.actor}  ${r.action}: ${r.outcome}`);
  return 0;
}

/** Run one subcommand with a client, print, set the exit code. */
async function run(
  opts: ConnectionOptions,
  call: (client: ApprovalsClient) => Promise<CliResponse>,
): Promise<void> {
  const client = new ApprovalsClient(clientOptions(opts));
  try {
    process.exitCode = printResponse(
      await call(client),
      terminal,
      opts.json ?? false,
      new Date(),
      opts.quiet,
    );
  } finally {
    client.close();
  }
}

/** `remediate approvals list`. */
export function listAction(opts: ConnectionOptions): Promise<void> {
  return run(opts, (client) => client.list());
}

/** `remediate approvals show ID`. */
export function showAction(id: string, opts: ConnectionOptions): Promise<void> {
  return run(opts, (client) => client.show(checkApprovalId(id)));
}

/** `remediate approvals approve|deny ID --reason TEXT`. */
export function decideAction(
  verdict: 'approve' | 'deny',
  id: string,
  opts: ConnectionOptions & { reason: string },
): Promise<void> {
  return run(opts, (client) => client.decide(checkApprovalId(id), verdict, opts.reason));
}
