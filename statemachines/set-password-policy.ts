import { aws_stepfunctions as sfn, Validations } from 'aws-cdk-lib';
import { facts } from '#shared/playbooks/set-password-policy.ts';
import { type AwsCallProps, awsCall } from './fragments/aws-call.ts';
import { playbookSteps } from './fragments/playbook-steps.ts';
import { readOrNone } from './fragments/read-or-none.ts';
import { BEFORE_PATH, settingToggle } from './fragments/setting-toggle.ts';
import type { PlaybookContext, PlaybookDefinition } from './playbook.ts';

const NAME = facts.name;

/**
 * The baseline the Security Hub controls check: IAM.7 (FSBP, upper and lower case, number, symbol,
 * at least 8 characters), and the CIS controls IAM.11 to IAM.14 (each character class), IAM.15 (at
 * least 14 characters), IAM.16 (24 passwords remembered) and IAM.17 (expiry within 90 days).
 * https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-7 (and #iam-11 to #iam-17)
 */
const MINIMUM_LENGTH = 14;
/** The API's largest value (1–24): nothing stricter exists to keep. */
const PASSWORDS_REMEMBERED = 24;
const MAX_AGE_DAYS = 90;
const REQUIRED_CLASSES = [
  'RequireUppercaseCharacters',
  'RequireLowercaseCharacters',
  'RequireNumbers',
  'RequireSymbols',
] as const;

/** Where the policy the change sets is worked out (UpdateAccountPasswordPolicy's request). */
const TARGET = '$.policy';

/**
 * Whether the policy read at `path` meets the baseline. Each comparison is guarded by IsPresent
 * first: And stops at the first false rule, and a rule on a missing field would fail the run
 * (an account without a policy, or a policy without expiry).
 */
function meetsBaseline(path: string): sfn.Condition {
  const field = (name: string) => `${path}.PasswordPolicy.${name}`;
  const present = (name: string) => sfn.Condition.isPresent(field(name));
  return sfn.Condition.and(
    ...REQUIRED_CLASSES.flatMap((name) => [present(name), sfn.Condition.booleanEquals(field(name), true)]),
    present('MinimumPasswordLength'),
    sfn.Condition.numberGreaterThanEquals(field('MinimumPasswordLength'), MINIMUM_LENGTH),
    present('PasswordReusePrevention'),
    sfn.Condition.numberGreaterThanEquals(field('PasswordReusePrevention'), PASSWORDS_REMEMBERED),
    present('MaxPasswordAge'),
    sfn.Condition.numberLessThanEquals(field('MaxPasswordAge'), MAX_AGE_DAYS),
  );
}

/**
 * Security Hub IAM.7 and IAM.11–IAM.17: raise the account password policy to the baseline,
 * setting only what falls short: a longer minimum or a shorter expiry already set stays, and so do
 * the settings the controls do not check (whether users may change their own password, hard
 * expiry). UpdateAccountPasswordPolicy replaces the whole policy, defaulting whatever it is not
 * sent, so every setting is sent. New and changed passwords must follow the policy; existing
 * passwords are not checked until they expire, so nobody is signed out. Undo puts the recorded
 * policy back exactly, or deletes the policy if the account had none.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccountPasswordPolicy.html
 */
