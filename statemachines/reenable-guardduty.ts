import { aws_stepfunctions as sfn, Validations } from 'aws-cdk-lib';
import { facts } from '#shared/playbooks/reenable-guardduty.ts';
import { playbookSteps } from './fragments/playbook-steps.ts';
import { resourceWildcardFinding } from './fragments/wildcard-acknowledgement.ts';
import type { PlaybookContext, PlaybookDefinition } from './playbook.ts';

const NAME = facts.name;
/** The detector acted on: the finding's, or the Region's for an account (`Use … detector`). */
const DETECTOR = '$.detector.id';

/**
 * Turn a GuardDuty detector back on after UpdateDetector disabled it: GetDetector, UpdateDetector
 * with Enable=true and nothing else (only the members passed change), GetDetector again to verify
 * `Status` is ENABLED. https://docs.aws.amazon.com/guardduty/latest/APIReference/API_UpdateDetector.html
 *
 * Security Hub GuardDuty.1 ("GuardDuty should be enabled") names the account: its detector in the
 * Region comes from ListDetectors ("you can have only one detector per account per Region"), and
 * where there is none, CreateDetector with Enable=true makes one.
 * https://docs.aws.amazon.com/securityhub/latest/userguide/guardduty-controls.html#guardduty-1
 * https://docs.aws.amazon.com/guardduty/latest/APIReference/API_CreateDetector.html
 * CreateDetector in an account where GuardDuty never ran also creates GuardDuty's service-linked
 * role, which needs iam:CreateServiceLinkedRole; this playbook is not granted it (it creates no
 * roles), so there the call is refused and the run stops with a person, naming the call.
 * https://docs.aws.amazon.com/guardduty/latest/ug/slr-permissions.html
 */
