import { Stack, aws_stepfunctions as sfn } from 'aws-cdk-lib';
import { facts } from '#shared/playbooks/disable-access-key.ts';
import { approvalGate } from './fragments/approval-gate.ts';
import { APPROVAL_RISK_PATH, accessKeyRisk } from './fragments/approval-risk.ts';
import { auditStep } from './fragments/audit-step.ts';
import { MemberAwsCall, memberCredentials } from './fragments/member-credentials.ts';
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
 * keys; a temporary ASIA key has nothing to deactivate), deny every session token issued
 * before now, tag the user, notify. Undo is
 * reactivating the key and deleting the inline policy.
 */
export const disableAccessKey: PlaybookDefinition = {
  ...facts,
  runbook: {
    steps: [
      {
        title: 'Record the key as it is',
        does: "Reads the user's access keys and their status, so the audit trail keeps the state before the change (undo restores from it).",
        states: ['Read key state'],
        ifItStops:
          'Nothing was changed. Check that the user and the key still exist in IAM; if the key is already gone, there is nothing to contain.',
      },
      {
        title: 'Disable the key',
        does: "Sets exactly the key named by the finding to Inactive. The user's other keys keep working.",
        states: ['Deactivate access key'],
        ifItStops:
          'The key may still be active. Disable it by hand in the IAM console (Users > the user > Security credentials > Make inactive), then tell the owner.',
      },
      {
        title: 'End sessions made with the key',
        does: 'Adds the inline policy remediation-revoke-older-sessions to the user: it refuses every temporary session issued before now, which a disabled key does not end by itself.',
        states: ['Revoke sessions'],
        ifItStops:
          'The key is disabled, but sessions made with it may still work for up to their lifetime. Ask the platform team to revoke them (IAM console: the user > Revoke active sessions).',
      },
      {
        title: 'Label the user',
        does: 'Tags the user with the finding and the playbook, so anyone looking at the user sees why it changed.',
        states: ['Tag user'],
        ifItStops:
          'The key is disabled and sessions are ended; only the label is missing. No action needed beyond noting it in the incident.',
      },
    ],
    checkAfterwards: [
      'In IAM, the key named in the finding is Inactive and the user has the policy remediation-revoke-older-sessions.',
      'The owner of the key knows, and gets a new key if they still need one.',
      'The timeline (`remediate audit --finding <id>`) ends with "contained".',
    ],
    undo: 'Run `remediate undo <execution id>` (the id is in the timeline: `remediate audit --finding <id>`). It makes the key Active again and removes the session policy.',
  },
  build(ctx: PlaybookContext): sfn.IChainable {
    const { scope } = ctx;
    const userArn = Stack.of(scope).formatArn({
      service: 'iam',
      region: '',
      resource: 'user',
      resourceName: '*',
    });
    const human = needsHuman(ctx, NAME);
    // Temporary (session) access key ids start with ASIA, long-term ones with AKIA
    // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids).
    const isSessionKey = sfn.Condition.stringMatches('$.finding.resource.accessKeyId', 'ASIA*');
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
          new MemberAwsCall(scope, id, {
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

    // Dry run: record the plan, call nothing that mutates. A session key has no UpdateAccessKey step.
    const revokeAndTag = [
      {
        action: 'PutUserPolicy',
        policyName: REVOKE_SESSIONS_POLICY,
        'userName.$': '$.finding.resource.userName',
      },
      { action: 'TagUser', 'userName.$': '$.finding.resource.userName' },
      { action: 'Publish' },
    ];
    const record = recordPlan(ctx, human, NAME);
    const plan = new sfn.Choice(scope, 'Plan for a session key?')
      .when(
        isSessionKey,
        new sfn.Pass(scope, 'Build session key plan', {
          parameters: { actions: revokeAndTag },
          resultPath: '$.plan',
        }).next(record),
      )
      .otherwise(
        new sfn.Pass(scope, 'Build plan', {
          parameters: {
            actions: [
              {
                action: 'UpdateAccessKey',
                'accessKeyId.$': '$.finding.resource.accessKeyId',
                status: 'Inactive',
              },
              ...revokeAndTag,
            ],
          },
          resultPath: '$.plan',
        }).next(record),
      );

    // Approval is a gate in front of the same containment steps.
    const approval = approvalGate(ctx, {
      name: 'Containment approval',
      playbook: NAME,
      proposedActions: [
        sfn.JsonPath.format(
          'Set access key {} of IAM user {} Inactive (the other keys of the user stay as they are; a temporary ASIA key has nothing to deactivate, its session is denied below)',
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
      title: sfn.JsonPath.format(
        'Disable access key {} of IAM user {}?',
        sfn.JsonPath.stringAt('$.finding.resource.accessKeyId'),
        sfn.JsonPath.stringAt('$.finding.resource.userName'),
      ),
      riskPath: APPROVAL_RISK_PATH,
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
    const revokeSessions = denyPolicy
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

    // An ASIA key is a session's temporary credential (GetSessionToken, federation): IAM keeps no
    // such key, so UpdateAccessKey would fail with NoSuchEntity. The session is stopped by the
    // deny on aws:TokenIssueTime alone, which applies to the user's temporary credentials
    // (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_disable-perms.html).
    const contain = readKeys.next(
      new sfn.Choice(scope, 'Session key?').when(isSessionKey, revokeSessions).otherwise(
        deactivate
          .next(afterDeactivate)
          .next(
            audit('Audit key deactivated', 'UpdateAccessKey', {
              beforePath: '$.state.before',
              afterPath: '$.state.keyAfter',
            }),
          )
          .next(revokeSessions),
      ),
    );

    return new sfn.Choice(scope, 'Mode?')
      .when(sfn.Condition.stringEquals('$.decision.mode', 'dry-run'), plan)
      .when(
        sfn.Condition.stringEquals('$.decision.mode', 'approve'),
        // The approver sees when the key was last used: what disabling it may break.
        accessKeyRisk(scope, '$.finding.resource.accessKeyId').next(approval).next(contain),
      )
      .otherwise(contain);
  },
};
