import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { clientConfig } from '#shared/aws-clients.ts';
import { RemediationError } from '#shared/errors.ts';
import { type ApprovalKeys, deriveApprovalKeys } from './keys.ts';

/** Secrets Manager refused or failed GetSecretValue. */
export class SecretUnavailableError extends RemediationError {
  override name = 'SecretUnavailableError';
}

let client: SecretsManagerClient | undefined;

/** Read a secret's string with Secrets Manager GetSecretValue. */
export async function getSecretString(secretId: string): Promise<string> {
  client ??= new SecretsManagerClient(clientConfig());
  try {
    const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (typeof out.SecretString !== 'string') throw new Error('the secret has no string value');
    return out.SecretString;
  } catch (error) {
    throw new SecretUnavailableError(`GetSecretValue ${secretId} failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * The approval keys derived from a Secrets Manager secret, read once per execution environment
 * on first use; a failed read is not cached, so the next invocation tries again.
 */
export function cachedApprovalKeys(secretId: string): () => Promise<ApprovalKeys> {
  let keys: Promise<ApprovalKeys> | undefined;
  return () => {
    keys ??= getSecretString(secretId)
      .then(deriveApprovalKeys)
      .catch((error: unknown) => {
        keys = undefined;
        throw error;
      });
    return keys;
  };
}
