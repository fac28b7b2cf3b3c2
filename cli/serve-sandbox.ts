import { SANDBOX_CREDENTIALS } from '#sandbox/credentials.ts';
import { Sandbox } from '#sandbox/index.ts';
import { seedAccount } from '#sandbox/scenario/seed.ts';

/** Start the sandbox, print how to use it, and run until interrupted. */
export async function serveSandbox(options: { port: number; seed: boolean }): Promise<void> {
  const sandbox = await Sandbox.start({ port: options.port, log: (line) => console.log(line) });
  const account = options.seed ? await seedAccount(sandbox.clients) : undefined;
  const e = sandbox.endpoint;
  const d = sandbox.deployment;
  const stateMachine = d?.stateMachines[0]?.arn ?? '<state machine arn>';
  const auditTable = d?.outputs.AuditTableName ?? '<audit table>';
  const key = account?.users.alice.leakedKey ?? 'AKIAIOSFODNN7EXAMPLE';
  const detail = JSON.stringify({
    schemaVersion: '2.0',
    accountId: '111122223333',
    region: 'us-east-1',
    id: 'demo-finding-0001',
    type: 'UnauthorizedAccess:IAMUser/MaliciousIPCaller',
    title: 'API called from a known malicious IP',
    severity: 8,
    createdAt: new Date().toISOString(),
    updatedAt: new Date().toISOString(),
    resource: {
      resourceType: 'AccessKey',
      accessKeyDetails: { accessKeyId: key, userName: 'alice', userType: 'IAMUser' },
    },
    service: {
      count: 1,
      eventFirstSeen: new Date().toISOString(),
      eventLastSeen: new Date().toISOString(),
      additionalInfo: {},
    },
  });
  const entries = JSON.stringify([
    { Source: 'aws.guardduty', DetailType: 'GuardDuty Finding', Detail: detail },
  ]);
  console.log(`
The sandbox is running at ${e} (account 111122223333, region us-east-1). It verifies every
signature, so sign with its default credentials (or keys its IAM or STS issued):

  export AWS_ENDPOINT_URL=${e} AWS_ACCESS_KEY_ID=${SANDBOX_CREDENTIALS.accessKeyId} AWS_SECRET_ACCESS_KEY=${SANDBOX_CREDENTIALS.secretAccessKey} AWS_REGION=us-east-1

Put a GuardDuty finding on the bus (the leaked-key playbook will contain alice's key ${key}):

  aws --endpoint-url ${e} events put-events --entries '${entries.replace(/'/g, "'\\''")}'

Then look at what happened:

  aws --endpoint-url ${e} iam list-access-keys --user-name alice
  aws --endpoint-url ${e} stepfunctions list-executions --state-machine-arn ${stateMachine}
  aws --endpoint-url ${e} dynamodb scan --table-name ${auditTable}

The same from code, with the unmodified SDK:

  import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
  const events = new EventBridgeClient({ endpoint: '${e}', region: 'us-east-1' });
  await events.send(new PutEventsCommand({ Entries: ${entries.length > 120 ? '[...as above...]' : entries} }));

Press Ctrl+C to stop.`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  console.log('stopping the sandbox…');
  await sandbox.stop();
}
