import { aws_stepfunctions as sfn, Validations } from 'aws-cdk-lib';
import { facts } from '#shared/playbooks/protect-dynamodb-table.ts';
import { playbookSteps } from './fragments/playbook-steps.ts';
import { settingToggle } from './fragments/setting-toggle.ts';
import { resourceWildcardFinding } from './fragments/wildcard-acknowledgement.ts';
import type { PlaybookContext, PlaybookDefinition } from './playbook.ts';

const NAME = facts.name;
const TABLE = '$.finding.resource.id';

/**
 * Security Hub DynamoDB.6: turn on deletion protection of a table and read it back. Deletion
 * protection only refuses DeleteTable until it is turned off again; an UpdateTable that sets
 * nothing else leaves the table's data, capacity and other settings as they are.
 * https://docs.aws.amazon.com/securityhub/latest/userguide/dynamodb-controls.html#dynamodb-6
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/WorkingWithTables.Basics.html#WorkingWithTables.Basics.DeletionProtection
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTable.html
 */
export const protectDynamoDbTable: PlaybookDefinition = {
  ...facts,
  runbook: {
    steps: [
      {
        title: 'Check the table',
        does: 'Reads whether deletion protection is on for the table.',
        states: ['DynamoDB table?', 'Read table protection', 'Unsupported resource'],
        ifItStops: 'Nothing was changed. Check that the table exists in the DynamoDB console.',
      },
      {
        title: 'Turn deletion protection on',
        does: 'Updates the table with deletion protection on, and nothing else.',
        states: ['Enable table deletion protection'],
        ifItStops:
          'Deletion protection may still be off: in the DynamoDB console, open the table, Additional settings > Deletion protection, and turn it on.',
      },
      {
        title: 'Check it is on',
        does: 'Reads the table again and confirms deletion protection is on.',
        states: ['Read table protection again'],
        ifItStops:
          'The change was made but could not be confirmed. Look at the table in the DynamoDB console.',
      },
    ],
    checkAfterwards: [
      'The DynamoDB console shows "Deletion protection: On" for the table (Additional settings tab).',
      'Whoever deletes this table on purpose (a pipeline, a test environment) must now turn deletion protection off first.',
    ],
    undo: '`remediate undo` turns deletion protection off again, only if this run turned it on.',
  },
  build(ctx: PlaybookContext): sfn.IChainable {
    const { scope } = ctx;
    const steps = playbookSteps(ctx, NAME);
    const tables = [steps.arns.dynamoDbTables];

    const protect = settingToggle(steps, {
      read: {
        service: 'dynamodb',
        action: 'describeTable',
        parameters: { 'TableName.$': TABLE },
        iamResources: tables,
        resultSelector: { 'DeletionProtectionEnabled.$': '$.Table.DeletionProtectionEnabled' },
      },
      // Only DeletionProtectionEnabled is sent: UpdateTable changes nothing it is not given.
      change: {
        id: 'Enable table deletion protection',
        service: 'dynamodb',
        action: 'updateTable',
        parameters: { 'TableName.$': TABLE, DeletionProtectionEnabled: true },
        iamResources: tables,
      },
      isSet: (path) => sfn.Condition.booleanEquals(`${path}.DeletionProtectionEnabled`, true),
      action: 'UpdateTable',
      names: {
        read: 'Read table protection',
        readAgain: 'Read table protection again',
        isSet: 'Table protected?',
        audit: 'Audit table protection enabled',
        alreadySet: { audit: 'Audit table already protected', end: 'Table already protected' },
      },
      plan: { actions: [{ action: 'UpdateTable', 'tableName.$': TABLE, DeletionProtectionEnabled: true }] },
      proposedActions: [
        'Turn on deletion protection of the DynamoDB table (reads and writes carry on)',
        'Read the table again and record it',
      ],
      ifDenied: 'The playbook ends: the table can still be deleted.',
      headline: 'DynamoDB deletion protection turned on',
    });

    Validations.of(scope).acknowledge({
      id: resourceWildcardFinding(scope, 'dynamodb:{region}:{account}:table/*'),
      reason:
        'The table is named by the finding at run time; the role may only describe tables and update them, and only this playbook calls UpdateTable, with deletion protection on.',
    });
    return steps.onlyFor({
      id: 'DynamoDB table?',
      type: 'AwsDynamoDbTable',
      action: 'UpdateTable',
      run: protect,
    });
  },
};