export const setPasswordPolicy: PlaybookDefinition = {
  ...facts,
  runbook: {
    steps: [
      {
        title: 'Read the password policy',
        does: 'Reads the account password policy, or records that the account has none.',
        states: ['Read password policy', 'No password policy'],
        ifItStops:
          'Nothing was changed. Check the policy in the IAM console (Account settings > Password policy).',
      },
      {
        title: 'Work out the new policy',
        does: 'Starts from the baseline and keeps every stricter value and every setting the controls do not check.',
        states: [
          'Baseline',
          'Keep longer minimum?',
          'Keep shorter expiry?',
          'Keep change setting?',
          'Keep hard expiry?',
        ],
        ifItStops: 'Nothing was changed.',
      },
      {
        title: 'Raise the policy',
        does: 'Sets the worked-out policy: at least 14 characters, all four character classes, 24 passwords remembered, expiry within 90 days.',
        states: ['Update password policy'],
        ifItStops:
          'The policy may be unchanged: set it in the IAM console (Account settings > Password policy > Edit), keeping any stricter values.',
      },
      {
        title: 'Check the policy',
        does: 'Reads the policy again and confirms it meets the baseline.',
        states: ['Read password policy again'],
        ifItStops: 'The policy was set but could not be confirmed. Look at it in the IAM console.',
      },
    ],
    checkAfterwards: [
      'The IAM console (Account settings) shows the password policy with a minimum length of 14 or more, all four character classes, 24 passwords remembered and expiry within 90 days.',
      'Console users whose password is older than the expiry must choose a new one at their next sign-in; with "Prevent password reuse after expiration" (hard expiry) on, an administrator must reset it.',
    ],
    undo: '`remediate undo` puts the previous policy back exactly, or deletes the policy if the account had none. Passwords changed meanwhile stay.',
  },
  build(ctx: PlaybookContext): sfn.IChainable {
    const { scope } = ctx;
    const steps = playbookSteps(ctx, NAME);
    const policyOf = (path: string, name: string) => `${path}.PasswordPolicy.${name}`;

    // An account without a policy answers NoSuchEntity (IAM applies its default policy then):
    // recorded as such, so undo knows to delete the policy again.
    // https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountPasswordPolicy.html
    const read = (id: string, resultPath: string): sfn.Chain => {
      const props: AwsCallProps = {
        service: 'iam',
        action: 'getAccountPasswordPolicy',
        iamResources: ['*'],
        resultPath,
      };
      if (resultPath !== BEFORE_PATH) return sfn.Chain.start(steps.call(id, props));
      return readOrNone(steps, awsCall(scope, id, props), {
        id: 'No password policy',
        value: { NoPasswordPolicy: true },
        resultPath: BEFORE_PATH,
        errors: ['Iam.NoSuchEntityException'],
      });
    };

    // From the baseline, each value the account already has stricter (or the controls do not check) is kept.
    const keep = (choiceId: string, field: string, stricter: sfn.Condition | undefined) =>
      new sfn.Choice(scope, choiceId)
        .when(
          sfn.Condition.and(
            sfn.Condition.isPresent(policyOf(BEFORE_PATH, field)),
            ...(stricter ? [stricter] : []),
          ),
          new sfn.Pass(scope, `Keep ${field}`, {
            inputPath: policyOf(BEFORE_PATH, field),
            resultPath: `${TARGET}.${field}`,
          }),
        )
        .otherwise(new sfn.Pass(scope, `Baseline ${field}`))
        .afterwards();
    const prepare = sfn.Chain.start(
      new sfn.Pass(scope, 'Baseline', {
        result: sfn.Result.fromObject({
          MinimumPasswordLength: MINIMUM_LENGTH,
          ...Object.fromEntries(REQUIRED_CLASSES.map((name) => [name, true])),
          PasswordReusePrevention: PASSWORDS_REMEMBERED,
          MaxPasswordAge: MAX_AGE_DAYS,
          // The API's defaults, for an account without a policy; kept below when the policy has them.
          AllowUsersToChangePassword: false,
          HardExpiry: false,
        }),
        resultPath: TARGET,
      }),
    )
      .next(
        keep(
          'Keep longer minimum?',
          'MinimumPasswordLength',
          sfn.Condition.numberGreaterThan(policyOf(BEFORE_PATH, 'MinimumPasswordLength'), MINIMUM_LENGTH),
        ),
      )
      .next(
        keep(
          'Keep shorter expiry?',
          'MaxPasswordAge',
          sfn.Condition.numberLessThan(policyOf(BEFORE_PATH, 'MaxPasswordAge'), MAX_AGE_DAYS),
        ),
      )
      .next(keep('Keep change setting?', 'AllowUsersToChangePassword', undefined))
      .next(keep('Keep hard expiry?', 'HardExpiry', undefined));

    const update = steps.call('Update password policy', {
      service: 'iam',
      action: 'updateAccountPasswordPolicy',
      parameters: Object.fromEntries(
        [
          'MinimumPasswordLength',
          ...REQUIRED_CLASSES,
          'PasswordReusePrevention',
          'MaxPasswordAge',
          'AllowUsersToChangePassword',
          'HardExpiry',
        ].map((field) => [`${field}.$`, `${TARGET}.${field}`]),
      ),
      iamResources: ['*'],
    });

    Validations.of(scope).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'iam:GetAccountPasswordPolicy and iam:UpdateAccountPasswordPolicy act on the account password policy, which has no resource type; the role may not delete it.',
    });
    return settingToggle(steps, {
      read,
      prepare,
      change: sfn.Chain.start(update),
      isSet: meetsBaseline,
      action: 'UpdateAccountPasswordPolicy',
      names: {
        read: 'Read password policy',
        readAgain: 'Read password policy again',
        isSet: 'Meets baseline?',
        audit: 'Audit policy raised',
        alreadySet: { audit: 'Audit already meets baseline', end: 'Already meets baseline' },
      },
      plan: { actions: [{ action: 'UpdateAccountPasswordPolicy', 'policy.$': TARGET }] },
      proposedActions: [
        'Raise the IAM account password policy to the baseline (14 characters, all character classes, 24 remembered, expiry within 90 days), keeping stricter values',
        'Read the policy again and record it',
      ],
      ifDenied: 'The playbook ends: the password policy stays as it is.',
      headline: 'IAM password policy raised to the baseline',
    });
  },
};
