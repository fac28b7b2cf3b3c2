import type { PlaybookCatalog } from '#shared/playbooks/definition.ts';
import { blockAccountPublicAccess } from './block-account-public-access.ts';
import { blockBucketPublicAccess } from './block-bucket-public-access.ts';
import { closeDefaultSecurityGroup } from './close-default-security-group.ts';
import { containEcsTask } from './contain-ecs-task.ts';
import { containLambdaFunction } from './contain-lambda-function.ts';
import { deactivateTrustedIpList } from './deactivate-trusted-ip-list.ts';
import { denyThreatObjectReads } from './deny-threat-object-reads.ts';
import { disableAccessKey } from './disable-access-key.ts';
import { disableSubnetPublicIp } from './disable-subnet-public-ip.ts';
import { enableKeyRotation } from './enable-key-rotation.ts';
import { encryptEbsByDefault } from './encrypt-ebs-by-default.ts';
import { encryptSnsTopic } from './encrypt-sns-topic.ts';
import { encryptSqsQueue } from './encrypt-sqs-queue.ts';
import type { PlaybookDefinition } from './playbook.ts';
import { protectDbCluster } from './protect-db-cluster.ts';
import { protectDbInstance } from './protect-db-instance.ts';
import { protectDynamoDbTable } from './protect-dynamodb-table.ts';
import { quarantineInstance } from './quarantine-instance.ts';
import { recreateFlowLogs } from './recreate-flow-logs.ts';
import { reenableGuardDuty } from './reenable-guardduty.ts';
import { removePublicLambdaAccess } from './remove-public-lambda-access.ts';
import { requireBucketSsl } from './require-bucket-ssl.ts';
import { requireImdsv2 } from './require-imdsv2.ts';
import { restartCloudTrailLogging } from './restart-cloudtrail-logging.ts';
import { restartConfigRecorder } from './restart-config-recorder.ts';
import { restoreTrailSettings } from './restore-trail-settings.ts';
import { revokeOpenIngress } from './revoke-open-ingress.ts';
import { revokeOutsideSharing } from './revoke-outside-sharing.ts';
import { revokeRoleSessions } from './revoke-role-sessions.ts';
import { setPasswordPolicy } from './set-password-policy.ts';
import { snapshotAndReimage } from './snapshot-and-reimage.ts';

/**
 * The playbooks this product ships: the one list. The policy may only name these; the stack,
 * the member role, the alarms, the undo planner and the policy check all derive from it.
 * Adding a playbook: its module (facts in `shared/playbooks/`, states here), one line here, its test.
 */
export const playbooks: readonly PlaybookDefinition[] = [
  disableAccessKey,
  revokeOpenIngress,
  restartCloudTrailLogging,
  blockBucketPublicAccess,
  quarantineInstance,
  snapshotAndReimage,
  revokeRoleSessions,
  revokeOutsideSharing,
  encryptEbsByDefault,
  enableKeyRotation,
  containLambdaFunction,
  blockAccountPublicAccess,
  restoreTrailSettings,
  restartConfigRecorder,
  setPasswordPolicy,
  protectDbInstance,
  denyThreatObjectReads,
  reenableGuardDuty,
  deactivateTrustedIpList,
  requireBucketSsl,
  removePublicLambdaAccess,
  protectDbCluster,
  containEcsTask,
  closeDefaultSecurityGroup,
  protectDynamoDbTable,
  encryptSqsQueue,
  encryptSnsTopic,
  requireImdsv2,
  disableSubnetPublicIp,
  recreateFlowLogs,
];

export const playbookNames: readonly string[] = playbooks.map((p) => p.name);

/** The registered playbooks' facts by name, as the undo planner and the policy check read them. */
export const playbookCatalog: PlaybookCatalog = new Map(playbooks.map((p) => [p.name, p]));
