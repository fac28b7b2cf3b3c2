import path from 'node:path';
import { ArnFormat, Stack, aws_stepfunctions as sfn, Validations } from 'aws-cdk-lib';
import { facts } from '#shared/playbooks/revoke-outside-sharing.ts';
import type { SharedResourceType } from '#shared/sharing/share-revocation.ts';
import { plannerFunction } from './fragments/planner.ts';
import { playbookSteps } from './fragments/playbook-steps.ts';
import { resourceWildcardFinding } from './fragments/wildcard-acknowledgement.ts';
import type { PlaybookContext, PlaybookDefinition } from './playbook.ts';
import {
  listPublicSnapshots,
  makePublicSnapshotsPrivate,
  PUBLIC_SNAPSHOTS_PER_RUN,
} from './revoke-outside-sharing/public-snapshots.ts';

const NAME = facts.name;
const PLANNER_ENTRY = path.resolve(import.meta.dirname, '../functions/plan-share-revocation/handler.ts');
const TYPE = '$.finding.resource.type';

/** How one resource type's sharing is read and removed. */
interface SharingCalls {
  readonly label: string;
  readonly service: 'ec2' | 'rds';
  readonly read: string;
  readonly readParameters: Record<string, unknown>;
  readonly modify: string;
  readonly modifyParameters: Record<string, unknown>;
  /** The resource part of its ARN and whether the ARN has an account (snapshot and image ARNs do not). */
  readonly arn: { service: 'ec2' | 'rds'; resource: string; separator: '/' | ':'; account: boolean };
}

const ID = '$.finding.resource.id';
// Step Functions spells RDS's `DB...` members `Db...` (the AWS SDK for Java 2.x names), in and out:
// https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
/**
 * The calls of each resource type: the attribute that holds who may use the resource besides its
 * owner, how to read it and how to remove from it. Resource ARNs are the IAM reference's
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html,
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrds.html).
 */
const CALLS: Record<SharedResourceType, SharingCalls> = {
  AwsEc2Snapshot: {
    label: 'snapshot',
    service: 'ec2',
    read: 'describeSnapshotAttribute',
    readParameters: { 'SnapshotId.$': ID, Attribute: 'createVolumePermission' },
    modify: 'modifySnapshotAttribute',
    modifyParameters: {
      'SnapshotId.$': ID,
      Attribute: 'createVolumePermission',
      CreateVolumePermission: { 'Remove.$': '$.plan.remove' },
    },
    arn: { service: 'ec2', resource: 'snapshot', separator: '/', account: false },
  },
  AwsEc2Image: {
    label: 'image',
    service: 'ec2',
    read: 'describeImageAttribute',
    readParameters: { 'ImageId.$': ID, Attribute: 'launchPermission' },
    modify: 'modifyImageAttribute',
    modifyParameters: {
      'ImageId.$': ID,
      Attribute: 'launchPermission',
      LaunchPermission: { 'Remove.$': '$.plan.remove' },
    },
    arn: { service: 'ec2', resource: 'image', separator: '/', account: false },
  },
  AwsRdsDbSnapshot: {
    label: 'DB snapshot',
    service: 'rds',
    read: 'describeDBSnapshotAttributes',
    readParameters: { 'DbSnapshotIdentifier.$': ID },
    modify: 'modifyDBSnapshotAttribute',
    modifyParameters: {
      'DbSnapshotIdentifier.$': ID,
      AttributeName: 'restore',
      'ValuesToRemove.$': '$.plan.removeValues',
    },
    arn: { service: 'rds', resource: 'snapshot', separator: ':', account: true },
  },
  AwsRdsDbClusterSnapshot: {
    label: 'DB cluster snapshot',
    service: 'rds',
    read: 'describeDBClusterSnapshotAttributes',
    readParameters: { 'DbClusterSnapshotIdentifier.$': ID },
    modify: 'modifyDBClusterSnapshotAttribute',
    modifyParameters: {
      'DbClusterSnapshotIdentifier.$': ID,
      AttributeName: 'restore',
      'ValuesToRemove.$': '$.plan.removeValues',
    },
    arn: { service: 'rds', resource: 'cluster-snapshot', separator: ':', account: true },
  },
};
const TYPES = Object.keys(CALLS) as SharedResourceType[];

