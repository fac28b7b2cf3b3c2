import { aws_stepfunctions as sfn } from 'aws-cdk-lib';
import { facts } from '#shared/playbooks/snapshot-and-reimage.ts';
import { boundedPoll } from '../fragments/bounded-poll.ts';
import { isAbsent } from '../fragments/conditions.ts';
import { instanceTagRead } from '../fragments/describe-instance.ts';
import { INSTANCE_ID } from '../fragments/finding-paths.ts';
import { firstItem } from '../fragments/first-item.ts';
import type { PlaybookSteps } from '../fragments/playbook-steps.ts';
import { ebsKeyStatements } from './ebs-keys.ts';
import { tagOnCreate } from './evidence-snapshots.ts';

/** Seconds between two reads of the task's state, and how many reads before giving up (30 min). */
const TASK_POLL = { intervalSeconds: 30, maxIterations: 60 };
/** The tag that ties a replace-root-volume task to the finding it was made for. */
const FINDING_TAG = 'remediation:finding';
/** Task states from which the root volume will not be replaced. */
const TASK_FAILED = ['failed', 'failed-detached', 'failing'];
/** What the poll records when the task it reads is not listed. */
const TASK_MISSING = 'missing';

/**
 * Choose how to re-image, written to `$.reimage` before the approval gate so the approver sees
 * exactly what will happen (`$.reimage.summary`):
 * 1. the golden image the policy rule names (`params.goldenImageId`): replace the root volume;
 * 2. else, an instance launched from a launch template and not managed by Auto Scaling: launch a
 *    clean replacement from that template and version (the original stays quarantined);
 * 3. else (no template, or an Auto Scaling group already replaced the capacity): restore the root
 *    volume to its launch state.
 */
