import { aws_stepfunctions as sfn, Validations } from 'aws-cdk-lib';
import { facts, REVOKE_ROLE_SESSIONS_POLICY } from '#shared/playbooks/revoke-role-sessions.ts';
import { catchToHuman } from './fragments/needs-human.ts';
import { notifyStep } from './fragments/notify.ts';
import { playbookSteps } from './fragments/playbook-steps.ts';
import { roleSessionRevocation } from './fragments/role-session-revocation.ts';
import { resourceWildcardFinding } from './fragments/wildcard-acknowledgement.ts';
import type { PlaybookContext, PlaybookDefinition } from './playbook.ts';

const NAME = facts.name;
/** GuardDuty names an assumed role's credentials by the role's name (`accessKeyDetails.userName`). */
const ROLE = '$.finding.resource.userName';

/**
 * Revoke the sessions of an IAM role whose temporary credentials were used maliciously, as AWS
 * documents it: an inline policy denying every action to sessions issued before now.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_revoke-sessions.html
 * Roles this must never touch are left alone and people told why: service-linked roles (AWS
 * manages them; path `/aws-service-role/`) and IAM Identity Center roles (`AWSReservedSSO_*`,
 * whose sessions Identity Center manages). The product's own roles and the member execution role
 * are protected principals: classify never routes them, and explicit Denies refuse the call.
 */
export const revokeRoleSessions: PlaybookDefinition = {
  ...facts,
  runbook: {
    steps: [
      {
        title: 'Record the role as it is',
        does: 'Reads the role named by the finding, so the audit trail keeps its state before the change.',
        states: ['Read role'],
        ifItStops: 'Nothing was changed. Check that the role still exists in the IAM console.',
      },
      {
        title: 'End the sessions issued before now',
        does: 'Adds the inline policy remediation-revoke-older-sessions to the role: it refuses every session of the role issued before now. Sessions started afterwards still work.',
        states: ['Revoke role sessions'],
        ifItStops:
          'Stolen sessions of the role may still work. In the IAM console, open the role and choose "Revoke active sessions".',
      },
      {
        title: 'Check the policy is there',
        does: 'Reads the policy back from the role and confirms it.',
        states: ['Read policy back'],
        ifItStops: 'The policy was put but could not be confirmed. Look at the role in the IAM console.',
      },
    ],
    checkAfterwards: [
      'The role has the inline policy remediation-revoke-older-sessions.',
      'Whatever legitimately uses the role (an instance, a function, a person) started a new session and works.',
    ],
    undo: 'Run `remediate undo <execution id>` (the id is in the timeline: `remediate audit --finding <id>`). It removes the session policy.',
  },
  build(ctx: PlaybookContext): sfn.IChainable {
    const { scope } = ctx;
    const steps = playbookSteps(ctx, NAME);
    Validations.of(scope).acknowledge({
      id: resourceWildcardFinding(scope, 'iam::{account}:role/*'),
      reason:
        'The role is named by the finding at run time; the playbook may only read it and put or read its one session-deny inline policy, and protected roles are explicitly denied.',
    });
    const revocation = roleSessionRevocation(steps, {
      roleNamePath: ROLE,
      policyName: REVOKE_ROLE_SESSIONS_POLICY,
      rolePath: '$.before',
      denyPolicyPath: '$.after.denyPolicy',
      skippedPath: '$.skip',
      // A role left alone is the whole run: people are told why, and it ends.
      afterLeftAlone: ({ id, headline }) =>
        catchToHuman(
          notifyStep(scope, `Notify ${id} left alone`, {
            topic: ctx.topic,
            playbook: NAME,
            headline,
            detailsPath: '$.skip',
          }),
          steps.human,
        ).next(new sfn.Succeed(scope, `${id}: not touched`)),
    });
    const readBack = steps.call('Read policy back', {
      service: 'iam',
      action: 'getRolePolicy',
      parameters: { 'RoleName.$': '$.before.roleName', PolicyName: REVOKE_ROLE_SESSIONS_POLICY },
      iamResources: [steps.arns.roles],
      resultSelector: { 'policyName.$': '$.PolicyName' },
      resultPath: '$.verify',
    });
    const contain = revocation.revoke
      .next(readBack)
      .next(
        steps.verify(
          sfn.Condition.stringEquals('$.verify.policyName', REVOKE_ROLE_SESSIONS_POLICY),
          { beforePath: '$.before', afterPath: '$.verify' },
          'role sessions issued before now revoked',
        ),
      );

    const byMode = steps.byMode({
      plan: new sfn.Pass(scope, 'Build plan', {
        parameters: {
          'roleName.$': ROLE,
          actions: [`PutRolePolicy:${REVOKE_ROLE_SESSIONS_POLICY} (Deny * when aws:TokenIssueTime < now)`],
        },
        resultPath: '$.plan',
      }),
      proposedActions: [
        sfn.JsonPath.format(
          'Deny every session of IAM role {} issued before now (inline policy {}); sessions issued afterwards still work',
          sfn.JsonPath.stringAt(ROLE),
          REVOKE_ROLE_SESSIONS_POLICY,
        ),
        ...facts.steps.slice(2),
      ],
      ifDenied: 'The playbook ends: the role and its sessions stay as they are.',
      contain,
    });
    // Identity Center roles are left alone before the mode choice: nothing to plan or approve.
    return revocation.unlessIdentityCenter(byMode);
  },
};
