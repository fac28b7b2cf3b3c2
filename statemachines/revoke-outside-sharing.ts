import path from 'node:path';
import {
  type CfnElement,
  Stack,
  aws_stepfunctions as sfn,
  aws_stepfunctions_tasks as tasks,
  Validations,
} from 'aws-cdk-lib';
import { facts } from '#shared/playbooks/revoke-outside-sharing.ts';
import type { SharedResourceType } from '#shared/sharing/share-revocation.ts';
import { catchToHuman } from './fragments/needs-human.ts';
import { playbookSteps } from './fragments/playbook-steps.ts';
import { resourceWildcardFinding } from './fragments/wildcard-acknowledgement.ts';
import type { PlaybookContext, PlaybookDefinition } from './playbook.ts';

const NAME = facts.name;
const PLANNER_ENTRY = path.resolve(import.meta.dirname, '../functions/plan-share-revocation/handler.ts');
const TYPE = '$.finding.resource.type';

/**
 * The calls of each resource type: the attribute that holds who may use the resource besides its
 * owner, how to read it and how to remove from it. Snapshot and image ARNs carry no account
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html).
 */
const CALLS: Record<
  SharedResourceType,
  {
    label: string;
    idField: string;
    attribute: string;
    structure: string;
    read: string;
    modify: string;
    arn: string;
  }
> = {
  AwsEc2Snapshot: {
    label: 'snapshot',
    idField: 'SnapshotId',
    attribute: 'createVolumePermission',
    structure: 'CreateVolumePermission',
    read: 'describeSnapshotAttribute',
    modify: 'modifySnapshotAttribute',
    arn: 'snapshot',
  },
  AwsEc2Image: {
    label: 'image',
    idField: 'ImageId',
    attribute: 'launchPermission',
    structure: 'LaunchPermission',
    read: 'describeImageAttribute',
    modify: 'modifyImageAttribute',
    arn: 'image',
  },
};
const TYPES = Object.keys(CALLS) as SharedResourceType[];

/**
 * Take back data shared out: of the permissions a ModifySnapshotAttribute or ModifyImageAttribute
 * call added, remove those that reach anyone (`all`) or an account or organization the policy does
 * not trust, exactly those (every other permission stays), then read the permissions again to
 * verify. Undo gives the removed permissions back.
 */
