import { aws_stepfunctions as sfn } from 'aws-cdk-lib';
import { awsCall } from '../fragments/aws-call.ts';
import { catchToHuman } from '../fragments/needs-human.ts';
import { isAbsent } from '../quarantine-instance/steps.ts';
import { boundedPoll } from './bounded-poll.ts';
import { tagOnCreate } from './evidence-snapshots.ts';
import { INSTANCE_ID, type ReimageSteps, SNAPSHOT_AND_REIMAGE } from './steps.ts';

/** Seconds between two reads of the task's state, and how many reads before giving up (30 min). */
const TASK_POLL = { intervalSeconds: 30, maxIterations: 60 };
/** The tag that ties a replace-root-volume task to the finding it was made for. */
const FINDING_TAG = 'remediation:finding';
/** Task states from which the root volume will not be replaced. */
const TASK_FAILED = ['failed', 'failed-detached', 'failing'];

/**
 * Choose how to re-image, written to `$.reimage` before the approval gate so the approver sees
 * exactly what will happen (`$.reimage.summary`):
 * 1. the golden image the policy rule names (`params.goldenImageId`): replace the root volume;
 * 2. else, an instance launched from a launch template and not managed by Auto Scaling: launch a
 *    clean replacement from that template and version (the original stays quarantined);
 * 3. else (no template, or an Auto Scaling group already replaced the capacity): replace the root
 *    volume from the image the instance was launched from.
 */
export function chooseImage(steps: ReimageSteps): sfn.Chain {
  const { scope } = steps;
  // One DescribeTags per key: a JSONPath filter over the tag list matching nothing is an error
  // rather than an empty list, and each read returns a list that is simply empty without the tag.
  const readTag = (id: string, key: string, into: string) =>
    catchToHuman(
      awsCall(scope, id, {
        service: 'ec2',
        action: 'describeTags',
        parameters: {
          Filters: [
            { Name: 'resource-id', 'Values.$': `States.Array(${INSTANCE_ID})` },
            { Name: 'key', Values: [key] },
          ],
        },
        iamResources: ['*'],
        resultSelector: { 'tags.$': '$.Tags' },
        resultPath: `$.discovery.launchTemplate.${into}`,
      }),
      steps.human,
    );
  const template = sfn.Chain.start(readTag('Read launch template id', 'aws:ec2launchtemplate:id', 'id'))
    .next(readTag('Read launch template version', 'aws:ec2launchtemplate:version', 'version'))
    .next(readTag('Read Auto Scaling group tag', 'aws:autoscaling:groupName', 'group'));
  const golden = new sfn.Pass(scope, 'Use golden image', {
    parameters: {
      'imageId.$': '$.decision.params.goldenImageId',
      source: 'golden-image',
      summary: sfn.JsonPath.format(
        'Replace the root volume of {} from image {} (golden-image)',
        sfn.JsonPath.stringAt(INSTANCE_ID),
        sfn.JsonPath.stringAt('$.decision.params.goldenImageId'),
      ),
    },
    resultPath: '$.reimage',
  });
  const fromTemplate = new sfn.Pass(scope, 'Use launch template', {
    parameters: {
      source: 'launch-template',
      'launchTemplateId.$': '$.discovery.launchTemplate.id.tags[0].Value',
      'launchTemplateVersion.$': '$.discovery.launchTemplate.version.tags[0].Value',
      summary: sfn.JsonPath.format(
        'Launch a replacement for {} from launch template {} version {}; the original stays quarantined as evidence',
        sfn.JsonPath.stringAt(INSTANCE_ID),
        sfn.JsonPath.stringAt('$.discovery.launchTemplate.id.tags[0].Value'),
        sfn.JsonPath.stringAt('$.discovery.launchTemplate.version.tags[0].Value'),
      ),
    },
    resultPath: '$.reimage',
  });
  const launchImage = new sfn.Pass(scope, 'Use launch image', {
    parameters: {
      'imageId.$': '$.before.imageId',
      source: 'launch-image',
      summary: sfn.JsonPath.format(
        'Replace the root volume of {} from image {} (launch-image)',
        sfn.JsonPath.stringAt(INSTANCE_ID),
        sfn.JsonPath.stringAt('$.before.imageId'),
      ),
    },
    resultPath: '$.reimage',
  });
  return sfn.Chain.start(
    new sfn.Choice(scope, 'Golden image named?')
      .when(sfn.Condition.isPresent('$.decision.params.goldenImageId'), golden)
      .otherwise(
        template.next(
          new sfn.Choice(scope, 'Own launch template, outside Auto Scaling?')
            .when(
              sfn.Condition.and(
                sfn.Condition.isPresent('$.discovery.launchTemplate.id.tags[0].Value'),
                sfn.Condition.isPresent('$.discovery.launchTemplate.version.tags[0].Value'),
                isAbsent('$.discovery.launchTemplate.group.tags[0]'),
              ),
              fromTemplate,
            )
            .otherwise(launchImage),
        ),
      )
      .afterwards(),
  );
}