export function chooseImage(steps: PlaybookSteps): sfn.Chain {
  const { scope } = steps;
  // One DescribeTags per key (instanceTagRead says why).
  const readTag = (id: string, key: string, into: string) =>
    steps.call(id, instanceTagRead(key, `$.discovery.launchTemplate.${into}`));
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
  // No image named: the root volume goes back to its launch state. CreateReplaceRootVolumeTask
  // restores that when ImageId is omitted ("If you want to restore the replacement volume from a
  // specific snapshot, if you want to restore it to its launch state, ... omit this parameter",
  // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateReplaceRootVolumeTask.html);
  // naming the launch AMI instead would fail once that AMI is deregistered.
  const launchState = new sfn.Pass(scope, 'Use launch state', {
    parameters: {
      source: 'launch-state',
      summary: sfn.JsonPath.format(
        'Restore the root volume of {} to its launch state (launch-state)',
        sfn.JsonPath.stringAt(INSTANCE_ID),
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
            .otherwise(launchState),
        ),
      )
      .afterwards(),
  );
}

/**
 * Replace the root volume from the chosen image (or restore it to its launch state) and wait for
 * the task to succeed. The instance keeps its ENIs, its quarantine groups and its data volumes;
 * the replaced root volume is kept (DeleteReplacedRootVolume=false), detached, next to the
 * snapshots as evidence.
 */
export function replaceRootVolume(steps: PlaybookSteps): sfn.Chain {
  const { scope, arns, human } = steps;
  const create = (id: string, image: boolean) =>
    steps.call(id, {
      service: 'ec2',
      action: 'createReplaceRootVolumeTask',
      parameters: {
        'InstanceId.$': INSTANCE_ID,
        ...(image ? { 'ImageId.$': '$.reimage.imageId' } : {}),
        DeleteReplacedRootVolume: false,
        TagSpecifications: [
          {
            ResourceType: 'replace-root-volume-task',
            Tags: [
              { Key: FINDING_TAG, 'Value.$': '$.finding.id' },
              { Key: 'remediation:playbook', Value: facts.name },
            ],
          },
        ],
      },
      // Authorized on the instance, the new task, the volumes it swaps, and the image or the
      // launch snapshot the new volume comes from.
      iamResources: [
        arns.instances,
        arns.replaceRootVolumeTasks,
        arns.volumes,
        image ? arns.images : arns.snapshots,
      ],
      additionalIamStatements: [
        tagOnCreate(arns.replaceRootVolumeTasks, 'CreateReplaceRootVolumeTask'),
        ...ebsKeyStatements(scope),
      ],
      resultSelector: { 'taskId.$': '$.ReplaceRootVolumeTask.ReplaceRootVolumeTaskId' },
      resultPath: '$.reimage.task',
    });
  const createTask = new sfn.Choice(scope, 'Image named?')
    .when(sfn.Condition.isPresent('$.reimage.imageId'), create('Replace root volume', true))
    .otherwise(create('Restore root volume to launch state', false))
    .afterwards();
  const read = steps.call('Read replace root volume task', {
    service: 'ec2',
    action: 'describeReplaceRootVolumeTasks',
    parameters: { 'ReplaceRootVolumeTaskIds.$': 'States.Array($.reimage.task.taskId)' },
    iamResources: ['*'],
    resultSelector: { 'tasks.$': '$.ReplaceRootVolumeTasks' },
    resultPath: '$.poll.read',
  });
  const state = firstItem(scope, 'Replace root volume task state', {
    listPath: '$.poll.read.tasks',
    fields: { state: 'TaskState' },
    otherwise: { state: TASK_MISSING },
    resultPath: '$.poll.task',
  });
  const poll = boundedPoll(scope, {
    name: 'Replace poll',
    ...TASK_POLL,
    read: sfn.Chain.start(read).next(state),
    failed: sfn.Condition.or(
      ...[...TASK_FAILED, TASK_MISSING].map((s) => sfn.Condition.stringEquals('$.poll.task.state', s)),
    ),
    done: sfn.Condition.stringEquals('$.poll.task.state', 'succeeded'),
    human,
    failure: {
      error: 'ReplaceRootVolumeFailed',
      cause: `${facts.name}: the replace-root-volume task failed or is gone; the instance keeps its old root volume`,
    },
  });
  const succeeded = new sfn.Pass(scope, 'Record replacement', {
    parameters: { 'taskState.$': '$.poll.task.state' },
    resultPath: '$.reimage.result',
  });
  return findEarlierReplacement(steps, createTask)
    .next(poll)
    .next(succeeded)
    .next(
      steps.audit('Audit root volume replaced', 'ReplaceRootVolume', 'succeeded', {
        beforePath: '$.before',
        afterPath: '$.reimage',
      }),
    );
}

/**
 * A second approved run for the same finding (an operator re-running it, a redrive) must not wipe
 * the instance again: a task of this instance tagged with this finding that has not failed is
 * reused. DescribeReplaceRootVolumeTasks documents one filter, `instance-id`
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeReplaceRootVolumeTasks.html),
 * so the tag is checked here, one task at a time: JSONPath filters are not used, their single
 * match is not a list. The chain ends with `$.reimage.task.taskId` set, reused or created by `create`.
 */
function findEarlierReplacement(steps: PlaybookSteps, create: sfn.Chain): sfn.Chain {
  const { scope } = steps;
  const scan = '$.reimage.scan';
  const earlier = steps.call('Find earlier replacement', {
    service: 'ec2',
    action: 'describeReplaceRootVolumeTasks',
    parameters: { Filters: [{ Name: 'instance-id', 'Values.$': `States.Array(${INSTANCE_ID})` }] },
    iamResources: ['*'],
    resultSelector: { 'tasks.$': '$.ReplaceRootVolumeTasks' },
    resultPath: '$.reimage.earlier',
  });
  const start = new sfn.Pass(scope, 'Scan earlier replacements', {
    parameters: { index: 0, 'count.$': 'States.ArrayLength($.reimage.earlier.tasks)' },
    resultPath: scan,
  });
  const pick = new sfn.Pass(scope, 'Pick earlier replacement', {
    parameters: {
      'index.$': `${scan}.index`,
      'count.$': `${scan}.count`,
      'task.$': `States.ArrayGetItem($.reimage.earlier.tasks, ${scan}.index)`,
    },
    resultPath: scan,
  });
  const nextTask = new sfn.Pass(scope, 'Next earlier replacement', {
    parameters: { 'index.$': `States.MathAdd(${scan}.index, 1)`, 'count.$': `${scan}.count` },
    resultPath: scan,
  });
  const left = new sfn.Choice(scope, 'Earlier replacement left?')
    .when(sfn.Condition.numberLessThanJsonPath(`${scan}.index`, `${scan}.count`), pick)
    .otherwise(create);
  nextTask.next(left);
  // One 'yes' per tag that names this finding, 'no' for every other tag.
  const tagMatches = new sfn.Map(scope, 'Match earlier replacement tags', {
    itemsPath: `${scan}.task.Tags`,
    itemSelector: { 'tag.$': '$$.Map.Item.Value', 'findingId.$': '$.finding.id' },
    resultPath: `${scan}.tagMatches`,
  }).itemProcessor(
    new sfn.Choice(scope, 'Tag names this finding?')
      .when(
        sfn.Condition.and(
          sfn.Condition.isPresent('$.tag.Key'),
          sfn.Condition.isPresent('$.tag.Value'),
          sfn.Condition.stringEquals('$.tag.Key', FINDING_TAG),
          sfn.Condition.stringEqualsJsonPath('$.tag.Value', '$.findingId'),
        ),
        new sfn.Pass(scope, 'Tag names this finding', { result: sfn.Result.fromString('yes') }),
      )
      .otherwise(new sfn.Pass(scope, 'Tag names another finding', { result: sfn.Result.fromString('no') })),
  );
  const forFinding = new sfn.Pass(scope, 'Earlier replacement for this finding?', {
    parameters: { 'forFinding.$': `States.ArrayContains(${scan}.tagMatches, 'yes')` },
    resultPath: `${scan}.match`,
  });
  const reuse = new sfn.Pass(scope, 'Reuse earlier replacement', {
    parameters: { 'taskId.$': `${scan}.task.ReplaceRootVolumeTaskId` },
    resultPath: '$.reimage.task',
  });
  const reused = steps.audit('Audit replacement reused', 'CreateReplaceRootVolumeTask', 'skipped', {
    detailsPath: `${scan}.task`,
  });
  const usable = new sfn.Choice(scope, 'Earlier replacement usable?')
    .when(
      sfn.Condition.or(...TASK_FAILED.map((s) => sfn.Condition.stringEquals(`${scan}.task.TaskState`, s))),
      nextTask,
    )
    .otherwise(reuse.next(reused));
  const mine = new sfn.Choice(scope, 'Replaced before for this finding?')
    .when(
      sfn.Condition.and(
        sfn.Condition.booleanEquals(`${scan}.match.forFinding`, true),
        sfn.Condition.isPresent(`${scan}.task.ReplaceRootVolumeTaskId`),
        sfn.Condition.isPresent(`${scan}.task.TaskState`),
      ),
      usable,
    )
    .otherwise(nextTask);
  pick.next(
    new sfn.Choice(scope, 'Earlier replacement tagged?')
      .when(sfn.Condition.isPresent(`${scan}.task.Tags[0]`), tagMatches.next(forFinding).next(mine))
      .otherwise(nextTask),
  );
  const known = new sfn.Pass(scope, 'Replacement task known');
  create.next(known);
  reused.next(known);
  earlier.next(start).next(left);
  return sfn.Chain.custom(earlier, [known], known);
}
