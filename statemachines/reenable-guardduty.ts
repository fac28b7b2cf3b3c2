import { aws_stepfunctions as sfn, Validations } from 'aws-cdk-lib';
import { facts } from '#shared/playbooks/reenable-guardduty.ts';
import { playbookSteps } from './fragments/playbook-steps.ts';
import { resourceWildcardFinding } from './fragments/wildcard-acknowledgement.ts';
import type { PlaybookContext, PlaybookDefinition } from './playbook.ts';

const NAME = facts.name;
const DETECTOR = '$.finding.resource.id';

/**
 * Turn a GuardDuty detector back on after UpdateDetector disabled it: GetDetector, UpdateDetector
 * with Enable=true and nothing else (only the members passed change), GetDetector again to verify
 * `Status` is ENABLED. https://docs.aws.amazon.com/guardduty/latest/APIReference/API_UpdateDetector.html
 */
export const reenableGuardDuty: PlaybookDefinition = {
  ...facts,
  runbook: {
    steps: [
      {
        title: 'Check the detector',
        does: 'Reads whether the GuardDuty detector is enabled.',
        states: ['Detector?', 'Read detector', 'Unsupported resource'],
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
    const plan = new sfn.Pass(scope, 'Build plan', {
      parameters: {
        actions: [{ action: 'UpdateDetector', 'detectorId.$': DETECTOR, enable: true }],
        'before.$': '$.state.before',
      },
      resultPath: '$.plan',
    });
    const contain = steps
      .call('Enable detector', {
        service: 'guardduty',
        action: 'updateDetector',
        parameters: { 'DetectorId.$': DETECTOR, Enable: true },
        iamResources: detectors,
      })
      .next(
        steps.audit('Audit detector enabled', 'UpdateDetector', 'succeeded', {
          beforePath: '$.state.before',
          detailsPath: '$.finding.actor',
        }),
      )
      .next(read('Read detector again', '$.state.after'))
      .next(
        steps.verify(
          sfn.Condition.stringEquals('$.state.after.Status', 'ENABLED'),
          { afterPath: '$.state.after' },
          'GuardDuty detector enabled again',
        ),
      );
    const alreadyEnabled = steps.nothingToDo(
      'Audit already enabled',
      'UpdateDetector',
      { beforePath: '$.state.before' },
      'Already enabled',
    );
    const auto = new sfn.Choice(scope, 'Enabled?')
      .when(sfn.Condition.stringEquals('$.state.before.Status', 'ENABLED'), alreadyEnabled)
      .otherwise(contain);

    Validations.of(scope).acknowledge({
      id: resourceWildcardFinding(scope, 'guardduty:{region}:{account}:detector/*'),
      reason:
        'The detector is named by the finding at run time; the role may only read a detector and enable it, never disable or delete one.',
    });
    const unsupported = new sfn.Pass(scope, 'Unsupported resource', {
      parameters: {
        Error: 'UnsupportedResource',
        'Cause.$': `States.Format('${NAME} acts on GuardDuty detectors only, not {}', $.finding.resource.type)`,
      },
      resultPath: '$.error',
    }).next(steps.human);
    return new sfn.Choice(scope, 'Detector?')
      .when(
        sfn.Condition.and(
          sfn.Condition.isPresent('$.finding.resource.type'),
          sfn.Condition.stringEquals('$.finding.resource.type', 'GuardDutyDetector'),
        ),
        read('Read detector', '$.state.before').next(
          steps.byMode({
            plan,
            proposedActions: [
              'Enable the GuardDuty detector the finding names (nothing else about it changes)',
              'Read the detector again and record whether it is enabled',
            ],
            ifDenied: 'The playbook ends: GuardDuty stays disabled.',
            contain: auto,
          }),
        ),
      )
      .otherwise(unsupported);
  },
};