/**
 * Replace the root volume from the chosen image and wait for the task to succeed. The
 * instance keeps its ENIs, its quarantine groups and its data volumes; the replaced root volume
 * is kept (DeleteReplacedRootVolume=false), detached, next to the snapshots as evidence.
 */
export function replaceRootVolume(steps: ReimageSteps): sfn.Chain {
  const { scope, arns, human } = steps;
  const create = catchToHuman(
    awsCall(scope, 'Replace root volume', {
      service: 'ec2',
      action: 'createReplaceRootVolumeTask',
      parameters: {
        'InstanceId.$': INSTANCE_ID,
        'ImageId.$': '$.reimage.imageId',
        DeleteReplacedRootVolume: false,
        TagSpecifications: [
          {
            ResourceType: 'replace-root-volume-task',
            Tags: [
              { Key: FINDING_TAG, 'Value.$': '$.finding.id' },
              { Key: 'remediation:playbook', Value: SNAPSHOT_AND_REIMAGE },
            ],
          },
        ],
      },
      // Authorized on the instance, the new task, the image and the volumes it swaps.
      iamResources: [arns.instances, arns.replaceRootVolumeTasks, arns.images, arns.volumes],
      additionalIamStatements: [tagOnCreate(arns.replaceRootVolumeTasks, 'CreateReplaceRootVolumeTask')],
      resultSelector: { 'taskId.$': '$.ReplaceRootVolumeTask.ReplaceRootVolumeTaskId' },
      resultPath: '$.reimage.task',
    }),
    human,
  );
  // A second approved run for the same finding (an operator re-running it, a redrive) must not
  // wipe the instance again: a replacement tagged with this finding that has not failed is reused.
  const earlier = catchToHuman(
    awsCall(scope, 'Find earlier replacement', {
      service: 'ec2',
      action: 'describeReplaceRootVolumeTasks',
      parameters: {
        Filters: [
          { Name: 'instance-id', 'Values.$': `States.Array(${INSTANCE_ID})` },
          { Name: `tag:${FINDING_TAG}`, 'Values.$': 'States.Array($.finding.id)' },
        ],
      },
      iamResources: ['*'],
      resultSelector: { 'tasks.$': '$.ReplaceRootVolumeTasks' },
      resultPath: '$.reimage.earlier',
    }),
    human,
  );
  const reuse = new sfn.Pass(scope, 'Reuse earlier replacement', {
    parameters: { 'taskId.$': '$.reimage.earlier.tasks[0].ReplaceRootVolumeTaskId' },
    resultPath: '$.reimage.task',
  });
  const read = catchToHuman(
    awsCall(scope, 'Read replace root volume task', {
      service: 'ec2',
      action: 'describeReplaceRootVolumeTasks',
      parameters: { 'ReplaceRootVolumeTaskIds.$': 'States.Array($.reimage.task.taskId)' },
      iamResources: ['*'],
      resultSelector: { 'state.$': '$.ReplaceRootVolumeTasks[0].TaskState' },
      resultPath: '$.poll.task',
    }),
    human,
  );
  const poll = boundedPoll(scope, {
    name: 'Replace poll',
    ...TASK_POLL,
    read: sfn.Chain.start(read),
    failed: sfn.Condition.or(
      ...TASK_FAILED.map((state) => sfn.Condition.stringEquals('$.poll.task.state', state)),
    ),
    done: sfn.Condition.stringEquals('$.poll.task.state', 'succeeded'),
    human,
    failure: {
      error: 'ReplaceRootVolumeFailed',
      cause: `${SNAPSHOT_AND_REIMAGE}: the replace-root-volume task failed; the instance keeps its old root volume`,
    },
  });
  const succeeded = new sfn.Pass(scope, 'Record replacement', {
    parameters: { 'taskState.$': '$.poll.task.state' },
    resultPath: '$.reimage.result',
  });
  const reused = steps.audit('Audit replacement reused', 'CreateReplaceRootVolumeTask', {
    outcome: 'skipped',
    detailsPath: '$.reimage.earlier',
  });
  const earlierUsable = sfn.Condition.and(
    sfn.Condition.isPresent('$.reimage.earlier.tasks[0].ReplaceRootVolumeTaskId'),
    ...TASK_FAILED.map((state) =>
      sfn.Condition.not(sfn.Condition.stringEquals('$.reimage.earlier.tasks[0].TaskState', state)),
    ),
  );
  return earlier
    .next(
      new sfn.Choice(scope, 'Replaced before?')
        .when(earlierUsable, reuse.next(reused))
        .otherwise(create)
        .afterwards(),
    )
    .next(poll)
    .next(succeeded)
    .next(
      steps.audit('Audit root volume replaced', 'ReplaceRootVolume', {
        beforePath: '$.before',
        afterPath: '$.reimage',
      }),
    );
}
