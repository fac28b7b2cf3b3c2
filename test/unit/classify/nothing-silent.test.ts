import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyEvent } from '#shared/classify.ts';
import { loadPolicyFile } from '#shared/policy/load.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
// biome-ignore lint/suspicious/noExplicitAny: fixtures are edited freely by tests to build variants.
const fixture = (name: string): any =>
  JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/events', name), 'utf8'));
const policy = loadPolicyFile(path.join(ROOT, 'policy/default.yaml'));
const ctx = { now: new Date('2026-11-23T12:00:00Z'), recentAutoActions: 0 };

/** A GuardDuty finding of `type` about a resource GuardDuty reports as `resourceType`. */
function guardDutyFinding(type: string, severity: number, resource: Record<string, unknown>) {
  return {
    source: 'aws.guardduty',
    'detail-type': 'GuardDuty Finding',
    detail: {
      id: '3c5e7a9b1d3f5a7c9e1b3d5f7a9c0e2a',
      type,
      severity,
      accountId: '111122223333',
      region: 'us-east-1',
      createdAt: '2026-11-20T09:21:45.118Z',
      updatedAt: '2026-11-20T09:21:45.118Z',
      resource,
    },
  };
}
const instance = {
  resourceType: 'Instance',
  instanceDetails: { instanceId: 'i-0123456789abcdef0' },
};

describe('benign events are recorded as skipped, with the reason, never rejected', () => {
  it('skips a CloudTrail record of a call that failed', () => {
    const [result] = classifyEvent(fixture('cloudtrail-stop-logging-access-denied.json'), policy, ctx);

    expect(result).toMatchObject({ outcome: 'skipped', severity: { label: 'Informational' } });
    expect(result?.reason).toMatch(/^StopLogging failed \(AccessDenied: .*nothing to remediate$/);
  });

  it('skips a failed root sign-in', () => {
    const event = fixture('cloudtrail-root-console-login.json');
    event.detail.responseElements = { ConsoleLogin: 'Failure' };

    const [result] = classifyEvent(event, policy, ctx);

    expect(result).toMatchObject({ outcome: 'skipped' });
    expect(result?.reason).toMatch(/^ConsoleLogin failed \(Failure/);
  });

  it.each([
    ['RecordState', { RecordState: 'ARCHIVED' }],
    ['Workflow.Status', { Workflow: { Status: 'SUPPRESSED' } }],
    ['Compliance.Status', { Compliance: { Status: 'PASSED' } }],
  ])('skips a Security Hub update that closes its finding (%s)', (_field, closing) => {
    const event = fixture('securityhub-iam-access-key.json');
    Object.assign(event.detail.findings[0], closing);

    const [result] = classifyEvent(event, policy, ctx);

    expect(result).toMatchObject({ outcome: 'skipped' });
    expect(result?.reason).toMatch(/is active: nothing to remediate/);
  });

  it('skips an archived GuardDuty finding, saying it is archived, and never contains it', () => {
    const [result] = classifyEvent(
      fixture('guardduty-iam-credential-exfiltration-archived.json'),
      policy,
      ctx,
    );

    expect(result).toMatchObject({ outcome: 'skipped', finding: { type: expect.any(String) } });
    expect(result?.reason).toMatch(/is archived: archived findings are closed, never contained/);
  });

  it('still rejects malformed input', () => {
    const [result] = classifyEvent(fixture('malformed-guardduty-missing-resource.json'), policy, ctx);

    expect(result?.outcome).toBe('rejected');
  });
});

describe('the default policy leaves no Medium or higher finding unheard', () => {
  it('notifies an EKS finding no playbook covers, with the reason', () => {
    const event = guardDutyFinding('PrivilegeEscalation:Kubernetes/PrivilegedContainer', 5, {
      resourceType: 'EKSCluster',
    });

    const [result] = classifyEvent(event, policy, ctx);

    expect(result).toMatchObject({ outcome: 'routed', mode: 'notify', ruleId: 'guardduty-kubernetes-audit' });
    expect(result?.reason).toContain('suspicious Kubernetes API call');
  });

  it('notifies a Critical attack sequence', () => {
    const event = guardDutyFinding('AttackSequence:S3/CompromisedData', 9, {
      resourceType: 'AttackSequence',
    });

    const [result] = classifyEvent(event, policy, ctx);

    expect(result).toMatchObject({ outcome: 'routed', mode: 'notify', ruleId: 'unrouted-finding' });
  });

  it('notifies a Medium Security Hub finding', () => {
    const event = fixture('securityhub-iam-access-key.json');
    event.detail.findings[0].Types = ['Software and Configuration Checks/AWS Security Best Practices'];
    event.detail.findings[0].Severity = { Label: 'MEDIUM' };

    const [result] = classifyEvent(event, policy, ctx);

    expect(result).toMatchObject({ outcome: 'routed', mode: 'notify', ruleId: 'unrouted-finding' });
  });
});

describe('Runtime Monitoring findings on an EC2 instance are judged like the EC2 families', () => {
  it.each([
    'Impact:Runtime/CryptoMinerExecuted',
    'PrivilegeEscalation:Runtime/RuncContainerEscape',
    'DefenseEvasion:Runtime/ProcessInjection.Ptrace',
    'Execution:Runtime/ReverseShell',
  ])('quarantines the instance at once for a High %s', (type) => {
    const [result] = classifyEvent(guardDutyFinding(type, 8, instance), policy, ctx);

    expect(result).toMatchObject({
      outcome: 'routed',
      playbook: 'quarantine-instance',
      mode: 'auto',
      ruleId: 'guardduty-ec2-compromise',
    });
  });

  it('asks a human first at Medium', () => {
    const [result] = classifyEvent(
      guardDutyFinding('Execution:Runtime/NewBinaryExecuted', 5, instance),
      policy,
      ctx,
    );

    expect(result).toMatchObject({ playbook: 'quarantine-instance', mode: 'approve' });
  });
});

describe('an ASIA key reported under an IAM user', () => {
  it('goes to disable-access-key, which denies the sessions and has no key to deactivate', () => {
    const event = fixture('guardduty-iam-credential-exfiltration.json');
    event.detail.resource.accessKeyDetails.accessKeyId = 'ASIAQ3EGUWKSESSION01';

    const [result] = classifyEvent(event, policy, ctx);

    expect(result).toMatchObject({ outcome: 'routed', playbook: 'disable-access-key', mode: 'auto' });
  });
});

describe('GuardDuty S3 findings that make a bucket public', () => {
  it.each(['Policy:S3/BucketAnonymousAccessGranted', 'Policy:S3/BucketPublicAccessGranted'])(
    'block public access on the bucket for %s',
    (type) => {
      const event = guardDutyFinding(type, 8, {
        resourceType: 'S3Bucket',
        s3BucketDetails: [{ name: 'reports-bucket' }],
      });

      const [result] = classifyEvent(event, policy, ctx);

      expect(result).toMatchObject({ playbook: 'block-bucket-public-access', mode: 'auto' });
    },
  );
});
