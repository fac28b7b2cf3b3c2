import { aws_stepfunctions as sfn } from 'aws-cdk-lib';
import { facts } from '#shared/playbooks/disable-access-key.ts';
import { accessKeyRisk } from './fragments/approval-risk.ts';
import { playbookSteps } from './fragments/playbook-steps.ts';
import { sessionDenyPolicy } from './fragments/session-deny-policy.ts';
import type { PlaybookContext, PlaybookDefinition } from './playbook.ts';

const NAME = facts.name;
const USER = '$.finding.resource.userName';
const KEY_ID = '$.finding.resource.accessKeyId';
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
    const steps = playbookSteps(ctx, NAME);
    // Temporary (session) access key ids start with ASIA, long-term ones with AKIA
    // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids).
    const isSessionKey = sfn.Condition.stringMatches(KEY_ID, 'ASIA*');
    const iam = (id: string, action: string, parameters: Record<string, unknown>, read?: Read) =>
      steps.call(id, {
        service: 'iam',
        action,
        parameters,
        iamResources: [steps.arns.users],
        resultPath: read?.resultPath,
        resultSelector: read?.resultSelector,
      });

    // Dry run: record the plan, call nothing that mutates. A session key has no UpdateAccessKey step.
    const revokeAndTag = [
      { action: 'PutUserPolicy', policyName: REVOKE_SESSIONS_POLICY, 'userName.$': USER },
      { action: 'TagUser', 'userName.$': USER },
      { action: 'Publish' },
    ];
    const plan = new sfn.Choice(scope, 'Plan for a session key?')
      .when(
        isSessionKey,
        new sfn.Pass(scope, 'Build session key plan', {
          parameters: { actions: revokeAndTag },
          resultPath: '$.plan',
        }),
      )
      .otherwise(
        new sfn.Pass(scope, 'Build plan', {
          parameters: {
            actions: [
              { action: 'UpdateAccessKey', 'accessKeyId.$': KEY_ID, status: 'Inactive' },
              ...revokeAndTag,
            ],
          },
          resultPath: '$.plan',
        }),
      )
      .afterwards();

    // The key's state before we touch it, for the audit trail and for an exact undo: read first,
    // in one state, because a read racing the change could see the key already Inactive and undo
    // would then leave a key Inactive that was Active.
    const readKeys = iam(
      'Read key state',
      'listAccessKeys',
      { 'UserName.$': USER },
      {
        resultPath: '$.state.before',
        resultSelector: { 'keys.$': '$.AccessKeyMetadata' },
      },
    );
    const deactivate = iam('Deactivate access key', 'updateAccessKey', {
      'UserName.$': USER,
      'AccessKeyId.$': KEY_ID,
      Status: 'Inactive',
    });
    const afterDeactivate = new sfn.Pass(scope, 'Key after', {
      parameters: { 'accessKeyId.$': KEY_ID, status: 'Inactive' },
      resultPath: '$.state.keyAfter',
    });
    // A deny on aws:TokenIssueTime earlier than now kills temporary credentials minted with the
    // key (GetSessionToken, federation); the long-term key itself is stopped by deactivation.
    const putPolicy = iam('Revoke sessions', 'putUserPolicy', {
      'UserName.$': USER,
      PolicyName: REVOKE_SESSIONS_POLICY,
      'PolicyDocument.$': 'States.JsonToString($.state.denyPolicy)',
    });
    const tag = iam('Tag user', 'tagUser', {
      'UserName.$': USER,
      Tags: [
        { Key: 'remediation:finding', 'Value.$': '$.finding.id' },
        { Key: 'remediation:playbook', Value: NAME },
        { Key: 'remediation:at', 'Value.$': '$$.State.EnteredTime' },
      ],
    });
    const revokeSessions = sessionDenyPolicy(scope, 'Build session deny policy', '$.state.denyPolicy')
      .next(putPolicy)
      .next(
        steps.audit('Audit sessions revoked', 'PutUserPolicy', 'succeeded', {
          afterPath: '$.state.denyPolicy',
        }),
      )
      .next(tag)
      .next(steps.audit('Audit user tagged', 'TagUser', 'succeeded'))
      .next(steps.contained({ headline: 'access key disabled' }));

    // An ASIA key is a session's temporary credential (GetSessionToken, federation): IAM keeps no
    // such key, so UpdateAccessKey would fail with NoSuchEntity. The session is stopped by the
    // deny on aws:TokenIssueTime alone, which applies to the user's temporary credentials
    // (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_disable-perms.html).
    const contain = readKeys.next(
      new sfn.Choice(scope, 'Session key?').when(isSessionKey, revokeSessions).otherwise(
        deactivate
          .next(afterDeactivate)
          .next(
            steps.audit('Audit key deactivated', 'UpdateAccessKey', 'succeeded', {
              beforePath: '$.state.before',
              afterPath: '$.state.keyAfter',
            }),
          )
          .next(revokeSessions),
      ),
    );

    return steps.byMode({
      plan,
      proposedActions: [
        sfn.JsonPath.format(
          'Set access key {} of IAM user {} Inactive (the other keys of the user stay as they are; a temporary ASIA key has nothing to deactivate, its session is denied below)',
          sfn.JsonPath.stringAt(KEY_ID),
          sfn.JsonPath.stringAt(USER),
        ),
        sfn.JsonPath.format(
          'Deny every session of IAM user {} issued before now (inline policy {})',
          sfn.JsonPath.stringAt(USER),
          REVOKE_SESSIONS_POLICY,
        ),
        'Tag the user with the finding and the playbook',
        'Notify the on-call topic that the key is disabled',
      ],
      ifDenied: 'The playbook ends: the access key stays as it is and nothing is changed.',
      contain,
      gate: {
        name: 'Containment approval',
        title: sfn.JsonPath.format(
          'Disable access key {} of IAM user {}?',
          sfn.JsonPath.stringAt(KEY_ID),
          sfn.JsonPath.stringAt(USER),
        ),
        // The approver sees when the key was last used: what disabling it may break.
        risk: accessKeyRisk(scope, KEY_ID),
      },
    });
  },
};

/** Where a read's answer goes, and what of it is kept. */
interface Read {
  readonly resultPath: string;
  readonly resultSelector?: Record<string, unknown>;
}