export const reenableGuardDuty: PlaybookDefinition = {
  ...facts,
  runbook: {
    steps: [
      {
        title: 'Check the detector',
        does: "Reads whether the GuardDuty detector is enabled; for an account (Security Hub GuardDuty.1), finds the Region's detector first.",
        states: [
          'Detector?',
          'Use detector of finding',
          'List detectors',
          'Region has detector?',
          'Use detector of Region',
          'No detector',
          'Read detector',
          'Unsupported resource',
        ],
        ifItStops:
          'Nothing was changed. Check that the detector still exists in the GuardDuty console (Settings).',
      },
      {
        title: 'Enable the detector',
        does: 'Enables the detector that was disabled; nothing else about it changes.',
        states: ['Enable detector'],
        ifItStops:
          'GuardDuty may still be off: in the GuardDuty console open Settings and choose Enable GuardDuty. Find out who disabled it.',
      },
      {
        title: 'Create a detector',
        does: 'Where the Region has no detector, creates one, enabled, with GuardDuty defaults.',
        states: ['Create detector'],
        ifItStops:
          'GuardDuty is still off in this Region. If GuardDuty never ran in the account, its service-linked role does not exist yet and this playbook may not create it: open the GuardDuty console in this Region and choose Get started, then Enable GuardDuty.',
      },
      {
        title: 'Check it is enabled',
        does: 'Reads the detector again and confirms it is enabled.',
        states: ['Read detector again'],
        ifItStops:
          'The detector was enabled but could not be confirmed. Look at Settings in the GuardDuty console.',
      },
    ],
    checkAfterwards: [
      'The GuardDuty console shows GuardDuty enabled.',
      'Whoever disabled the detector is known and the reason is recorded.',
    ],
    undo: '`remediate undo` does not disable the detector again: enabled is the safe state. If it must be off, disable it in the GuardDuty console and record why in the incident.',
  },
  build(ctx: PlaybookContext): sfn.IChainable {
    const { scope } = ctx;
    const steps = playbookSteps(ctx, NAME);
    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonguardduty.html
    const detectors = [steps.arns.guardDutyDetectors];
    const read = (id: string, resultPath: string) =>
      steps.call(id, {
        service: 'guardduty',
        action: 'getDetector',
        parameters: { 'DetectorId.$': DETECTOR },
        iamResources: detectors,
        resultSelector: {
          'Status.$': '$.Status',
          'FindingPublishingFrequency.$': '$.FindingPublishingFrequency',
        },
        resultPath,
      });
    const plan = new sfn.Choice(scope, 'Detector to enable?')
      .when(
        sfn.Condition.isPresent(DETECTOR),
        new sfn.Pass(scope, 'Build plan', {
          parameters: {
            actions: [{ action: 'UpdateDetector', 'detectorId.$': DETECTOR, enable: true }],
            'before.$': '$.state.before',
          },
          resultPath: '$.plan',
        }),
      )
      .otherwise(
        new sfn.Pass(scope, 'Build create plan', {
          parameters: { actions: [{ action: 'CreateDetector', enable: true }], 'before.$': '$.state.before' },
          resultPath: '$.plan',
        }),
      )
      .afterwards();
    const readAgain = read('Read detector again', '$.state.after').next(
      steps.verify(
        sfn.Condition.stringEquals('$.state.after.Status', 'ENABLED'),
        { afterPath: '$.state.after' },
        'GuardDuty detector enabled',
      ),
    );
    const enable = steps
      .call('Enable detector', {
        service: 'guardduty',
        action: 'updateDetector',
        parameters: { 'DetectorId.$': DETECTOR, Enable: true },
        iamResources: detectors,
      })
      .next(
        steps.audit('Audit detector enabled', 'UpdateDetector', 'succeeded', {
          beforePath: '$.state.before',
          detailsPath: '$.detector',
        }),
      )
      .next(readAgain);
    // GuardDuty's own defaults for everything but Enable: what the console's "Enable GuardDuty" does.
    const create = steps
      .call('Create detector', {
        service: 'guardduty',
        action: 'createDetector',
        parameters: { Enable: true },
        // CreateDetector supports no resource-level permissions (service authorization reference).
        iamResources: ['*'],
        resultSelector: { 'id.$': '$.DetectorId' },
        resultPath: '$.detector',
      })
      .next(
        steps.audit('Audit detector created', 'CreateDetector', 'succeeded', {
          beforePath: '$.state.before',
          afterPath: '$.detector',
        }),
      )
      .next(readAgain);
    const alreadyEnabled = steps.nothingToDo(
      'Audit already enabled',
      'UpdateDetector',
      { beforePath: '$.state.before' },
      'Already enabled',
    );
    const auto = new sfn.Choice(scope, 'Enabled?')
      .when(sfn.Condition.stringEquals('$.state.before.Status', 'ENABLED'), alreadyEnabled)
      .when(sfn.Condition.isPresent(DETECTOR), enable)
      .otherwise(create);

    Validations.of(scope).acknowledge(
      {
        id: resourceWildcardFinding(scope, 'guardduty:{region}:{account}:detector/*'),
        reason:
          'The detector is named by the finding (or found in the Region) at run time; the role may only read a detector and enable it, never disable or delete one.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'guardduty:ListDetectors and guardduty:CreateDetector support no resource-level permissions; the role may only list detectors and create one enabled.',
      },
    );
    const unsupported = steps.stop('Unsupported resource', {
      Error: 'UnsupportedResource',
      'Cause.$': `States.Format('${NAME} acts on GuardDuty detectors only, not {}', $.finding.resource.type)`,
    });
    const decide = steps.byMode({
      plan,
      proposedActions: [
        'Enable the GuardDuty detector (nothing else about it changes), or create one, enabled, where the Region has none',
        'Read the detector again and record whether it is enabled',
      ],
      ifDenied: 'The playbook ends: GuardDuty stays off.',
      contain: auto,
    });
    const readBefore = read('Read detector', '$.state.before').next(decide);
    // Who disabled it goes into the audit record with the detector: only a CloudTrail call names one.
    const useFindingDetector = new sfn.Pass(scope, 'Use detector of finding', {
      parameters: { 'id.$': '$.finding.resource.id', 'disabledBy.$': '$.finding.actor' },
      resultPath: '$.detector',
    }).next(readBefore);
    const regionDetector = steps
      .call('List detectors', {
        service: 'guardduty',
        action: 'listDetectors',
        parameters: {},
        iamResources: ['*'],
        resultSelector: { 'ids.$': '$.DetectorIds' },
        resultPath: '$.detectors',
      })
      .next(
        new sfn.Choice(scope, 'Region has detector?')
          .when(
            sfn.Condition.isPresent('$.detectors.ids[0]'),
            new sfn.Pass(scope, 'Use detector of Region', {
              parameters: { 'id.$': '$.detectors.ids[0]' },
              resultPath: '$.detector',
            }).next(readBefore),
          )
          .otherwise(
            new sfn.Pass(scope, 'No detector', {
              parameters: { Status: 'NONE' },
              resultPath: '$.state.before',
            }).next(decide),
          ),
      );
    return new sfn.Choice(scope, 'Detector?')
      .when(
        sfn.Condition.and(
          sfn.Condition.isPresent('$.finding.resource.type'),
          sfn.Condition.stringEquals('$.finding.resource.type', 'GuardDutyDetector'),
        ),
        useFindingDetector,
      )
      .when(sfn.Condition.stringEquals('$.finding.resource.kind', 'Account'), regionDetector)
      .otherwise(unsupported);
  },
};
