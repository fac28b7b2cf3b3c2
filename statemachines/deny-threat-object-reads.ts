import { Aws, type CfnElement, Stack, aws_stepfunctions as sfn, Validations } from 'aws-cdk-lib';
import { THREAT_READ_DENY_SID } from '#shared/bucket-policy/threat-read-deny.ts';
import { facts } from '#shared/playbooks/deny-threat-object-reads.ts';
import { bucketPolicyEditor, readAndEditPolicy } from './fragments/bucket-policy.ts';
import { playbookSteps } from './fragments/playbook-steps.ts';
import type { PlaybookContext, PlaybookDefinition } from './playbook.ts';

const NAME = facts.name;
const BUCKET = '$.finding.resource.bucketName';

/**
 * A malicious object in a bucket (GuardDuty `Object:S3/MaliciousFile`, or a Malware Protection for
 * S3 scan result of THREATS_FOUND): add AWS's tag-based control, one bucket-policy statement that
 * denies everyone reading objects tagged GuardDutyMalwareScanStatus = THREATS_FOUND
 * (https://docs.aws.amazon.com/guardduty/latest/ug/tag-based-access-s3-malware-protection.html).
 * Every other statement stays; a policy that already holds the statement is left alone. Undo
 * removes exactly that statement from the policy as it is then.
 */
export const denyThreatObjectReads: PlaybookDefinition = {
  ...facts,
  runbook: {
    steps: [
      {
        title: 'Read the bucket policy',
        does: "Reads the bucket's policy as it is (a bucket without one is fine) and works out the policy with the deny statement added.",
        states: [
          'Proposed read policy',
          'Proposed edit policy',
          'Current read policy',
          'Current edit policy',
        ],
        ifItStops:
          'Nothing was changed. Check that the bucket still exists and that its policy is valid JSON under 20 KB.',
      },
      {
        title: 'Deny reading objects tagged as malware',
        does: `Puts the policy back with one more statement (${THREAT_READ_DENY_SID}) denying s3:GetObject and s3:GetObjectVersion on objects tagged GuardDutyMalwareScanStatus = THREATS_FOUND. Every other statement stays.`,
        states: ['Put bucket policy'],
        ifItStops:
          'Malicious objects may still be readable. Add the statement by hand (S3 console > the bucket > Permissions > Bucket policy), or delete the object.',
      },
      {
        title: 'Check the statement is there',
        does: 'Reads the policy again and confirms it holds the statement.',
        states: ['Read policy again'],
        ifItStops:
          'The statement was put but could not be confirmed. Look at the bucket policy in the S3 console.',
      },
    ],
    checkAfterwards: [
      'The object the finding names cannot be downloaded (Access Denied); clean objects still can.',
      "Tagging is on in the bucket's Malware Protection plan: the statement denies only objects GuardDuty tagged, so without tagging it protects nothing.",
      "Only GuardDuty may change the GuardDutyMalwareScanStatus tag: AWS's page on tag-based access control shows the statement that stops others from removing it.",
      'Decide what happens to the object itself (keep it as evidence, or delete it).',
    ],
    undo: 'Run `remediate undo <execution id>` (the id is in the timeline: `remediate audit --finding <id>`). It removes exactly this statement from the bucket policy as it is then; other statements stay.',
  },
  build(ctx: PlaybookContext): sfn.IChainable {
    const { scope } = ctx;
    const steps = playbookSteps(ctx, NAME);
    const { buckets } = steps.arns;
    const editor = bucketPolicyEditor(ctx);
    const readAndEdit = (id: string) =>
      readAndEditPolicy(scope, {
        id,
        editor,
        edit: { operation: 'add' },
        bucketPath: BUCKET,
        bucketArn: buckets,
        readPath: '$.state.before',
        editPath: '$.state.edit',
        human: steps.human,
      });

    const put = steps.call('Put bucket policy', {
      service: 's3',
      action: 'putBucketPolicy',
      iamAction: 's3:PutBucketPolicy',
      iamResources: [buckets],
      parameters: { 'Bucket.$': BUCKET, 'Policy.$': '$.state.edit.policy' },
    });
    const intended = new sfn.Pass(scope, 'Policy put', {
      parameters: {
        'PolicyDocument.$': '$.state.edit.document',
        ObjectsArn: sfn.JsonPath.format(`arn:${Aws.PARTITION}:s3:::{}/*`, sfn.JsonPath.stringAt(BUCKET)),
      },
      resultPath: '$.state.intended',
    });
    const readAgain = steps.call('Read policy again', {
      service: 's3',
      action: 'getBucketPolicy',
      iamAction: 's3:GetBucketPolicy',
      iamResources: [buckets],
      parameters: { 'Bucket.$': BUCKET },
      resultPath: '$.state.after',
    });
    // Recorded as an object: the audit trail keeps it readable, not as JSON text inside JSON text.
    const readBack = new sfn.Pass(scope, 'Policy read back', {
      parameters: { 'PolicyDocument.$': 'States.StringToJson($.state.after.Policy)' },
      resultPath: '$.state.readBack',
    });
    const change = put
      .next(intended)
      .next(
        steps.audit('Audit statement added', 'PutBucketPolicy', 'succeeded', {
          beforePath: '$.state.edit.previous',
          afterPath: '$.state.intended',
        }),
      )
      .next(readAgain)
      .next(readBack)
      .next(
        steps.verify(
          sfn.Condition.stringMatches('$.state.after.Policy', `*"${THREAT_READ_DENY_SID}"*`),
          { afterPath: '$.state.readBack' },
          'reads of objects tagged THREATS_FOUND denied',
        ),
      );
    // The statement may be there already (an earlier run, or the same object reported twice).
    const already = steps.nothingToDo(
      'Audit statement already there',
      'PutBucketPolicy',
      { beforePath: '$.state.edit.previous' },
      'Statement already there',
    );
    // The policy is read again after approval: it may have changed while the request waited.
    const contain = readAndEdit('Current').next(
      new sfn.Choice(scope, 'Statement missing?')
        .when(sfn.Condition.booleanEquals('$.state.edit.changed', true), change)
        .otherwise(already),
    );
    const plan = readAndEdit('Proposed').next(
      new sfn.Pass(scope, 'Build plan', {
        parameters: {
          actions: [{ action: 'PutBucketPolicy', statement: THREAT_READ_DENY_SID }],
          'before.$': '$.state.edit.previous',
          'after.$': '$.state.edit.document',
        },
        resultPath: '$.plan',
      }),
    );
    const byMode = steps.byMode({
      plan,
      proposedActions: [
        `Add statement ${THREAT_READ_DENY_SID} to the policy of the bucket the finding names: deny everyone s3:GetObject and s3:GetObjectVersion on objects tagged GuardDutyMalwareScanStatus = THREATS_FOUND; every other statement stays`,
        'Read the policy again and record whether the statement is there',
      ],
      ifDenied: 'The playbook ends: the bucket policy stays as it is.',
      contain,
    });

    const stack = Stack.of(scope);
    // An editor defined elsewhere (an imported function) has no logical id here, and no grant to acknowledge.
    const editorResource = editor.node.defaultChild as CfnElement | undefined;
    const editorId = editorResource ? stack.getLogicalId(editorResource) : 'none';
    Validations.of(scope).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::*]',
        reason:
          'The bucket is named by the finding at run time; the role may only read and put bucket policies, and the definition only ever adds its one deny statement.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${editorId}.Arn>:*]`,
        reason:
          'The ":*" suffix CDK grants covers the versions and aliases of the policy editor function only; it is this playbook\'s own function.',
      },
    );
    return byMode;
  },
};
