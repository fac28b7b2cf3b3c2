import { createHash, randomBytes } from 'node:crypto';
import { SANDBOX_CREDENTIALS, type SandboxCredentials } from '../aws-sdk-clients.ts';
import { type SandboxClients, sandboxClients } from '../clients.ts';
import { SANDBOX_ACCOUNT_ID } from '../server.ts';

/**
 * One access key per account the sandbox acts in, and SDK clients signed with it per region, so
 * that what is deployed into an account (and the functions running there) acts in that account.
 * Each key's secret is drawn at random when the key is first needed and given to the server,
 * which verifies every signature made with it.
 */
export class AccountAccess {
  private readonly keys = new Map<string, SandboxCredentials>();
  private readonly clients = new Map<string, SandboxClients>();

  constructor(
    private readonly endpoint: string,
    private readonly addAccessKey: (credentials: SandboxCredentials, accountId: string) => void,
  ) {}

  /** The credentials that act in `accountId`: the sandbox's own for the default account. */
  credentials(accountId: string): SandboxCredentials {
    if (accountId === SANDBOX_ACCOUNT_ID) return SANDBOX_CREDENTIALS;
    let credentials = this.keys.get(accountId);
    if (!credentials) {
      credentials = {
        accessKeyId: accessKeyIdFor(accountId),
        secretAccessKey: randomBytes(30).toString('base64'),
      };
      this.addAccessKey(credentials, accountId);
      this.keys.set(accountId, credentials);
    }
    return credentials;
  }

  /** SDK clients acting in `accountId` and `region`, made once and kept until {@link close}. */
  clientsFor(accountId: string, region: string): SandboxClients {
    const key = `${accountId}/${region}`;
    let clients = this.clients.get(key);
    if (!clients) {
      clients = sandboxClients(this.endpoint, region, this.credentials(accountId));
      this.clients.set(key, clients);
    }
    return clients;
  }

  /** Destroy every client made here. */
  close(): void {
    for (const clients of this.clients.values())
      for (const client of Object.values(clients)) client.destroy();
    this.clients.clear();
  }
}

/** An access key id in AWS's shape (`AKIA` and 16 base-32 characters), the same for an account every run. */
function accessKeyIdFor(accountId: string): string {
  const digest = createHash('sha256').update(`sandbox-deployer/${accountId}`).digest();
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  return `AKIA${[...digest.subarray(0, 16)].map((byte) => alphabet[byte % 32]).join('')}`;
}
