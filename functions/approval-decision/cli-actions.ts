import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { approverAllowed } from '#shared/approvals/approvers.ts';
import { IdentityProofSchema, verifyIdentityProof } from '#shared/approvals/identity-proof.ts';
import { type ApprovalView, viewOf } from '#shared/approvals/model.ts';
import type { AuditRecord } from '#shared/audit/record.ts';
import { type DecisionDeps, decide } from './decide.ts';

/** The marker of a CLI request; function URL events never carry it at the top level. */
export const CLI_SOURCE = 'remediate-cli';

/** A request from `remediate approvals`, sent with lambda:InvokeFunction (IAM-authenticated). */
export const CliRequestSchema = z.discriminatedUnion('action', [
  z.object({ source: z.literal(CLI_SOURCE), action: z.literal('list') }),
  z.object({ source: z.literal(CLI_SOURCE), action: z.literal('show'), id: z.string() }),
  z.object({
    source: z.literal(CLI_SOURCE),
    action: z.literal('decide'),
    id: z.string(),
    verdict: z.enum(['approve', 'deny']),
    reason: z.string().check(z.maxLength(500)),
    proof: IdentityProofSchema,
  }),
]);
export type CliRequest = z.infer<typeof CliRequestSchema>;

/** The answer to a CLI request. `ok: false` answers say why, in a sentence for the terminal. */
export type CliResponse =
  | { ok: true; approvals: ApprovalView[] }
  | { ok: true; approval: ApprovalView; history: AuditRecord[] }
  | { ok: true; decided: 'approved' | 'denied'; approval: ApprovalView; approver: string }
  | {
      ok: false;
      problem:
        | 'unknown'
        | 'already-decided'
        | 'expired'
        | 'superseded'
        | 'refused'
        | 'unauthenticated'
        | 'no-reason';
      message: string;
    };

/** What the CLI path needs besides the decision path. */
export interface CliDeps extends DecisionDeps {
  /** IAM principal ARN wildcards allowed to decide (the policy's `approvals.approvers`). */
  approvers: readonly string[];
  /** Where STS is when it is not AWS (the sandbox); undefined in AWS. */
  stsEndpoint?: string;
}

/** Serve one CLI request. Deciding needs a valid identity proof and an approver the policy allows. */
export async function serveCli(request: CliRequest, deps: CliDeps): Promise<CliResponse> {
  const now = deps.now?.() ?? new Date();
  if (request.action === 'list') {
    return { ok: true, approvals: (await deps.store.pending()).map((r) => viewOf(r, now)) };
  }
  const record = await deps.store.get(request.id);
  if (!record) return { ok: false, problem: 'unknown', message: `No approval request ${request.id}.` };
  if (request.action === 'show') {
    return { ok: true, approval: viewOf(record, now), history: await deps.store.history(record.auditPk) };
  }
  let approver: string;
  try {
    approver = await verifyIdentityProof(request.proof, `${request.id}:${request.verdict}`, {
      configuredEndpoint: deps.stsEndpoint,
      now,
    });
  } catch (error) {
    return { ok: false, problem: 'unauthenticated', message: (error as Error).message };
  }
  if (!approverAllowed(approver, deps.approvers)) {
    await deps.audit.append({
      pk: record.auditPk,
      resourceKey: record.resourceKey,
      at: now.toISOString(),
      actor: approver,
      action: 'DecideApproval',
      outcome: 'refused',
      findingId: record.findingId,
      playbook: record.playbook,
      reason: `${approver} is not an approver under the policy; asked to ${request.verdict}`,
      executionArn: record.executionArn,
      details: JSON.stringify({ approvalId: record.id, verdict: request.verdict }),
    });
    return {
      ok: false,
      problem: 'refused',
      message: `${approver} may not decide approvals (policy approvals.approvers); the refusal is audited.`,
    };
  }
  const outcome = await decide(
    { id: request.id, verdict: request.verdict, decidedBy: approver, reason: request.reason },
    deps,
  );
  switch (outcome.kind) {
    case 'decided':
      return { ok: true, decided: outcome.status, approval: viewOf(outcome.record, now), approver };
    case 'already-decided':
      return {
        ok: false,
        problem: 'already-decided',
        message: `Request ${request.id} was already ${outcome.record.status} by ${outcome.record.decidedBy} at ${outcome.record.decidedAt}; nothing changed.`,
      };
    case 'expired':
      return {
        ok: false,
        problem: 'expired',
        message: `Request ${request.id} is no longer waiting (expired); nothing changed.`,
      };
    case 'superseded':
      return { ok: false, problem: 'superseded', message: `Request ${request.id} was re-issued; try again.` };
    case 'unknown':
      return { ok: false, problem: 'unknown', message: `No approval request ${request.id}.` };
    case 'no-reason':
      return {
        ok: false,
        problem: 'no-reason',
        message: `A reason is required to ${request.verdict} (it is recorded in the audit trail); nothing changed.`,
      };
  }
}