/**
 * Take back data shared out: of the permissions a ModifySnapshotAttribute, ModifyImageAttribute,
 * ModifyDBSnapshotAttribute or ModifyDBClusterSnapshotAttribute call added, remove those that reach anyone (`all`) or an account or organization the policy does
 * not trust, exactly those (every other permission stays), then read the permissions again to
 * verify. Undo gives the removed permissions back.
 */
export const revokeOutsideSharing: PlaybookDefinition = {
  ...facts,
  runbook: {
    steps: [
      {
        title: "List the account's public snapshots",
        does: `For a finding about the account (Security Hub EC2.1): lists the account's EBS snapshots anyone may create volumes from, at most ${PUBLIC_SNAPSHOTS_PER_RUN} per run.`,
        states: ['List public snapshots', 'Plan * public snapshots'],
        ifItStops:
          'Nothing was changed. In the EC2 console (Snapshots, filter "Owned by me", Permissions: Public) make each public snapshot private.',
      },
      {
        title: 'Make each public snapshot private',
        does: 'For each listed snapshot: reads who may use it, removes public sharing only (shares with accounts stay), and reads it again.',
        states: [
          'Make each snapshot private',
          'Read public snapshot',
          'Plan snapshot removal',
          'Make snapshot private',
          'Audit snapshot made private',
          'Read public snapshot again',
          'Check snapshot private',
          'Snapshot still public',
          'Notify more public snapshots',
        ],
        ifItStops:
          'Some snapshots may still be public: the audit trail lists those made private. In the EC2 console, open each remaining public snapshot (Actions > Modify permissions) and make it private.',
      },
      {
        title: 'Record who may use the snapshot or image',
        does: 'Reads who may use the EBS snapshot, AMI or RDS snapshot besides its owner, and picks the permissions the call added that reach outside: anyone, or an account the policy does not trust.',
        states: ['Which resource?', 'Read * permissions', 'Plan removal', 'Unsupported resource'],
        ifItStops:
          'Nothing was changed. Check that the snapshot or image still exists (EC2 console > Snapshots or AMIs; RDS console > Snapshots).',
      },
      {
        title: 'Remove the outside permissions',
        does: 'Removes exactly those permissions. Permissions given to the owner, to trusted accounts, or before the call stay.',
        states: ['Remove * permissions', 'Remove by type'],
        ifItStops:
          'The data may still be shared. In the EC2 console, open the snapshot (Actions > Modify permissions) or the AMI (Actions > Edit AMI permissions); in the RDS console, the snapshot (Actions > Share snapshot). Make it private or remove the account.',
      },
      {
        title: 'Check the permissions are gone',
        does: 'Reads the permissions again and confirms the removed ones are no longer there.',
        states: ['Read * permissions again', 'Read again by type', 'Check removal'],
        ifItStops:
          'The permissions were removed but could not be confirmed. Look at the permissions in the EC2 or RDS console.',
      },
    ],
    checkAfterwards: [
      'The snapshot, AMI or RDS snapshot is private, or shared only with the accounts that should have it.',
      `For an EC2.1 finding: no snapshot of the account is public in the EC2 console; if the notification says more remain, the next run (the control's next check) continues, ${PUBLIC_SNAPSHOTS_PER_RUN} at a time.`,
      "Whoever legitimately used the shared copy (another team, a partner) still has what they need; if not, list their account in the rule's `params.trustedAccounts`.",
    ],
    undo: 'Run `remediate undo <execution id>` (the id is in the timeline: `remediate audit --finding <id>`). It gives the removed permissions back (each snapshot of an EC2.1 run), which shares the data again.',
  },
  build(ctx: PlaybookContext): sfn.IChainable {
    const { scope } = ctx;
    const steps = playbookSteps(ctx, NAME);
    const stack = Stack.of(scope);
    const arnOf = (type: SharedResourceType) => {
      const { service, resource, separator, account } = CALLS[type].arn;
      return stack.formatArn({
        service,
        resource,
        resourceName: '*',
        arnFormat: separator === ':' ? ArnFormat.COLON_RESOURCE_NAME : ArnFormat.SLASH_RESOURCE_NAME,
        ...(account ? {} : { account: '' }),
      });
    };

    const planner = plannerFunction(ctx, {
      id: 'PlanShareRevocation',
      entry: PLANNER_ENTRY,
      description: 'Chooses the public or outside-account permissions that revoke-outside-sharing removes',
      human: steps.human,
    });
    const plan = (id: string, describedPath: string, resultPath: string) =>
      planner.invoke(
        id,
        {
          accountId: sfn.JsonPath.stringAt('$.finding.accountId'),
          resource: sfn.JsonPath.objectAt('$.finding.resource'),
          change: sfn.JsonPath.objectAt('$.finding.change'),
          decision: sfn.JsonPath.objectAt('$.decision'),
          described: sfn.JsonPath.objectAt(describedPath),
        },
        resultPath,
      );
    const read = (type: SharedResourceType, again: boolean, resultPath: string) =>
      steps.call(`Read ${CALLS[type].label} permissions${again ? ' again' : ''}`, {
        service: CALLS[type].service,
        action: CALLS[type].read,
        parameters: CALLS[type].readParameters,
        iamResources: [arnOf(type)],
        resultPath,
      });
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
    const verified = steps.verify(
      sfn.Condition.numberEquals('$.verification.count', 0),
      { afterPath: '$.state.after', detailsPath: '$.verification' },
      'outside sharing removed',
    );
    checkAfter.next(verified);
    const remove = byType('Remove by type', (type) =>
      steps
        .call(`Remove ${CALLS[type].label} permissions`, {
          service: CALLS[type].service,
          action: CALLS[type].modify,
          parameters: CALLS[type].modifyParameters,
          iamResources: [arnOf(type)],
          resultPath: sfn.JsonPath.DISCARD,
        })
        .next(audited),
    );
    const nothingToRemove = steps
      .audit('Audit nothing to remove', 'RemoveSharing', 'skipped', {
        beforePath: '$.plan.permissions',
        detailsPath: '$.plan',
      })
      .next(new sfn.Succeed(scope, 'Nothing to remove'));
    // A finding naming the account (EC2.1): every listed public snapshot is made private in turn.
    const isAccount = sfn.Condition.stringEquals('$.finding.resource.kind', 'Account');
    const snapshotArn = arnOf('AwsEc2Snapshot');
    const makePrivate = makePublicSnapshotsPrivate(ctx, steps, {
      planner: planner.fn,
      snapshotArn,
      verified,
      playbook: NAME,
    });
    const auto = new sfn.Choice(scope, 'Anything to remove?')
      .when(sfn.Condition.and(sfn.Condition.numberGreaterThan('$.plan.count', 0), isAccount), makePrivate)
      .when(sfn.Condition.numberGreaterThan('$.plan.count', 0), remove)
      .otherwise(nothingToRemove);
    const mode = steps.byMode({
      proposedActions: [
        'Remove the permissions the call added that let anyone, or an account the policy does not trust, use the snapshot or image (and no other permission)',
        `For a finding about the account (EC2.1): make each snapshot listed in the plan private, at most ${PUBLIC_SNAPSHOTS_PER_RUN} per run, removing only public sharing (shares with accounts stay)`,
        'Read the permissions again and record whether those are gone',
      ],
      ifDenied: 'The playbook ends: the snapshot or image stays shared.',
      contain: auto,
    });
    planBefore.next(mode);

    Validations.of(scope).acknowledge(
      ...TYPES.map((type) => ({
        id: resourceWildcardFinding(
          scope,
          `${CALLS[type].arn.service}:{region}:${CALLS[type].arn.account ? '{account}' : ''}:${CALLS[type].arn.resource}${CALLS[type].arn.separator}*`,
        ),
        reason: `The ${CALLS[type].label} is named by the finding at run time; the role may only read and change its sharing attribute, and each call removes the exact permissions of the plan.`,
      })),
    );
    const unsupported = steps.stop('Unsupported resource', {
      Error: 'UnsupportedResource',
      'Cause.$': `States.Format('${NAME} acts on EBS snapshots, AMIs and RDS snapshots only, not {}', ${TYPE})`,
    });
    const readBefore = byType('Which resource?', (type) =>
      read(type, false, '$.state.before').next(planBefore),
    );
    readBefore.otherwise(unsupported);
    const resourceNamed = new sfn.Choice(scope, 'Change recorded?')
      .when(sfn.Condition.isPresent('$.finding.change'), readBefore)
      .otherwise(withChange.next(readBefore));
    return new sfn.Choice(scope, 'Account finding?')
      .when(isAccount, listPublicSnapshots(ctx, steps, { planner: planner.fn, snapshotArn, mode }))
      .otherwise(resourceNamed);
  },
};
