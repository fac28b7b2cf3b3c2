import { aws_stepfunctions as sfn, Validations } from 'aws-cdk-lib';
import { facts } from '#shared/playbooks/block-account-public-access.ts';
import { FULL_BLOCK } from './block-bucket-public-access.ts';
import { awsCall } from './fragments/aws-call.ts';
import { playbookSteps } from './fragments/playbook-steps.ts';
import { readOrNone } from './fragments/read-or-none.ts';
import type { PlaybookContext, PlaybookDefinition } from './playbook.ts';

const NAME = facts.name;

/**
 * S3 Control declares `NoSuchPublicAccessBlockConfiguration` for an account without a
 * configuration, so the SDK integration names it exactly (no message matching, unlike S3's
 * bucket-level call).
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_GetPublicAccessBlock.html
 */
export const NO_ACCOUNT_BLOCK_ERROR = 'S3Control.NoSuchPublicAccessBlockConfigurationException';

const allSet = (path: string) =>
  sfn.Condition.and(
    ...Object.keys(FULL_BLOCK).map((setting) => sfn.Condition.booleanEquals(`${path}.${setting}`, true)),
  );

/**
 * Security Hub S3.1, GuardDuty `Policy:S3/AccountBlockPublicAccessDisabled`, and a CloudTrail
 * `PutAccountPublicAccessBlock`/`DeleteAccountPublicAccessBlock` that left a setting off: record
 * the account's configuration ("none" when it has none), turn all four settings on, read it back.
 * Account-level settings override every bucket's, so this closes public access for every bucket
 * of the account at once; undo puts the recorded configuration back.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/configuring-block-public-access-account.html
 * https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-1
 */
export const blockAccountPublicAccess: PlaybookDefinition = {
  ...facts,
  runbook: {
    steps: [
      {
        title: 'Record the account settings',
        does: "Reads the account's Block Public Access settings as they are.",
        states: ['Read account block'],
        ifItStops:
          'Nothing was changed. Check the account settings in the S3 console (Block Public Access settings for this account).',
      },
      {
        title: 'Block public access for the account',
        does: 'Turns on all four Block Public Access settings for the account; they apply to every bucket in it.',
        states: ['Block account public access'],
        ifItStops:
          'Buckets may still be public. Turn on Block Public Access by hand (S3 console > Block Public Access settings for this account).',
      },
      {
        title: 'Check it is blocked',
        does: 'Reads the settings again and confirms all four are on.',
        states: ['Read account block again'],
        ifItStops:
          'The block was set but could not be confirmed. Look at the account settings in the S3 console.',
      },
    ],
    checkAfterwards: [
      'The S3 console shows "Block all public access: On" under Block Public Access settings for this account.',
      'Anything that must be public (a website) is served another way, for example through CloudFront; account-level settings override every bucket.',
    ],
    undo: "Run `remediate undo <execution id>` (the id is in the timeline: `remediate audit --finding <id>`). It puts the account's earlier settings back, or removes the configuration if it had none.",
  },
  build(ctx: PlaybookContext): sfn.IChainable {
    const { scope } = ctx;
    const steps = playbookSteps(ctx, NAME);
    Validations.of(scope).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        "s3:GetAccountPublicAccessBlock and s3:PutAccountPublicAccessBlock act on the account's own setting and support no resource-level permissions; the definition only ever turns all four settings on.",
    });
    // The API is S3 Control's Get/PutPublicAccessBlock; the IAM actions are named after the account.
    const props = (api: string, iamAction: string, more: { parameters?: object; resultPath: string }) => ({
      service: 's3control' as const,
      action: api,
      iamAction,
      iamResources: ['*'],
      parameters: { 'AccountId.$': '$.finding.accountId', ...more.parameters },
      resultPath: more.resultPath,
    });
    const control = (id: string, ...args: Parameters<typeof props>) => steps.call(id, props(...args));

    // Not steps.call: the "none" catcher must come before the kit's catch-all.
    const readBefore = awsCall(
      scope,
      'Read account block',
      props('getPublicAccessBlock', 's3:GetAccountPublicAccessBlock', { resultPath: '$.state.before' }),
    );
    const before = readOrNone(steps, readBefore, {
      id: 'No previous account block',
      value: { PublicAccessBlockConfiguration: 'none' },
      resultPath: '$.state.before',
      errors: [NO_ACCOUNT_BLOCK_ERROR],
    });

    const after = new sfn.Pass(scope, 'Account block after', {
      result: sfn.Result.fromObject({ PublicAccessBlockConfiguration: FULL_BLOCK }),
      resultPath: '$.state.intended',
    });
    const contain = control(
      'Block account public access',
      'putPublicAccessBlock',
      's3:PutAccountPublicAccessBlock',
      {
        parameters: { PublicAccessBlockConfiguration: FULL_BLOCK },
        resultPath: sfn.JsonPath.DISCARD,
      },
    )
      .next(after)
      .next(
        steps.audit('Audit account public access blocked', 'PutAccountPublicAccessBlock', 'succeeded', {
          beforePath: '$.state.before',
          afterPath: '$.state.intended',
        }),
      )
      .next(
        control('Read account block again', 'getPublicAccessBlock', 's3:GetAccountPublicAccessBlock', {
          resultPath: '$.state.after',
        }),
      )
      .next(
        steps.verify(
          allSet('$.state.after.PublicAccessBlockConfiguration'),
          { afterPath: '$.state.after' },
          'account public access blocked',
        ),
      );
    const alreadyBlocked = steps
      .audit('Audit account already blocked', 'PutAccountPublicAccessBlock', 'skipped', {
        beforePath: '$.state.before',
      })
      .next(new sfn.Succeed(scope, 'Account already blocked'));
    // "none" is a string, so type-test before comparing the four settings.
    const auto = new sfn.Choice(scope, 'Account already blocked?')
      .when(sfn.Condition.isString('$.state.before.PublicAccessBlockConfiguration'), contain)
      .when(allSet('$.state.before.PublicAccessBlockConfiguration'), alreadyBlocked)
      .otherwise(contain);

    const plan = new sfn.Pass(scope, 'Build plan', {
      parameters: {
        actions: [
          {
            action: 'PutAccountPublicAccessBlock',
            'accountId.$': '$.finding.accountId',
            configuration: FULL_BLOCK,
          },
        ],
        'before.$': '$.state.before',
      },
      resultPath: '$.plan',
    });
    const byMode = steps.byMode({
      plan,
      proposedActions: [
        "Turn on all four Block Public Access settings for the finding's whole account (the previous configuration is recorded); they override every bucket's own settings",
        'Read the configuration again and record whether all four are on',
      ],
      ifDenied: "The playbook ends: the account's settings stay as they are.",
      contain: auto,
    });
    return before.next(byMode);
  },
};
