import { Stack, aws_stepfunctions as sfn, Validations } from 'aws-cdk-lib';
import { facts } from '#shared/playbooks/block-bucket-public-access.ts';
import { MemberAwsCall, memberCredentials } from './fragments/member-credentials.ts';
import { playbookSteps } from './fragments/playbook-steps.ts';
import { readOrNone } from './fragments/read-or-none.ts';
import type { PlaybookContext, PlaybookDefinition } from './playbook.ts';

const NAME = facts.name;

/** All four Block Public Access settings on: what the playbook puts and then verifies. */
export const FULL_BLOCK = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
} as const;

/**
 * S3 answers GetPublicAccessBlock on a bucket that has none with the undeclared error
 * `NoSuchPublicAccessBlockConfiguration`, which the AWS SDK integration reports as the generic
 * `S3.S3Exception` with S3's message in the cause; the modelled form is listed in case S3 ever
 * declares it. The message is what tells "none" apart from other undeclared errors (SlowDown).
 */
export const NO_BLOCK_ERRORS = ['S3.NoSuchPublicAccessBlockConfigurationException', 'S3.S3Exception'];
const NO_BLOCK_MESSAGE = '*public access block configuration was not found*';

const allSet = (path: string) =>
  sfn.Condition.and(
    ...Object.keys(FULL_BLOCK).map((setting) => sfn.Condition.booleanEquals(`${path}.${setting}`, true)),
  );

/**
 * Block public access on a bucket made public (a public policy or ACL, or its Block Public
 * Access removed): record the previous configuration ("none" when the bucket had none), put
 * all four settings on, read it back to verify. Undo is putting the recorded configuration back.
 */
export const blockBucketPublicAccess: PlaybookDefinition = {
  ...facts,
  runbook: {
    steps: [
      {
        title: 'Record the bucket settings',
        does: "Reads the bucket's Block Public Access settings as they are.",
        states: ['Read public access block'],
        ifItStops: 'Nothing was changed. Check that the bucket still exists in the S3 console.',
      },
      {
        title: 'Block public access',
        does: 'Turns on all four Block Public Access settings of the bucket, so nothing in it is public.',
        states: ['Block public access'],
        ifItStops:
          'The bucket may still be public. Turn on Block Public Access by hand (S3 console > the bucket > Permissions).',
      },
      {
        title: 'Check it is blocked',
        does: 'Reads the settings again and confirms all four are on.',
        states: ['Read block again'],
        ifItStops: 'The block was set but could not be confirmed. Look at the bucket in the S3 console.',
      },
    ],
    checkAfterwards: [
      'The bucket shows "Block all public access: On".',
      'Anything that must be public (a website) is served another way, for example through CloudFront.',
    ],
    undo: 'Run `remediate undo <execution id>` (the id is in the timeline: `remediate audit --finding <id>`). It puts the earlier settings back.',
  },
  build(ctx: PlaybookContext): sfn.IChainable {
    const { scope } = ctx;
    const steps = playbookSteps(ctx, NAME);
    // Bucket ARNs carry neither region nor account.
    const bucketArn = Stack.of(scope).formatArn({ service: 's3', region: '', account: '', resource: '*' });
    Validations.of(scope).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::*]',
      reason:
        'The bucket is named by the finding at run time; the role may only read and put Block Public Access, and the definition only ever turns all four settings on.',
    });
    // The API is GetPublicAccessBlock/PutPublicAccessBlock; the IAM actions are named after the bucket.
    const s3 = (
      id: string,
      api: string,
      iamAction: string,
      props: { parameters?: object; resultPath: string },
    ) =>
      steps.call(id, {
        service: 's3',
        action: api,
        iamAction,
        iamResources: [bucketArn],
        parameters: { 'Bucket.$': '$.finding.resource.bucketName', ...props.parameters },
        resultPath: props.resultPath,
      });

    // No Retry here: a bucket without a block answers with the same error name as throttling, and
    // retrying the common "none" case would only delay the containment.
    const readBefore = new MemberAwsCall(scope, 'Read public access block', {
      service: 's3',
      action: 'getPublicAccessBlock',
      iamAction: 's3:GetBucketPublicAccessBlock',
      iamResources: [bucketArn],
      parameters: { 'Bucket.$': '$.finding.resource.bucketName' },
      resultPath: '$.state.before',
      credentials: memberCredentials(scope),
    });
    const before = readOrNone(steps, readBefore, {
      id: 'No previous block',
      value: { PublicAccessBlockConfiguration: 'none' },
      resultPath: '$.state.before',
      errors: NO_BLOCK_ERRORS,
      cause: { choiceId: 'No block configured?', matches: NO_BLOCK_MESSAGE },
    });

    const put = s3('Block public access', 'putPublicAccessBlock', 's3:PutBucketPublicAccessBlock', {
      parameters: { PublicAccessBlockConfiguration: FULL_BLOCK },
      resultPath: sfn.JsonPath.DISCARD,
    });
    const after = new sfn.Pass(scope, 'Block after', {
      result: sfn.Result.fromObject({ PublicAccessBlockConfiguration: FULL_BLOCK }),
      resultPath: '$.state.intended',
    });
    const contain = put
      .next(after)
      .next(
        steps.audit('Audit public access blocked', 'PutPublicAccessBlock', 'succeeded', {
          beforePath: '$.state.before',
          afterPath: '$.state.intended',
        }),
      )
      .next(
        s3('Read block again', 'getPublicAccessBlock', 's3:GetBucketPublicAccessBlock', {
          resultPath: '$.state.after',
        }),
      )
      .next(
        steps.verify(
          allSet('$.state.after.PublicAccessBlockConfiguration'),
          { afterPath: '$.state.after' },
          'bucket public access blocked',
        ),
      );
    const alreadyBlocked = steps
      .audit('Audit already blocked', 'PutPublicAccessBlock', 'skipped', { beforePath: '$.state.before' })
      .next(new sfn.Succeed(scope, 'Already blocked'));
    // "none" is a string, so type-test before comparing the four settings.
    const auto = new sfn.Choice(scope, 'Already blocked?')
      .when(sfn.Condition.isString('$.state.before.PublicAccessBlockConfiguration'), contain)
      .when(allSet('$.state.before.PublicAccessBlockConfiguration'), alreadyBlocked)
      .otherwise(contain);

    const plan = new sfn.Pass(scope, 'Build plan', {
      parameters: {
        actions: [{ action: 'PutPublicAccessBlock', configuration: FULL_BLOCK }],
        'before.$': '$.state.before',
      },
      resultPath: '$.plan',
    });
    const byMode = steps.byMode({
      plan,
      proposedActions: [
        'Turn on all four Block Public Access settings of the bucket the finding names (the previous configuration is recorded)',
        'Read the configuration again and record whether all four are on',
      ],
      ifDenied: 'The playbook ends: the bucket stays as it is.',
      contain: auto,
    });
    return before.next(byMode);
  },
};
