import {
  GenerateMacCommand,
  type KMSClient,
  KMSInvalidMacException,
  VerifyMacCommand,
} from '@aws-sdk/client-kms';
import { RemediationError } from '../errors.ts';

/**
 * The trail's record authentication: an HMAC computed inside AWS KMS with an HMAC_256 key whose
 * material never leaves KMS, so write access to the tables is not enough to forge a record.
 * Only the audit-append function may call `kms:GenerateMac`; verifiers call `kms:VerifyMac`.
 * https://docs.aws.amazon.com/kms/latest/developerguide/hmac.html
 *
 * What is MACed: a fixed context string and the record's `hash` (SHA-256 of its canonical JSON,
 * every field but `hash` and `mac`: so `pk`, `seq`, `prevHash` and `expiresAt` included).
 * GenerateMac takes at most 4,096 bytes, less than a record with its before/after state can be,
 * so the digest is MACed, and VerifyMac is given the same digest (GenerateMac API reference).
 */
export const MAC_ALGORITHM = 'HMAC_SHA_256';
const CONTEXT = 'auto-remediation/audit-record/v1\n';

// Apart from the KMS client, so the command line's help names it without loading the SDK.
export { AUDIT_MAC_KEY_ALIAS } from './mac-key-alias.ts';

/** Computes and checks record MACs. */
export interface RecordMac {
  /** The MAC (base64) of the record whose `hash` this is. */
  sign(hash: string): Promise<string>;
  /** Whether `mac` is the MAC of the record whose `hash` this is. */
  verify(hash: string, mac: string): Promise<boolean>;
}

/** The MAC key could not be used (refused, missing, disabled): nothing can be verified. */
export class RecordMacError extends RemediationError {
  override name = 'RecordMacError';
}

/** The bytes GenerateMac and VerifyMac are given for a record. */
export function macMessage(hash: string): Uint8Array {
  return new TextEncoder().encode(`${CONTEXT}${hash}`);
}

/** {@link RecordMac} with an AWS KMS HMAC key (key id, key ARN, alias name or alias ARN). */
export class KmsRecordMac implements RecordMac {
  constructor(
    private readonly kms: KMSClient,
    private readonly keyId: string,
  ) {}

  async sign(hash: string): Promise<string> {
    try {
      const { Mac } = await this.kms.send(
        new GenerateMacCommand({ KeyId: this.keyId, MacAlgorithm: MAC_ALGORITHM, Message: macMessage(hash) }),
      );
      if (!Mac) throw new Error('GenerateMac returned no Mac');
      return Buffer.from(Mac).toString('base64');
    } catch (error) {
      throw new RecordMacError(`cannot MAC an audit record with ${this.keyId}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  async verify(hash: string, mac: string): Promise<boolean> {
    try {
      const out = await this.kms.send(
        new VerifyMacCommand({
          KeyId: this.keyId,
          MacAlgorithm: MAC_ALGORITHM,
          Message: macMessage(hash),
          Mac: Buffer.from(mac, 'base64'),
        }),
      );
      return out.MacValid === true;
    } catch (error) {
      // A MAC that does not verify is this error, not MacValid: false (VerifyMac API reference).
      if (error instanceof KMSInvalidMacException) return false;
      throw new RecordMacError(
        `cannot verify audit records with ${this.keyId}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
}
