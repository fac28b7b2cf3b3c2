import { aws_stepfunctions as sfn, aws_stepfunctions_tasks as tasks } from 'aws-cdk-lib';
import { ConfigurationError } from '#shared/errors.ts';
import type { PlaybookContext } from '../playbook.ts';
import { auditStep } from './audit-step.ts';
import { catchToHuman, needsHuman } from './needs-human.ts';

/** The error the decision function fails a denied wait with (SendTaskFailure). */
export const APPROVAL_DENIED_ERROR = 'Remediation.ApprovalDenied';
/** No heartbeat within HeartbeatSeconds (nobody decided), or TimeoutSeconds elapsed. */
const WAIT_TIMED_OUT = ['States.HeartbeatTimeout', 'States.Timeout'];
/** What the approval-request function fails a check with when no recorded decision answered the wait. */
const NOT_RECORDED_ERROR = 'ApprovalNotRecordedError';
/** Used when the execution input carries no approval settings (started by hand). */
const DEFAULT_APPROVAL = { timeoutMinutes: 60, timeoutSeconds: 3600, onTimeout: 'abandon' };

/** Props of {@link approvalGate}. */
export interface ApprovalGateProps {
  /** The gate's name, unique within the playbook; prefixes its state names. */
  readonly name: string;
  /** The playbook the gate belongs to (audit actor). */
  readonly playbook: string;
  /**
   * What the playbook will do once approved, one line each, shown on the page and in the message.
   * Each line may be a `sfn.JsonPath.format(...)` over the execution input.
   */
  readonly proposedActions: readonly string[];
  /** What happens when the request is denied. @default 'The playbook ends; nothing more is changed.' */
  readonly ifDenied?: string;
  /**
   * The question the page asks, in words (`Disable access key {} of IAM user {}?`); may be a
   * `sfn.JsonPath.format(...)`. @default the page asks to approve the playbook on the finding's resource
   */
  readonly title?: string;
  /**
   * JSONPath of what approving puts at risk, read just before the gate (see
   * `fragments/approval-risk.ts` and `shared/approvals/risk.ts`). @default none
   */
  readonly riskPath?: string;
}

/**
 * A human approval gate, inserted in one line before any step:
 * `approvalGate(ctx, { name, playbook, proposedActions }).next(step)`.
 *
 * Each wait gets a fresh nonce (`States.UUID()`) and hands a task token to the approval-request
 * function (`lambda:invoke.waitForTaskToken`), which records the request under that nonce (token
 * sealed, only its hash in clear), audits `approval-required` and notifies with a signed link. The
 * wait's HeartbeatSeconds is the policy's timeout: the gate never heartbeats, so a silent wait
 * times out then. On timeout it audits `timed-out`, escalates (second request, to the escalation
 * topic) and waits again; after that it audits `defaulted` and applies the rule's `onTimeout`:
 * `proceed` continues, `abandon` ends.
 *
 * An answer to the wait is not trusted by itself: the raw task token is in the execution history
 * (the wait's `TaskScheduled` parameters), so anyone who may read the history and call
 * SendTaskSuccess could answer it. After an approval (SendTaskSuccess) or a denial (SendTaskFailure
 * `Remediation.ApprovalDenied`) the gate reads the approval request again; only a decision the
 * decision function recorded (that status, an approver, this wait's nonce) lets the playbook go on
 * (or end as denied, nothing further changed). Anything else is audited `refused` and ends in
 * needs-human. The decision itself is audited by the decision function.
 */
