import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SeededAccount } from './seed.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../../test/fixtures/events');

/** An EventBridge event as GuardDuty, CloudTrail, Config or Security Hub would put it on the bus. */
export interface ScenarioEvent {
  /** Short label for progress output and the final table. */
  label: string;
  /** What the policy should do with it, said in words for the reader. */
  expect: string;
  event: { source: string; 'detail-type': string; detail: Record<string, any>; [k: string]: unknown };
}

function readFixture(name: string): ScenarioEvent['event'] {
  return JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8'));
}

/**
 * `event` as if it happened `now`: every time field a source sets (the envelope's `time`,
 * GuardDuty's `createdAt`/`updatedAt`/`eventFirstSeen`/`eventLastSeen`, CloudTrail's `eventTime`,
 * Config's evaluation times), so what the stack measures from them (the `ContainmentLatency`
 * metric, from the finding's last sighting) is this run's, not the fixture's weeks-old date.
 */
export function stampedNow<T extends ScenarioEvent['event']>(event: T, now: Date): T {
  const iso = now.toISOString();
  const stamp = (node: unknown): void => {
    if (Array.isArray(node)) for (const item of node) stamp(item);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (TIME_FIELDS.has(key) && typeof value === 'string') (node as Record<string, unknown>)[key] = iso;
        else stamp(value);
      }
    }
  };
  stamp(event);
  return event;
}

const TIME_FIELDS = new Set([
  'time',
  'createdAt',
  'updatedAt',
  'eventFirstSeen',
  'eventLastSeen',
  'eventTime',
  'resultRecordedTime',
  'configRuleInvokedTime',
  'notificationCreationTime',
]);

/**
 * The scenario `npm start` replays, built from real-shaped fixture events with the ids of the
 * seeded account: a leaked key, its re-publication, an AWS sample, a finding on a protected
 * break-glass user, drift, an instance finding, and a malformed event.
 */
export function scenarioEvents(account: SeededAccount, now: Date = new Date()): ScenarioEvent[] {
  const fixture = (name: string) => stampedNow(readFixture(name), now);
  const leaked = fixture('guardduty-iam-credential-exfiltration.json');
  leaked.detail.resource.accessKeyDetails.accessKeyId = account.users.alice.leakedKey;
  leaked.detail.resource.accessKeyDetails.userName = 'alice';

  const republished = structuredClone(leaked);
  republished.detail.service.count = 3;
  republished.detail.updatedAt = new Date().toISOString();

  const sample = structuredClone(leaked);
  sample.detail.id = 'a1a1a1a1b2b2b2b2c3c3c3c3d4d4d4d4';
  sample.detail.resource.accessKeyDetails.accessKeyId = account.users.bob.key;
  sample.detail.resource.accessKeyDetails.userName = 'bob';
  sample.detail.service.additionalInfo = { ...(sample.detail.service.additionalInfo ?? {}), sample: true };

  const breakGlass = structuredClone(leaked);
  breakGlass.detail.id = 'e5e5e5e5f6f6f6f6a7a7a7a7b8b8b8b8';
  breakGlass.detail.resource.accessKeyDetails.accessKeyId = account.users.breakGlass.key;
  breakGlass.detail.resource.accessKeyDetails.userName = 'break-glass-admin';

  const ingress = fixture('cloudtrail-authorize-sg-ingress-ssh-world.json');
  ingress.detail.requestParameters.groupId = account.securityGroups.web;
  // The call as the seed made it: IPv4 only, with the rule id EC2 returned.
  const [sshPermission] = ingress.detail.requestParameters.ipPermissions.items;
  sshPermission.ipv6Ranges = {};
  const [sshRule] = ingress.detail.responseElements.securityGroupRuleSet.items;
  Object.assign(sshRule, { groupId: account.securityGroups.web, securityGroupRuleId: account.openSshRuleId });
  ingress.detail.responseElements.securityGroupRuleSet.items = [sshRule];

  const stopLogging = fixture('cloudtrail-stop-logging.json');
  stopLogging.detail.requestParameters.name = account.trail;

  const publicBucket = fixture('cloudtrail-put-bucket-policy-public.json');
  publicBucket.detail.requestParameters.bucketName = account.publicBucket;
  publicBucket.detail.requestParameters.bucketPolicy.Statement[0].Resource = `arn:aws:s3:::${account.publicBucket}/*`;

  const rdp = fixture('config-restricted-ssh-non-compliant.json');
  rdp.detail.configRuleName = 'vpc-sg-open-only-to-authorized-ports';
  rdp.detail.resourceId = account.securityGroups.jump;
  for (const result of [rdp.detail.newEvaluationResult, rdp.detail.oldEvaluationResult]) {
    result.evaluationResultIdentifier.evaluationResultQualifier.configRuleName = rdp.detail.configRuleName;
    result.evaluationResultIdentifier.evaluationResultQualifier.resourceId = account.securityGroups.jump;
  }
  rdp.detail.newEvaluationResult.annotation = 'The security group allows RDP from 0.0.0.0/0.';

  const instance = fixture('guardduty-ec2-backdoor-cc-activity.json');
  instance.detail.resource.instanceDetails.instanceId = account.instance.id;

  return [
    { label: 'leaked key (alice)', expect: 'disable-access-key, auto', event: leaked },
    { label: 'same finding, count 3', expect: 'duplicate: contained once', event: republished },
    { label: 'AWS sample finding (bob)', expect: 'dry-run: plan recorded, key untouched', event: sample },
    { label: 'break-glass user key', expect: 'notify only: protected principal', event: breakGlass },
    { label: 'SSH open to 0.0.0.0/0', expect: 'revoke-open-ingress: that rule only', event: ingress },
    { label: 'CloudTrail StopLogging', expect: 'restart-cloudtrail-logging, auto', event: stopLogging },
    { label: 'bucket policy made public', expect: 'block-bucket-public-access, auto', event: publicBucket },
    {
      label: 'Config: RDP open (jump hosts)',
      expect: 'revoke-open-ingress: world-open rules only',
      event: rdp,
    },
    {
      label: 'EC2 C&C activity',
      expect: 'quarantine-instance, auto; then snapshot-and-reimage after approval',
      event: instance,
    },
    {
      label: 'malformed event',
      expect: 'rejected to the dead-letter queue',
      event: fixture('malformed-guardduty-missing-resource.json'),
    },
  ];
}
