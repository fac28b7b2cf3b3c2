/** Security Hub's GuardDuty.1 control finding for the sandbox account, FAILED. */
export function guardDutyDot1Finding(suffix: string) {
  const id = `arn:aws:securityhub:us-east-1:111122223333:security-control/GuardDuty.1/finding/5e6f7a8b-9c0d-4e1f-a2b3-${suffix}`;
  const event = {
    source: 'aws.securityhub',
    'detail-type': 'Security Hub Findings - Imported',
    detail: {
      findings: [
        {
          Id: id,
          ProductArn: 'arn:aws:securityhub:us-east-1::product/aws/securityhub',
          GeneratorId: 'security-control/GuardDuty.1',
          AwsAccountId: '111122223333',
          Types: ['Software and Configuration Checks/Industry and Regulatory Standards'],
          Title: 'GuardDuty should be enabled',
          Region: 'us-east-1',
          CreatedAt: '2026-11-22T12:06:02.311Z',
          UpdatedAt: '2026-11-22T12:06:02.311Z',
          Severity: { Label: 'HIGH' },
          Resources: [{ Type: 'AwsAccount', Id: 'AWS::::Account:111122223333', Region: 'us-east-1' }],
          Compliance: { Status: 'FAILED', SecurityControlId: 'GuardDuty.1' },
          RecordState: 'ACTIVE',
          Workflow: { Status: 'NEW' },
        },
      ],
    },
  };
  // A control finding's id is its Id and UpdatedAt (shared/findings/securityhub.ts).
  return { event, id: `${id}/2026-11-22T12:06:02.311Z` };
}
