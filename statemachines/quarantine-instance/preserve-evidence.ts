import { aws_stepfunctions as sfn } from 'aws-cdk-lib';
import { facts } from '#shared/playbooks/quarantine-instance.ts';
import { QUARANTINE_TAG } from '#shared/quarantine/instance-state.ts';
import { awsCall } from '../fragments/aws-call.ts';
import { INSTANCE_ID } from '../fragments/finding-paths.ts';
import { withTarget } from '../fragments/member-credentials.ts';
import { catchToHuman } from '../fragments/needs-human.ts';
import type { PlaybookSteps } from '../fragments/playbook-steps.ts';
import { CHANGES, FOUND } from './discover.ts';
import type { FlaggedPart } from './flag-choice.ts';
import { recordsBefore } from './records.ts';

/**
 * Right after the network and credentials are cut, make sure the evidence survives whatever
 * happens next (seconds later, well before an isolated instance fails the health checks that
 * would get it replaced): termination protection on, an OS-initiated shutdown stops rather than terminates, every volume outlives the
 * instance, then the quarantine tag. The tag is written last, so its presence means all four were
 * done: a later finding on the same instance skips this part (the read's `preserveEvidence` is
 * false) and keeps the first finding's tag, whose audit trail holds the state before quarantine.
 */
export function preserveEvidence(steps: PlaybookSteps): FlaggedPart {
  const { scope, arns } = steps;
  const modify = (id: string, parameters: Record<string, unknown>) =>
    awsCall(scope, id, {
      service: 'ec2',
      action: 'modifyInstanceAttribute',
      parameters: { 'InstanceId.$': INSTANCE_ID, ...parameters },
      iamResources: [arns.instances],
    });
  const protect = modify('Enable termination protection', { DisableApiTermination: { Value: true } });
  const stopOnShutdown = modify('Stop on shutdown', { InstanceInitiatedShutdownBehavior: { Value: 'stop' } });
  // ModifyInstanceAttribute takes one attribute per call; one call per attached volume.
  const keepVolumes = new sfn.Map(scope, 'Keep volumes', {
    itemsPath: `${FOUND}.volumes`,
    itemSelector: withTarget(scope, {
      'instanceId.$': INSTANCE_ID,
      'deviceName.$': '$$.Map.Item.Value.DeviceName',
    }),
    resultPath: sfn.JsonPath.DISCARD,
  }).itemProcessor(
    awsCall(scope, 'Keep volume on termination', {
      service: 'ec2',
      action: 'modifyInstanceAttribute',
      parameters: {
        'InstanceId.$': '$.instanceId',
        BlockDeviceMappings: [{ 'DeviceName.$': '$.deviceName', Ebs: { DeleteOnTermination: false } }],
      },
      // With BlockDeviceMappings the call is also authorized on the volume it changes (the service
      // authorization reference lists `volume` for ModifyInstanceAttribute).
      iamResources: [arns.instances, arns.volumes],
    }),
  );
  const tag = awsCall(scope, 'Tag instance', {
    service: 'ec2',
    action: 'createTags',
    parameters: {
      'Resources.$': `States.Array(${INSTANCE_ID})`,
      Tags: [
        { Key: QUARANTINE_TAG, 'Value.$': '$.finding.id' },
        { Key: 'remediation:quarantined-at', 'Value.$': '$$.State.EnteredTime' },
        { Key: 'remediation:playbook', Value: facts.name },
      ],
    },
    iamResources: [arns.instances],
  });
  // Recorded with the other phases in the one audit step after them (records.ts). A call that
  // stops the run first records the calls before it, so the trail misses none that happened.
  catchToHuman(
    protect,
    recordsBefore(steps, 'EnableTerminationProtection', 'Audit quarantine steps before evidence'),
    facts.name,
  );
  catchToHuman(
    stopOnShutdown,
    recordsBefore(steps, 'SetShutdownBehaviorStop', 'Audit quarantine steps before Stop on shutdown'),
    facts.name,
  );
  keepVolumes.addCatch(
    recordsBefore(steps, 'KeepVolumesOnTermination', 'Audit quarantine steps before Keep volumes'),
    { resultPath: '$.error' },
  );
  catchToHuman(
    tag,
    recordsBefore(steps, 'TagInstance', 'Audit quarantine steps before Tag instance'),
    facts.name,
  );
  // The last part of the choice after the reads: one copy, whatever runs before it.
  return {
    flag: `${CHANGES}.preserveEvidence`,
    label: 'evidence',
    build: () => protect.next(stopOnShutdown).next(keepVolumes).next(tag),
  };
}
