import { blockBucketPublicAccess } from './block-bucket-public-access.ts';
import { disableAccessKey } from './disable-access-key.ts';
import type { PlaybookDefinition } from './playbook.ts';
import { quarantineInstance } from './quarantine-instance.ts';
import { restartCloudTrailLogging } from './restart-cloudtrail-logging.ts';
import { revokeOpenIngress } from './revoke-open-ingress.ts';
import { snapshotAndReimage } from './snapshot-and-reimage.ts';

/**
 * The playbooks this product ships. The policy may only name these.
 * Adding a playbook: its module in this folder, one line here, its test.
 */
export const playbooks: readonly PlaybookDefinition[] = [
  disableAccessKey,
  revokeOpenIngress,
  restartCloudTrailLogging,
  blockBucketPublicAccess,
  quarantineInstance,
  snapshotAndReimage,
];

export const playbookNames: readonly string[] = playbooks.map((p) => p.name);
