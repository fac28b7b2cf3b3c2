import type { Finding } from '#shared/findings/finding.ts';
import { severityFromScore } from '#shared/findings/finding.ts';

/** A GuardDuty finding about a leaked IAM user key, Medium 5.0; override any field. */
export function makeFinding(overrides: Partial<Finding> = {}): Finding {
  return {
    id: 'f-0001',
    source: 'guardduty',
    type: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
    title: 'Credentials used from outside AWS',
    severity: severityFromScore(5),
    accountId: '111122223333',
    region: 'eu-west-1',
    resource: {
      kind: 'AccessKey',
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      userName: 'alice',
      userType: 'IAMUser',
    },
    resourceTags: {},
    firstSeen: '2024-05-01T10:00:00Z',
    lastSeen: '2024-05-01T10:00:00Z',
    count: 1,
    sample: false,
    ...overrides,
  };
}