export const revokeOutsideSharing: PlaybookDefinition = {
  ...facts,
  runbook: {
    steps: [
      {
        title: 'Record who may use the snapshot or image',
        does: 'Reads who may create volumes from the snapshot (or launch the image) besides its owner, and picks the permissions the call added that reach outside: anyone, or an account the policy does not trust.',
        states: ['Which resource?', 'Read * permissions', 'Plan removal', 'Unsupported resource'],
        ifItStops:
          'Nothing was changed. Check that the snapshot or image still exists (EC2 console > Snapshots or AMIs).',
      },
      {
        title: 'Remove the outside permissions',
        does: 'Removes exactly those permissions. Permissions given to the owner, to trusted accounts, or before the call stay.',
        states: ['Remove * permissions', 'Remove by type'],
        ifItStops:
          'The data may still be shared. In the EC2 console, open the snapshot (Actions > Modify permissions) or the AMI (Actions > Edit AMI permissions) and make it private or remove the account.',
      },
      {
        title: 'Check the permissions are gone',
        does: 'Reads the permissions again and confirms the removed ones are no longer there.',
        states: ['Read * permissions again', 'Read again by type', 'Check removal'],
        ifItStops:
          'The permissions were removed but could not be confirmed. Look at the snapshot or AMI permissions in the EC2 console.',
      },
    ],
    checkAfterwards: [
      'The snapshot or AMI is private, or shared only with the accounts that should have it.',
      "Whoever legitimately used the shared copy (another team, a partner) still has what they need; if not, list their account in the rule's `params.trustedAccounts`.",
    ],
    undo: 'Run `remediate undo <execution id>` (the id is in the timeline: `remediate audit --finding <id>`). It gives the removed permissions back, which shares the data again.',
  },
  build(ctx: PlaybookContext): sfn.IChainable {
    const { scope } = ctx;
    const steps = playbookSteps(ctx, NAME);
    const stack = Stack.of(scope);
    const arnOf = (type: SharedResourceType) =>
      stack.formatArn({ service: 'ec2', account: '', resource: CALLS[type].arn, resourceName: '*' });

    const planner = ctx.createFunction('PlanShareRevocation', {
      entry: PLANNER_ENTRY,
      description: 'Chooses the public or outside-account permissions that revoke-outside-sharing removes',
    });
    const plan = (id: string, describedPath: string, resultPath: string) =>
      catchToHuman(
        new tasks.LambdaInvoke(scope, id, {
          lambdaFunction: planner,
          payloadResponseOnly: true,
          payload: sfn.TaskInput.fromObject({
            accountId: sfn.JsonPath.stringAt('$.finding.accountId'),
            resource: sfn.JsonPath.objectAt('$.finding.resource'),
            change: sfn.JsonPath.objectAt('$.finding.change'),
            decision: sfn.JsonPath.objectAt('$.decision'),
            described: sfn.JsonPath.objectAt(describedPath),
          }),
          resultPath,
        }),
        steps.human,
      );
    const read = (type: SharedResourceType, again: boolean, resultPath: string) =>
      steps.call(
        `Read ${CALLS[type].label} permissions${again ? ' again' : ''}`,
        {
          service: 'ec2',
          action: CALLS[type].read,
          parameters: {
            [`${CALLS[type].idField}.$`]: '$.finding.resource.id',
            Attribute: CALLS[type].attribute,
          },
          iamResources: [arnOf(type)],
          resultPath,
        },
        'Ec2',
      );
    const byType = (id: string, branch: (type: SharedResourceType) => sfn.IChainable) => {
      const choice = new sfn.Choice(scope, id);
      for (const type of TYPES) choice.when(sfn.Condition.stringEquals(TYPE, type), branch(type));
      return choice;
    };

    // The finding may come with no `change` (a future Security Hub route): the planner then judges every permission.
    const withChange = new sfn.Pass(scope, 'No recorded change', {
      result: sfn.Result.fromObject({}),
      resultPath: '$.finding.change',
    });
    const planBefore = plan('Plan removal', '$.state.before', '$.plan');

    const checkAfter = plan('Check removal', '$.state.after', '$.verification');
    const audited = steps
      .audit('Audit sharing removed', 'RemoveSharing', 'succeeded', {
        beforePath: '$.plan.permissions',
        afterPath: '$.plan.remove',
        detailsPath: '$.plan',
      })
      .next(byType('Read again by type', (type) => read(type, true, '$.state.after').next(checkAfter)));
    checkAfter.next(
      steps.verify(
        sfn.Condition.numberEquals('$.verification.count', 0),
        { afterPath: '$.state.after', detailsPath: '$.verification' },
        'outside sharing removed',
      ),
    );
    const remove = byType('Remove by type', (type) =>
      steps
        .call(
          `Remove ${CALLS[type].label} permissions`,
          {
            service: 'ec2',
            action: CALLS[type].modify,
            parameters: {
              [`${CALLS[type].idField}.$`]: '$.finding.resource.id',
              Attribute: CALLS[type].attribute,
              [CALLS[type].structure]: { 'Remove.$': '$.plan.remove' },
            },
            iamResources: [arnOf(type)],
            resultPath: sfn.JsonPath.DISCARD,
          },
          'Ec2',
        )
        .next(audited),
    );
    const nothingToRemove = steps
      .audit('Audit nothing to remove', 'RemoveSharing', 'skipped', {
        beforePath: '$.plan.permissions',
        detailsPath: '$.plan',
      })
      .next(new sfn.Succeed(scope, 'Nothing to remove'));
    const auto = new sfn.Choice(scope, 'Anything to remove?')
      .when(sfn.Condition.numberGreaterThan('$.plan.count', 0), remove)
      .otherwise(nothingToRemove);
    planBefore.next(
      steps.byMode({
        proposedActions: [
          'Remove the permissions the call added that let anyone, or an account the policy does not trust, use the snapshot or image (and no other permission)',
          'Read the permissions again and record whether those are gone',
        ],
        ifDenied: 'The playbook ends: the snapshot or image stays shared.',
        contain: auto,
      }),
    );

    const plannerResource = planner.node.defaultChild as CfnElement | undefined;
    const plannerId = plannerResource ? stack.getLogicalId(plannerResource) : 'none';
    Validations.of(scope).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::<${plannerId}.Arn>:*]`,
        reason:
          'The ":*" suffix CDK grants covers the versions and aliases of the planner function only; it is this playbook\'s own function.',
      },
      ...TYPES.map((type) => ({
        id: resourceWildcardFinding(scope, `ec2:{region}::${CALLS[type].arn}/*`),
        reason: `The ${CALLS[type].label} is named by the finding at run time; the role may only read and change its sharing attribute, and each call removes the exact permissions of the plan.`,
      })),
    );
    const unsupported = new sfn.Pass(scope, 'Unsupported resource', {
      parameters: {
        Error: 'UnsupportedResource',
        'Cause.$': `States.Format('${NAME} acts on EBS snapshots and AMIs only, not {}', ${TYPE})`,
      },
      resultPath: '$.error',
    }).next(steps.human);
    const readBefore = byType('Which resource?', (type) =>
      read(type, false, '$.state.before').next(planBefore),
    );
    readBefore.otherwise(unsupported);
    return new sfn.Choice(scope, 'Change recorded?')
      .when(sfn.Condition.isPresent('$.finding.change'), readBefore)
      .otherwise(withChange.next(readBefore));
  },
};
