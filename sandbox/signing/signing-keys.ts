import type { SandboxCredentials } from '../credentials.ts';

/** An access key the sandbox accepts signatures from, with what AWS knows of it. */
export interface SigningKey extends SandboxCredentials {
  /** The account requests signed with the key act in. */
  readonly accountId: string;
  /** When temporary credentials stop working (STS sessions). @default never */
  readonly expiration?: Date;
  /** An IAM user's key set `Inactive` signs nothing until set `Active` again. @default true */
  readonly active?: boolean;
}

/** Where keys issued at run time come from: the sandbox IAM (user keys) and STS (role sessions). */
export interface SigningKeySource {
  /** The key `accessKeyId`, if this source issued it and it still exists. */
  signingKey(accessKeyId: string): SigningKey | undefined;
}

/** Whether `value` issues keys (a service the server should ask about unknown key ids). */
export function isSigningKeySource(value: unknown): value is SigningKeySource {
  return typeof (value as Partial<SigningKeySource>)?.signingKey === 'function';
}

/**
 * Every access key the sandbox knows, with its secret: fixed keys (the default credentials, the
 * deployer's per-account keys, keys a test adds) and the keys IAM and STS issue, asked at each
 * request so that a deactivated, deleted or expired key is refused at once.
 */
export class SigningKeys {
  private readonly fixed = new Map<string, SigningKey>();
  private readonly sources: SigningKeySource[] = [];

  /** Accept signatures made with `key` (its account is where its requests act). */
  add(key: SigningKey): void {
    this.fixed.set(key.accessKeyId, key);
  }

  /** Ask `source` about key ids not added here. */
  addSource(source: SigningKeySource): void {
    if (!this.sources.includes(source)) this.sources.push(source);
  }

  /** The key `accessKeyId`, wherever it was issued; `undefined` when no one issued it. */
  find(accessKeyId: string): SigningKey | undefined {
    const fixed = this.fixed.get(accessKeyId);
    if (fixed) return fixed;
    for (const source of this.sources) {
      const key = source.signingKey(accessKeyId);
      if (key) return key;
    }
    return undefined;
  }
}