export function approvalGate(ctx: PlaybookContext, props: ApprovalGateProps): sfn.Chain {
  const { scope } = ctx;
  const fn = ctx.approvalRequest;
  if (!fn) throw new ConfigurationError(`approval gate ${props.name} needs ctx.approvalRequest`);
  const p = props.name;
  const human = needsHuman(ctx, props.playbook);
  const audit = (id: string, action: string, outcome: 'timed-out' | 'defaulted') =>
    catchToHuman(
      auditStep(scope, `${p}: ${id}`, {
        appender: ctx.auditAppender,
        playbook: props.playbook,
        action,
        outcome,
        detailsPath: '$.decision.approval',
      }),
      human,
    );
  const passed = new sfn.Pass(scope, `${p}: passed`);
  const denied = new sfn.Pass(scope, `${p}: denied`, {
    parameters: { outcome: 'denied', 'findingId.$': '$.finding.id', 'denial.$': '$.denial' },
  }).next(new sfn.Succeed(scope, `${p}: ended denied`));
  const refused = catchToHuman(
    auditStep(scope, `${p}: audit refused`, {
      appender: ctx.auditAppender,
      playbook: props.playbook,
      action: 'VerifyApproval',
      outcome: 'refused',
      detailsPath: '$.error',
    }),
    human,
  ).next(human);
  // The answer is replaced by the recorded decision: nothing a caller put in it goes further.
  const check = (id: string, status: 'approved' | 'denied', resultPath: string) => {
    const task = new tasks.LambdaInvoke(scope, `${p}: ${id}`, {
      lambdaFunction: fn,
      payload: sfn.TaskInput.fromObject({
        check: status,
        gate: p,
        execution: sfn.JsonPath.executionId,
        nonce: sfn.JsonPath.stringAt('$.approvalWait.nonce'),
      }),
      payloadResponseOnly: true,
      resultPath,
    });
    task.addCatch(refused, { errors: [NOT_RECORDED_ERROR], resultPath: '$.error' });
    return catchToHuman(task, human);
  };
  const approvedCheck = check('check approval', 'approved', '$.approval').next(passed);
  const deniedCheck = check('check denial', 'denied', '$.denial').next(denied);

  const wait = (id: string, escalation: boolean, onTimeout: sfn.IChainable) => {
    const task = new tasks.LambdaInvoke(scope, `${p}: ${id}`, {
      lambdaFunction: fn,
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: sfn.TaskInput.fromObject({
        token: sfn.JsonPath.taskToken,
        gate: p,
        escalation,
        execution: sfn.JsonPath.executionId,
        stateMachine: sfn.JsonPath.stateMachineId,
        nonce: sfn.JsonPath.stringAt('$.approvalWait.nonce'),
        finding: sfn.JsonPath.objectAt('$.finding'),
        decision: sfn.JsonPath.objectAt('$.decision'),
        audit: sfn.JsonPath.objectAt('$.audit'),
        proposedActions: sfn.JsonPath.array(...props.proposedActions),
        ifDenied: props.ifDenied ?? 'The playbook ends; nothing more is changed.',
        ...(props.title ? { title: props.title } : {}),
        ...(props.riskPath ? { risk: sfn.JsonPath.objectAt(props.riskPath) } : {}),
      }),
      heartbeatTimeout: sfn.Timeout.at('$.decision.approval.timeoutSeconds'),
      resultPath: '$.approval',
    });
    task.addCatch(deniedCheck, { errors: [APPROVAL_DENIED_ERROR], resultPath: '$.denial' });
    task.addCatch(onTimeout, { errors: WAIT_TIMED_OUT, resultPath: '$.error' });
    // A fresh nonce per wait: the request records it, the check after the wait compares it.
    const nonce = new sfn.Pass(scope, `${p}: ${escalation ? 'new escalation' : 'new wait'}`, {
      parameters: { nonce: sfn.JsonPath.uuid() },
      resultPath: '$.approvalWait',
    });
    return nonce.next(catchToHuman(task, human).next(approvedCheck));
  };

  const abandoned = audit('audit abandoned', 'ApprovalDefault', 'defaulted').next(
    new sfn.Succeed(scope, `${p}: abandoned`),
  );
  const proceed = audit('audit proceeding', 'ApprovalDefault', 'defaulted').next(passed);
  const applyDefault = audit('audit escalation timed out', 'EscalationTimeout', 'timed-out').next(
    new sfn.Choice(scope, `${p}: on timeout?`)
      .when(sfn.Condition.stringEquals('$.decision.approval.onTimeout', 'proceed'), proceed)
      .otherwise(abandoned),
  );
  const escalate = audit('audit timed out', 'ApprovalTimeout', 'timed-out').next(
    wait('escalate', true, applyDefault),
  );
  const request = wait('wait for approval', false, escalate);
  const settings = new sfn.Choice(scope, `${p}: settings?`)
    .when(sfn.Condition.isPresent('$.decision.approval.timeoutSeconds'), request)
    .otherwise(
      new sfn.Pass(scope, `${p}: default settings`, {
        result: sfn.Result.fromObject(DEFAULT_APPROVAL),
        resultPath: '$.decision.approval',
      }).next(request),
    );
  return sfn.Chain.custom(settings, [passed], passed);
}
