import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { Finding } from '#shared/findings/finding.ts';
import { SETTING_OF_CONTROL } from '#shared/playbooks/control-settings.ts';

/**
 * One remediation per resource and playbook for posture findings. A posture finding reports a
 * state, not an event: the same open security group is reported by Security Hub's control
 * (EC2.13) and by the AWS Config rule behind it (restricted-ssh), each with its own finding id,
 * and Config reports it again at every evaluation. The playbooks these findings route to read the
 * resource as it is and fix all of it, so a second report of the same resource to the same
 * playbook within the window is the same remediation: recorded as a duplicate of the execution
 * that handles it, not started again. CloudTrail and GuardDuty findings are events (this rule,
 * added by that call), so each is its own remediation and never claimed here.
 *
 * A playbook that changes only the setting the finding's control names (`settingOfControl`: one
 * playbook for the RDS controls of a DB instance) fixes one setting per run, not all of the
 * resource: its claim is per resource, playbook and setting, so RDS.2 and RDS.13 failing on one
 * instance are two remediations, and neither is dropped as the other's duplicate. The AWS Config
 * rules behind those controls carry the control too (shared/findings/config.ts), so their claim is
 * per setting as well; but Config names a DB instance by its resource id (`db-...`) and Security Hub
 * by its identifier, and only the playbook can tell they are one instance (DescribeDBInstances). The
 * two claims differ, so both runs start: the second reads the setting already made, changes nothing
 * and records `skipped` (test/e2e/stack/protect-db-instance-config.test.ts).
 *
 * The claim is one conditional UpdateItem on the counters table (atomic per item, so two
 * classifier instances cannot both win): it succeeds when no claim exists, the claim is older
 * than the window, or it is this very execution name (a redelivery, which Step Functions dedupes).
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
 */
export const POSTURE_WINDOW_MINUTES = 60;

/** What claiming needs from the router's environment. */
export interface PostureClaimDeps {
  dynamodb: Pick<DynamoDBClient, 'send'>;
  counterTable: string;
}

/** A finding that reports a state (AWS Config, a Security Hub control) rather than an event. */
export function isPostureFinding(finding: Finding): boolean {
  return finding.source === 'config' || finding.control !== undefined;
}

/**
 * What a remediation of `finding` by `playbook` fixes on its resource: the setting its control
 * names, for a playbook that changes only that (`SETTING_OF_CONTROL`, the facts' `settingOfControl`);
 * undefined when one run fixes all of it.
 */
export function settingFixed(playbook: string, finding: Finding): string | undefined {
  const settings = Object.hasOwn(SETTING_OF_CONTROL, playbook) ? SETTING_OF_CONTROL[playbook] : undefined;
  const control = finding.control;
  return settings && control !== undefined && Object.hasOwn(settings, control)
    ? settings[control]
    : undefined;
}

/** The claim is ours (`claimed`), or another execution holds it within the window (`heldBy`). */
export type PostureClaim = { claimed: true } | { claimed: false; heldBy: string; since: string };

/**
 * Claim the remediation of `resourceKey` by `playbook` for `executionName`, for the window.
 * @param now the classifier's clock, epoch milliseconds
 * @param setting the one setting the remediation fixes ({@link settingFixed}); @default all of the resource
 */
export async function claimPostureRemediation(
  deps: PostureClaimDeps,
  playbook: string,
  resourceKey: string,
  executionName: string,
  now: number,
  setting?: string,
): Promise<PostureClaim> {
  const what = setting === undefined ? playbook : `${playbook}/${setting}`;
  const key = { pk: { S: `posture#${what}#${resourceKey}` } };
  const cutoff = now - POSTURE_WINDOW_MINUTES * 60_000;
  try {
    await deps.dynamodb.send(
      new UpdateItemCommand({
        TableName: deps.counterTable,
        Key: key,
        UpdateExpression: 'SET claimedAt = :now, holder = :name, expiresAt = :expires',
        ConditionExpression: 'attribute_not_exists(claimedAt) OR claimedAt < :cutoff OR holder = :name',
        ExpressionAttributeValues: {
          ':now': { N: String(now) },
          ':cutoff': { N: String(cutoff) },
          ':name': { S: executionName },
          // The table's TTL removes the claim a day after its window ends.
          ':expires': { N: String(Math.floor(now / 1000) + POSTURE_WINDOW_MINUTES * 60 + 86_400) },
        },
      }),
    );
    return { claimed: true };
  } catch (error) {
    if (
      !(error instanceof ConditionalCheckFailedException) &&
      (error as Error | undefined)?.name !== 'ConditionalCheckFailedException'
    )
      throw error;
  }
  const held = await deps.dynamodb.send(
    new GetItemCommand({ TableName: deps.counterTable, Key: key, ConsistentRead: true }),
  );
  const since = Number(held.Item?.claimedAt?.N ?? now);
  return {
    claimed: false,
    heldBy: held.Item?.holder?.S ?? 'unknown',
    since: new Date(since).toISOString(),
  };
}
