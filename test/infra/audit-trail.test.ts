import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { type IamStatement, rolePolicies, statementCoversAction, synthesizedTemplate } from './helpers.ts';

let synth: { template: Template };
beforeAll(() => {
  synth = { template: synthesizedTemplate() };
}, 120_000);

/** Whether the statement allows `action` on a resource that `onResource` recognizes (or on `*`). */
function allows(s: IamStatement, action: string, onResource: (resource: string) => boolean): boolean {
  if (s.Effect !== 'Allow') return false;
  const resources = [s.Resource ?? []].flat().map((r) => JSON.stringify(r));
  return statementCoversAction(s, action) && resources.some((r) => r === '"*"' || onResource(r));
}

/** The roles (logical ids) whose identity policies allow `action` on the resource. */
function rolesAllowed(action: string, onResource: (resource: string) => boolean): string[] {
  const roles = new Set<string>();
  for (const policy of rolePolicies(synth.template))
    if (policy.statements.some((s) => allows(s, action, onResource)))
      for (const role of policy.roles) roles.add(role);
  return [...roles].sort();
}

function logicalId(type: string, prefix: string): string {
  const ids = Object.keys(synth.template.findResources(type)).filter((id) => id.startsWith(prefix));
  expect(ids).toHaveLength(1);
  return ids[0] as string;
}

describe('the audit trail has one writer', () => {
  it('lets exactly one principal, the appender, put items into the audit table', () => {
    const table = logicalId('AWS::DynamoDB::Table', 'AuditTrailTable');
    const appenderRole = logicalId('AWS::IAM::Role', 'AuditAppendRole');
    const onTable = (r: string) => r.includes(`"${table}"`);
    expect(rolesAllowed('dynamodb:PutItem', onTable)).toEqual([appenderRole]);
    // Nor may anyone rewrite records in place.
    for (const action of ['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'])
      expect(rolesAllowed(action, onTable)).toEqual([]);
  });

  it('lets only the appender move chain heads and generate MACs with the HMAC key', () => {
    const heads = logicalId('AWS::DynamoDB::Table', 'AuditTrailChainHeads');
    const key = logicalId('AWS::KMS::Key', 'AuditTrailMacKey');
    const appenderRole = logicalId('AWS::IAM::Role', 'AuditAppendRole');
    expect(rolesAllowed('dynamodb:UpdateItem', (r) => r.includes(`"${heads}"`))).toEqual([appenderRole]);
    expect(rolesAllowed('kms:GenerateMac', (r) => r.includes(`"${key}"`))).toEqual([appenderRole]);
    synth.template.hasResourceProperties('AWS::KMS::Key', {
      KeySpec: 'HMAC_256',
      KeyUsage: 'GENERATE_VERIFY_MAC',
    });
  });

  it('lets every other function that audits only invoke the appender', () => {
    const appender = logicalId('AWS::Lambda::Function', 'AuditAppend');
    const invokers = rolesAllowed('lambda:InvokeFunction', (r) => r.includes(`"${appender}"`));
    for (const role of ['ClassifyRole', 'ApprovalsDecision', 'ApprovalsRequest'])
      expect(invokers.some((id) => id.startsWith(role))).toBe(true);
  });
});
