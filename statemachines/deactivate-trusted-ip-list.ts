import { aws_stepfunctions as sfn, Validations } from 'aws-cdk-lib';
import { facts } from '#shared/playbooks/deactivate-trusted-ip-list.ts';
import { playbookSteps } from './fragments/playbook-steps.ts';
import { resourceWildcardFinding } from './fragments/wildcard-acknowledgement.ts';
import type { PlaybookContext, PlaybookDefinition } from './playbook.ts';

const NAME = facts.name;
const DETECTOR = '$.finding.resource.id';
// CreateIPSet returns the new list's id only in its response; the finding carries it either way.
const IP_SET = '$.finding.change.ipSetId';
const LIST_FIELDS = {
  'Name.$': '$.Name',
  'Format.$': '$.Format',
  'Location.$': '$.Location',
  'Status.$': '$.Status',
};

/**
 * Stop GuardDuty trusting the addresses of a list a CreateIPSet or UpdateIPSet set up: GetIPSet,
 * UpdateIPSet with Activate=false and nothing else (only the members passed change), GetIPSet
 * again to verify the list is INACTIVE (or on its way: DEACTIVATING).
 * https://docs.aws.amazon.com/guardduty/latest/APIReference/API_UpdateIPSet.html
 * https://docs.aws.amazon.com/guardduty/latest/APIReference/API_GetIPSet.html
 */
export const deactivateTrustedIpList: PlaybookDefinition = {
  ...facts,
  runbook: {
    steps: [
      {
        title: 'Check the list',
        does: 'Reads the trusted IP list and whether GuardDuty uses it.',
        states: ['Trusted list?', 'Name the list', 'Read list', 'Unsupported resource'],
        ifItStops:
          'Nothing was changed. Check that the list still exists in the GuardDuty console (Settings, Lists).',
      },
      {
        title: 'Deactivate the list',
        does: 'Deactivates the list; its name, location and entries stay as they are.',
        states: ['Deactivate list'],
        ifItStops:
          'GuardDuty may still trust the addresses on the list: in the GuardDuty console open Settings, Lists, and deactivate it. Find out who added it.',
      },
      {
        title: 'Check it is inactive',
        does: 'Reads the list again and confirms GuardDuty no longer uses it.',
        states: ['Read list again'],
        ifItStops:
          'The list was deactivated but could not be confirmed. Look at Settings, Lists in the GuardDuty console.',
      },
    ],
    checkAfterwards: [
      'The GuardDuty console shows the list inactive.',
      'Whoever added or changed the list is known, and whether its addresses should be trusted is decided.',
    ],
    undo: '`remediate undo` activates the list again, only if this run deactivated it. GuardDuty lets only an identity that may also change its service-linked role (iam:PutRolePolicy) activate a list, and undo is not given that: if the undo stops, activate the list in the GuardDuty console (Settings, Lists).',
  },
  build(ctx: PlaybookContext): sfn.IChainable {
    const { scope } = ctx;
    const steps = playbookSteps(ctx, NAME);
    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonguardduty.html
    const ipSets = [steps.arns.guardDutyIpSets];
    const read = (id: string, resultPath: string) =>
      steps.call(id, {
        service: 'guardduty',
        action: 'getIPSet',
        parameters: { 'DetectorId.$': DETECTOR, 'IpSetId.$': IP_SET },
        iamResources: ipSets,
        resultSelector: LIST_FIELDS,
        resultPath,
      });
    // The list is named by detector and id: both go into the record the undo reads.
    const name = new sfn.Pass(scope, 'Name the list', {
      parameters: { 'DetectorId.$': DETECTOR, 'IpSetId.$': IP_SET },
      resultPath: '$.state.before',
    });
    const plan = new sfn.Pass(scope, 'Build plan', {
      parameters: {
        actions: [{ action: 'UpdateIPSet', 'detectorId.$': DETECTOR, 'ipSetId.$': IP_SET, activate: false }],
        'before.$': '$.state.before',
      },
      resultPath: '$.plan',
    });
    const contain = steps
      .call('Deactivate list', {
        service: 'guardduty',
        action: 'updateIPSet',
        parameters: { 'DetectorId.$': DETECTOR, 'IpSetId.$': IP_SET, Activate: false },
        iamResources: ipSets,
      })
      .next(
        steps.audit('Audit list deactivated', 'UpdateIPSet', 'succeeded', {
          beforePath: '$.state.before',
          detailsPath: '$.finding.actor',
        }),
      )
      .next(read('Read list again', '$.state.after'))
      .next(
        steps.verify(
          sfn.Condition.or(
            sfn.Condition.stringEquals('$.state.after.Status', 'INACTIVE'),
            sfn.Condition.stringEquals('$.state.after.Status', 'DEACTIVATING'),
          ),
          { afterPath: '$.state.after' },
          'GuardDuty trusted IP list deactivated',
        ),
      );
    const alreadyInactive = steps.nothingToDo(
      'Audit already inactive',
      'UpdateIPSet',
      { beforePath: '$.state.before' },
      'Already inactive',
    );
    const auto = new sfn.Choice(scope, 'Active?')
      .when(
        sfn.Condition.or(
          sfn.Condition.stringEquals('$.state.before.list.Status', 'ACTIVE'),
          sfn.Condition.stringEquals('$.state.before.list.Status', 'ACTIVATING'),
        ),
        contain,
      )
      .otherwise(alreadyInactive);

    Validations.of(scope).acknowledge({
      id: resourceWildcardFinding(scope, 'guardduty:{region}:{account}:detector/*/ipset/*'),
      reason:
        'The list is named by the finding at run time; the role may only read a list and update it (deactivate, or activate again on undo), never delete one.',
    });
    const unsupported = steps.stop('Unsupported resource', {
      Error: 'UnsupportedResource',
      'Cause.$': `States.Format('${NAME} acts on GuardDuty trusted IP lists named by their detector and ipSetId only, not {}', $.finding.resource.type)`,
    });
    return new sfn.Choice(scope, 'Trusted list?')
      .when(
        sfn.Condition.and(
          sfn.Condition.isPresent('$.finding.resource.type'),
          sfn.Condition.stringEquals('$.finding.resource.type', 'GuardDutyDetector'),
          sfn.Condition.isPresent(IP_SET),
        ),
        name.next(read('Read list', '$.state.before.list')).next(
          steps.byMode({
            plan,
            proposedActions: [
              'Deactivate the GuardDuty trusted IP list the finding names (its name, location and entries stay)',
              'Read the list again and record whether GuardDuty uses it',
            ],
            ifDenied: 'The playbook ends: GuardDuty keeps trusting the addresses on the list.',
            contain: auto,
          }),
        ),
      )
      .otherwise(unsupported);
  },
};
