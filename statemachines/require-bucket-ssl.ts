import path from 'node:path';
import { Stack, aws_stepfunctions as sfn, Validations } from 'aws-cdk-lib';
import { facts } from '#shared/playbooks/require-bucket-ssl.ts';
import { NO_POLICY_ERRORS, NO_POLICY_MESSAGE } from './fragments/bucket-policy.ts';
import { MemberAwsCall, memberCredentials } from './fragments/member-credentials.ts';
import { plannerFunction } from './fragments/planner.ts';
import { playbookSteps } from './fragments/playbook-steps.ts';
import { readOrNone } from './fragments/read-or-none.ts';
import type { PlaybookContext, PlaybookDefinition } from './playbook.ts';

const NAME = facts.name;
const PLANNER_ENTRY = path.resolve(import.meta.dirname, '../functions/plan-ssl-only-policy/handler.ts');
const BUCKET = '$.finding.resource.bucketName';

/**
 * Security Hub S3.5: add to the bucket's policy one statement denying `s3:*` on the bucket and
 * its objects when `aws:SecureTransport` is `false`, keeping every other statement exactly
 * (planner function, shared/bucket-policy/ssl-only-policy.ts); a policy that already denies requests
 * without TLS is left alone. PutBucketPolicy replaces the whole policy, so the policy put is the
 * one just read plus the statement; it is read again and planned again to verify.
 * https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-5
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketPolicy.html
 */
export const requireBucketSsl: PlaybookDefinition = {
  ...facts,
  runbook: {
    steps: [
      {
        title: 'Read the bucket policy',
        does: "Reads the bucket's policy (or that it has none) and checks whether it already denies requests made without TLS.",
        states: ['Read bucket policy', 'No bucket policy?', 'No previous policy', 'Plan SSL-only policy'],
        ifItStops: 'Nothing was changed. Check that the bucket still exists in the S3 console.',
      },
      {
        title: 'Require TLS',
        does: 'Puts the policy back with one more statement, denying every request made without TLS to the bucket and its objects. Every other statement stays as it was.',
        states: ['Put SSL-only policy'],
        ifItStops:
          'The bucket may still accept requests without TLS. In the S3 console open the bucket (Permissions > Bucket policy) and add a statement denying s3:* when aws:SecureTransport is false.',
      },
      {
        title: 'Check the statement is in force',
        does: 'Reads the policy again and confirms it denies requests made without TLS.',
        states: ['Read bucket policy again', 'Check SSL-only policy'],
        ifItStops:
          'The policy was put but could not be confirmed. Look at the bucket policy in the S3 console.',
      },
    ],
    checkAfterwards: [
      'The bucket policy has the statement DenyInsecureTransport, and its other statements are as before.',
      'Every client of the bucket uses HTTPS (the AWS SDKs and CLI do by default); one that uses plain HTTP is now refused.',
    ],
    undo: 'Run `remediate undo <execution id>` (the id is in the timeline: `remediate audit --finding <id>`). It removes exactly this statement (DenyInsecureTransport) from the bucket policy as it is then, or deletes the policy if it was its only statement; other statements stay. Requests without TLS are accepted again.',
  },
  build(ctx: PlaybookContext): sfn.IChainable {
    const { scope } = ctx;
    const steps = playbookSteps(ctx, NAME);
    const _stack = Stack.of(scope);
    // Bucket ARNs carry neither region nor account.
    const bucketArn = steps.arns.buckets;
    const planner = plannerFunction(ctx, {
      id: 'PlanSslOnlyPolicy',
      entry: PLANNER_ENTRY,
      description: 'Adds the SSL-only statement require-bucket-ssl puts to a bucket policy',
      human: steps.human,
    });
    const plan = (id: string, policyPath: string, resultPath: string) =>
      planner.invoke(
        id,
        {
          bucket: sfn.JsonPath.stringAt(BUCKET),
          policy: sfn.JsonPath.stringAt(policyPath),
        },
        resultPath,
      );

    // No Retry on the first read: a bucket without a policy answers with the same error name as
    // throttling, and retrying the "none" case would only delay the remediation.
    const readBefore = new MemberAwsCall(scope, 'Read bucket policy', {
      service: 's3',
      action: 'getBucketPolicy',
      iamResources: [bucketArn],
      parameters: { 'Bucket.$': BUCKET },
      resultPath: '$.state.before',
      credentials: memberCredentials(scope),
    });
    const before = readOrNone(steps, readBefore, {
      id: 'No previous policy',
      value: { Policy: null },
      resultPath: '$.state.before',
      errors: NO_POLICY_ERRORS,
      cause: { choiceId: 'No bucket policy?', matches: NO_POLICY_MESSAGE },
    });

    const checkAfter = plan('Check SSL-only policy', '$.state.after.Policy', '$.verification');
    checkAfter.next(
      steps.verify(
        sfn.Condition.booleanEquals('$.verification.present', true),
        { afterPath: '$.verification.current', detailsPath: '$.verification.change.statement' },
        'bucket requires TLS',
      ),
    );
    // Policies are recorded as the planner's parsed documents, never as the policy's JSON text:
    // a record holds them readably (and a string of JSON inside JSON text is escaped twice).
    const contain = steps
      .call('Put SSL-only policy', {
        service: 's3',
        action: 'putBucketPolicy',
        parameters: { 'Bucket.$': BUCKET, 'Policy.$': '$.plan.policy' },
        iamResources: [bucketArn],
        resultPath: sfn.JsonPath.DISCARD,
      })
      .next(
        steps.audit('Audit SSL-only policy put', 'PutBucketPolicy', 'succeeded', {
          beforePath: '$.plan.current',
          afterPath: '$.plan.change.after',
          detailsPath: '$.plan.change',
        }),
      )
      .next(
        steps.call('Read bucket policy again', {
          service: 's3',
          action: 'getBucketPolicy',
          parameters: { 'Bucket.$': BUCKET },
          iamResources: [bucketArn],
          resultPath: '$.state.after',
        }),
      )
      .next(checkAfter);
    const auto = steps.unlessAlready({
      id: 'Already SSL-only?',
      already: sfn.Condition.booleanEquals('$.plan.present', true),
      audit: {
        id: 'Audit already SSL-only',
        action: 'PutBucketPolicy',
        paths: { beforePath: '$.state.before' },
      },
      endId: 'Already SSL-only',
      contain,
    });

    Validations.of(scope).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::*]',
      reason:
        'The bucket is named by the finding at run time; the role may only read and put a bucket policy, and the definition only ever adds the statement denying requests without TLS.',
    });
    const planned = plan('Plan SSL-only policy', '$.state.before.Policy', '$.plan').next(
      steps.byMode({
        proposedActions: [
          "Add one statement to the bucket's policy denying every request made without TLS (aws:SecureTransport false) to the bucket and its objects; every other statement stays",
          'Read the policy again and record whether the statement is in force',
        ],
        ifDenied: 'The playbook ends: the bucket policy stays as it is.',
        contain: auto,
      }),
    );
    return before.next(planned);
  },
};
