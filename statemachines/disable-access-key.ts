import { Stack, aws_stepfunctions as sfn, aws_stepfunctions_tasks as tasks } from 'aws-cdk-lib';
import { facts } from '#shared/playbooks/disable-access-key.ts';
import { approvalGate } from './fragments/approval-gate.ts';
import { auditStep } from './fragments/audit-step.ts';
import { memberCredentials } from './fragments/member-credentials.ts';
import { catchToHuman, needsHuman } from './fragments/needs-human.ts';
import { notifyStep } from './fragments/notify.ts';
import { recordPlan } from './fragments/record-plan.ts';
import { retryOnThrottling } from './fragments/retry.ts';
import { sessionDenyPolicy } from './fragments/session-deny-policy.ts';
import type { PlaybookContext, PlaybookDefinition } from './playbook.ts';

const NAME = facts.name;
/** The inline policy that revokes the sessions minted with the leaked key. */
export const REVOKE_SESSIONS_POLICY = 'remediation-revoke-older-sessions';

/**
 * Contain a leaked access key: deactivate exactly the finding's key (never the user's other
 * keys), deny every session token issued before now, tag the user, notify. Undo is
 * reactivating the key and deleting the inline policy.
 */
export const disableAccessKey: PlaybookDefinition = {
  ...facts,
  build(ctx: PlaybookContext): sfn.IChainable {
    const { scope } = ctx;
    const userArn = Stack.of(scope).formatArn({
      service: 'iam',
      region: '',
      resource: 'user',
      resourceName: '*',
    });
    const human = needsHuman(ctx, NAME);
    const audit = (
      id: string,
      action: string,
      extra: { beforePath?: string; afterPath?: string; detailsPath?: string } = {},
    ) =>
      catchToHuman(
        auditStep(scope, id, {
          appender: ctx.auditAppender,
          playbook: NAME,
          action,
          outcome: 'succeeded',
          ...extra,
        }),
        human,
      );
    const iam = (
      id: string,
      action: string,
      parameters: Record<string, unknown>,
      resultPath: string,
      resultSelector?: Record<string, unknown>,
    ) =>
      catchToHuman(
        retryOnThrottling(
          new tasks.CallAwsService(scope, id, {
            service: 'iam',
            action,
            parameters,
            iamResources: [userArn],
            resultPath,
            resultSelector,
            credentials: memberCredentials(scope),
          }),
          'Iam',
        ),
        human,
      );

    // Dry run: record the plan, call nothing that mutates.
    const plan = new sfn.Pass(scope, 'Build plan', {
      parameters: {
        actions: [
          {
            action: 'UpdateAccessKey',
            'accessKeyId.$': '$.finding.resource.accessKeyId',
            status: 'Inactive',
          },
          {
            action: 'PutUserPolicy',
            policyName: REVOKE_SESSIONS_POLICY,
            'userName.$': '$.finding.resource.userName',
          },
          { action: 'TagUser', 'userName.$': '$.finding.resource.userName' },
          { action: 'Publish' },
        ],
      },
      resultPath: '$.plan',
    }).next(recordPlan(ctx, human, NAME));

    // Approval is a gate in front of the same containment steps.
    const approval = approvalGate(ctx, {
      name: 'Containment approval',
      playbook: NAME,
      proposedActions: [
        sfn.JsonPath.format(
          'Set access key {} of IAM user {} Inactive (the other keys of the user stay as they are)',
          sfn.JsonPath.stringAt('$.finding.resource.accessKeyId'),
          sfn.JsonPath.stringAt('$.finding.resource.userName'),
        ),
        sfn.JsonPath.format(
          'Deny every session of IAM user {} issued before now (inline policy {})',
          sfn.JsonPath.stringAt('$.finding.resource.userName'),
          REVOKE_SESSIONS_POLICY,
        ),
        'Tag the user with the finding and the playbook',
        'Notify the on-call topic that the key is disabled',
      ],
      ifDenied: 'The playbook ends: the access key stays as it is and nothing is changed.',
    });

    // The key's state before we touch it, for the audit trail and for undo.
    const readKeys = iam(
      'Read key state',
      'listAccessKeys',
      { 'UserName.$': '$.finding.resource.userName' },
      '$.state.before',
      {
        'keys.$': '$.AccessKeyMetadata',
      },
    );
    const deactivate = iam(
      'Deactivate access key',
      'updateAccessKey',
      {
        'UserName.$': '$.finding.resource.userName',
        'AccessKeyId.$': '$.finding.resource.accessKeyId',
        Status: 'Inactive',
      },
      sfn.JsonPath.DISCARD,
    );
    const afterDeactivate = new sfn.Pass(scope, 'Key after', {
      parameters: { 'accessKeyId.$': '$.finding.resource.accessKeyId', status: 'Inactive' },
      resultPath: '$.state.keyAfter',
    });
    // A deny on aws:TokenIssueTime earlier than now kills temporary credentials minted with the
    // key (GetSessionToken, federation); the long-term key itself is stopped by deactivation.
    const denyPolicy = sessionDenyPolicy(scope, 'Build session deny policy', '$.state.denyPolicy');
    const putPolicy = iam(
      'Revoke sessions',
      'putUserPolicy',
      {
        'UserName.$': '$.finding.resource.userName',
        PolicyName: REVOKE_SESSIONS_POLICY,
        'PolicyDocument.$': 'States.JsonToString($.state.denyPolicy)',
      },
      sfn.JsonPath.DISCARD,
    );
    const tag = iam(
      'Tag user',
      'tagUser',
      {
        'UserName.$': '$.finding.resource.userName',
        Tags: [
          { Key: 'remediation:finding', 'Value.$': '$.finding.id' },
          { Key: 'remediation:playbook', Value: NAME },
          { Key: 'remediation:at', 'Value.$': '$$.State.EnteredTime' },
        ],
      },
      sfn.JsonPath.DISCARD,
    );
    const contain = readKeys
      .next(deactivate)
      .next(afterDeactivate)
      .next(
        audit('Audit key deactivated', 'UpdateAccessKey', {
          beforePath: '$.state.before',
          afterPath: '$.state.keyAfter',
        }),
      )
      .next(denyPolicy)
      .next(putPolicy)
      .next(audit('Audit sessions revoked', 'PutUserPolicy', { afterPath: '$.state.denyPolicy' }))
      .next(tag)
      .next(audit('Audit user tagged', 'TagUser'))
      .next(
        catchToHuman(
          notifyStep(scope, 'Notify contained', {
            topic: ctx.topic,
            playbook: NAME,
            headline: 'access key disabled',
          }),
          human,
        ),
      )
      .next(
        catchToHuman(
          auditStep(scope, 'Audit contained', {
            appender: ctx.auditAppender,
            playbook: NAME,
            action: 'Complete',
            outcome: 'contained',
          }),
          human,
        ),
      )
      .next(new sfn.Succeed(scope, 'Contained'));

    return new sfn.Choice(scope, 'Mode?')
      .when(sfn.Condition.stringEquals('$.decision.mode', 'dry-run'), plan)
      .when(sfn.Condition.stringEquals('$.decision.mode', 'approve'), approval.next(contain))
      .otherwise(contain);
  },
};
