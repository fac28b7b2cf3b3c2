/** Credentials as the SDK v3 clients take them. */
export interface SandboxCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/**
 * The sandbox's default credentials: they act in the default account (111122223333). The key id
 * is AWS's documented example key; every request is verified against this secret, so a client
 * must sign with exactly these (or with keys the sandbox IAM or STS issued).
 */
export const SANDBOX_CREDENTIALS: SandboxCredentials = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'sandbox-secret',
};
