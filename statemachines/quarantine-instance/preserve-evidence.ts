import { aws_stepfunctions as sfn } from 'aws-cdk-lib';
import { facts } from '#shared/playbooks/quarantine-instance.ts';
import { QUARANTINE_TAG } from '#shared/quarantine/instance-state.ts';
import type { AuditEntry } from '../fragments/audit-step.ts';
import { awsCall } from '../fragments/aws-call.ts';
import { isAbsent } from '../fragments/conditions.ts';
import { INSTANCE_ID } from '../fragments/finding-paths.ts';
import { withTarget } from '../fragments/member-credentials.ts';
import { catchToHuman } from '../fragments/needs-human.ts';
import type { PlaybookSteps } from '../fragments/playbook-steps.ts';
import { FOUND } from './discover.ts';

/**
 * Right after the network and credentials are cut, make sure the evidence survives whatever
 * happens next (seconds later, well before an isolated instance fails the health checks that
 * would get it replaced): termination protection on, an OS-initiated shutdown stops rather than terminates, every volume outlives the
 * instance, then the quarantine tag. The tag is written last, so its presence means all four were
 * done: a later finding on the same instance skips this part and keeps the first finding's tag,
 * whose audit trail holds the state before quarantine.
 */
export function preserveEvidence(steps: PlaybookSteps): sfn.Chain {
  const { scope, arns } = steps;
  const modify = (id: string, parameters: Record<string, unknown>) =>
    awsCall(scope, id, {
      service: 'ec2',
      action: 'modifyInstanceAttribute',
      parameters: { 'InstanceId.$': INSTANCE_ID, ...parameters },
      iamResources: [arns.instances],
    });
  const protect = steps.call('Enable termination protection', {
    service: 'ec2',
    action: 'modifyInstanceAttribute',
    parameters: { 'InstanceId.$': INSTANCE_ID, DisableApiTermination: { Value: true } },
    iamResources: [arns.instances],
  });
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
  // One audit step for the four calls (one transition), each call still its own record. A call
  // that stops the run first records the calls before it, so the trail misses none that happened.
  const records: AuditEntry[] = [
    { action: 'EnableTerminationProtection', outcome: 'succeeded' },
    { action: 'SetShutdownBehaviorStop', outcome: 'succeeded' },
    { action: 'KeepVolumesOnTermination', outcome: 'succeeded', beforePath: `${FOUND}.volumes` },
    { action: 'TagInstance', outcome: 'succeeded' },
  ];
  const doneBefore = (step: number, name: string) =>
    steps.auditBatch(`Audit evidence steps before ${name}`, records.slice(0, step)).next(steps.human);
  catchToHuman(stopOnShutdown, doneBefore(1, 'Stop on shutdown'), facts.name);
  keepVolumes.addCatch(doneBefore(2, 'Keep volumes'), { resultPath: '$.error' });
  catchToHuman(tag, doneBefore(3, 'Tag instance'), facts.name);
  const preserve = protect
    .next(stopOnShutdown)
    .next(keepVolumes)
    .next(tag)
    .next(steps.auditBatch('Audit evidence preserved', records));
  return new sfn.Choice(scope, 'Evidence already preserved?')
    .when(isAbsent(`${FOUND}.quarantineTag.tags[0]`), preserve)
    .afterwards({ includeOtherwise: true });
}
