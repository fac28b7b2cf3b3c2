import { aws_stepfunctions as sfn, Validations } from 'aws-cdk-lib';
import { facts } from '#shared/playbooks/restart-config-recorder.ts';
import { playbookSteps } from './fragments/playbook-steps.ts';
import { resourceWildcardFinding } from './fragments/wildcard-acknowledgement.ts';
import type { PlaybookContext, PlaybookDefinition } from './playbook.ts';

const NAME = facts.name;
const RECORDER = '$.finding.resource.id';

/**
 * Turn an AWS Config recorder back on after StopConfigurationRecorder: read its status,
 * StartConfigurationRecorder, read the status again to verify `Recording`. Starting changes only
 * whether it records: what it records, its role and its delivery channel stay. A recorder without
 * a delivery channel cannot start (NoAvailableDeliveryChannelException): a person takes over.
 * https://docs.aws.amazon.com/config/latest/APIReference/API_StartConfigurationRecorder.html
 */
export const restartConfigRecorder: PlaybookDefinition = {
  ...facts,
  runbook: {
    steps: [
      {
        title: 'Check the recorder',
        does: 'Reads whether the AWS Config recorder records.',
        states: ['Recorder?', 'Read recorder status', 'Unsupported resource'],
        ifItStops:
          'Nothing was changed. Check that the recorder still exists in the AWS Config console (Settings).',
      },
      {
        title: 'Start the recorder',
        does: 'Starts the recorder that was stopped.',
        states: ['Start recorder'],
        ifItStops:
          'The recorder may still be stopped: in the AWS Config console open Settings and turn recording on. If it says there is no delivery channel, the channel was deleted too: recreate it first. Find out who stopped it.',
      },
      {
        title: 'Check it records',
        does: 'Reads the recorder status again and confirms it records.',
        states: ['Read recorder status again'],
        ifItStops:
          'The recorder was started but could not be confirmed. Look at Settings in the AWS Config console.',
      },
    ],
    checkAfterwards: [
      'The AWS Config console shows recording on.',
      'Whoever stopped the recorder is known and the reason is recorded.',
    ],
    undo: '`remediate undo` does not stop the recorder again: recording is the safe state. If it must stop, stop it in the AWS Config console and record why in the incident.',
  },
  build(ctx: PlaybookContext): sfn.IChainable {
    const { scope } = ctx;
    const steps = playbookSteps(ctx, NAME);
    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsconfig.html
    const recorders = steps.arns.configRecorders;
    const readStatus = (id: string, resultPath: string) =>
      steps.call(id, {
        service: 'config',
        action: 'describeConfigurationRecorderStatus',
        parameters: { 'ConfigurationRecorderNames.$': `States.Array(${RECORDER})` },
        iamResources: [recorders],
        resultSelector: { 'status.$': '$.ConfigurationRecordersStatus[0]' },
        resultPath,
      });

    const plan = new sfn.Pass(scope, 'Build plan', {
      parameters: {
        actions: [{ action: 'StartConfigurationRecorder', 'recorder.$': RECORDER }],
        'before.$': '$.state.before',
      },
      resultPath: '$.plan',
    });
    const contain = steps
      .call('Start recorder', {
        service: 'config',
        action: 'startConfigurationRecorder',
        parameters: { 'ConfigurationRecorderName.$': RECORDER },
        iamResources: [recorders],
      })
      .next(
        steps.audit('Audit recorder started', 'StartConfigurationRecorder', 'succeeded', {
          beforePath: '$.state.before',
          detailsPath: '$.finding.actor',
        }),
      )
      .next(readStatus('Read recorder status again', '$.state.after'))
      .next(
        steps.verify(
          sfn.Condition.booleanEquals('$.state.after.status.Recording', true),
          { afterPath: '$.state.after' },
          'AWS Config recorder restarted',
        ),
      );
    const alreadyRecording = steps.nothingToDo(
      'Audit already recording',
      'StartConfigurationRecorder',
      { beforePath: '$.state.before' },
      'Already recording',
    );
    const auto = new sfn.Choice(scope, 'Recording?')
      .when(sfn.Condition.booleanEquals('$.state.before.status.Recording', true), alreadyRecording)
      .otherwise(contain);

    Validations.of(scope).acknowledge({
      id: resourceWildcardFinding(scope, 'config:{region}:{account}:configuration-recorder/*'),
      reason:
        'The recorder is named by the finding at run time; the role may only read a recorder status and start a recorder, never stop or delete one.',
    });
    const unsupported = steps.stop('Unsupported resource', {
      Error: 'UnsupportedResource',
      'Cause.$': `States.Format('${NAME} acts on AWS Config recorders only, not {}', $.finding.resource.type)`,
    });
    return new sfn.Choice(scope, 'Recorder?')
      .when(
        sfn.Condition.and(
          sfn.Condition.isPresent('$.finding.resource.type'),
          sfn.Condition.stringEquals('$.finding.resource.type', 'ConfigRecorder'),
        ),
        readStatus('Read recorder status', '$.state.before').next(
          steps.byMode({
            plan,
            proposedActions: [
              'Start the AWS Config recorder the finding names (what it records stays as it is)',
              'Read the recorder status again and record whether it records',
            ],
            ifDenied: 'The playbook ends: the recorder stays stopped.',
            contain: auto,
          }),
        ),
      )
      .otherwise(unsupported);
  },
};
