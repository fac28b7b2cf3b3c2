import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callSdkAction, closeSdkClients, heldSdkClients } from '#sandbox/aws-sdk-clients.ts';
import type { SandboxCredentials } from '#sandbox/credentials.ts';
import { SANDBOX_ACCOUNT_ID, SandboxServer } from '#sandbox/server.ts';
import { IamService } from '#sandbox/services/iam.ts';
import { StsService } from '#sandbox/services/sts.ts';

/**
 * Step Functions signs each execution's task calls with that execution's own session, so the
 * task clients of a busy sandbox belong to many identities. They must not each hold connections
 * (and themselves) for the life of the sandbox.
 */
const server = new SandboxServer();
const iam = new IamService();
const sts = new StsService({ iam });
server.register(iam);
server.register(sts);
server.authorizer = sts;
let endpoint: string;

beforeAll(async () => {
  endpoint = await server.listen({ port: 0 });
});
afterAll(async () => {
  closeSdkClients();
  await server.close();
});

/** TCP sockets open in this process (both ends of every loopback connection). */
const openSockets = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;

describe('task calls made by many identities', () => {
  it('answer every call while holding a bounded number of clients and connections', async () => {
    const identities: SandboxCredentials[] = Array.from({ length: 400 }, (_, i) => ({
      accessKeyId: `AKIATASKCLIENT${String(i).padStart(6, '0')}`,
      secretAccessKey: `secret-${i}-${'x'.repeat(32)}`,
    }));
    for (const identity of identities) server.addAccessKey(identity, SANDBOX_ACCOUNT_ID);
    const before = openSockets();
    // A few at a time, as overlapping executions make them.
    for (let i = 0; i < identities.length; i += 8) {
      const outcomes = await Promise.all(
        identities
          .slice(i, i + 8)
          .map((credentials) => callSdkAction('iam', 'listUsers', {}, { endpoint, credentials })),
      );
      for (const { metadata } of outcomes) expect(metadata.httpStatusCode).toBe(200);
    }
    expect(heldSdkClients()).toBeLessThanOrEqual(256);
    // Each side of a kept-alive connection is one socket; 400 clients with an agent each held 800.
    expect(openSockets() - before).toBeLessThanOrEqual(2 * 64);
  });

  it('refuses a key set Inactive at once, though its client and signing key were just used', async () => {
    const root = { endpoint };
    await callSdkAction('iam', 'createUser', { UserName: 'task-client-user' }, root);
    const { output } = await callSdkAction('iam', 'createAccessKey', { UserName: 'task-client-user' }, root);
    const key = output.AccessKey as { AccessKeyId: string; SecretAccessKey: string };
    const credentials = { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey };
    const asUser = { endpoint, credentials };
    // The user has no policy: refused by IAM, but authenticated (its signature verified).
    await expect(callSdkAction('iam', 'listUsers', {}, asUser)).rejects.toMatchObject({
      name: 'AccessDenied',
    });
    await callSdkAction(
      'iam',
      'updateAccessKey',
      { UserName: 'task-client-user', AccessKeyId: key.AccessKeyId, Status: 'Inactive' },
      root,
    );
    await expect(callSdkAction('iam', 'listUsers', {}, asUser)).rejects.toMatchObject({
      name: 'InvalidClientTokenId',
    });
  });
});
