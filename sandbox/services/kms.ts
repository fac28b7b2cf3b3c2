import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type {
  CreateAliasRequest,
  CreateKeyRequest,
  DescribeKeyRequest,
  GenerateMacRequest,
  VerifyMacRequest,
} from '@aws-sdk/client-kms';
import { AwsError, type SandboxRequest } from '../protocol.ts';
import { ModelService, type OperationHandler, type WithRequired } from '../wire/model-service.ts';
import { ServiceModel } from '../wire/service-model.ts';
import { keyRotationOperations } from './kms-rotation.ts';

/** One KMS key. Only HMAC keys do cryptography here; other specs are held so they can be described. */
interface KeyState {
  readonly keyId: string;
  readonly arn: string;
  readonly accountId: string;
  readonly keySpec: string;
  readonly keyUsage: string;
  readonly description: string;
  readonly creationDate: Date;
  readonly enabled: boolean;
  /** The HMAC key material (never leaves the service, as in KMS). */
  readonly material?: Buffer;
}

/**
 * The HMAC key specs, the one MAC algorithm each supports, and the key length (bytes).
 * https://docs.aws.amazon.com/kms/latest/developerguide/hmac.html#hmac-key-specs
 */
const HMAC_SPECS: Readonly<Record<string, { algorithm: string; digest: string; bytes: number }>> = {
  HMAC_224: { algorithm: 'HMAC_SHA_224', digest: 'sha224', bytes: 28 },
  HMAC_256: { algorithm: 'HMAC_SHA_256', digest: 'sha256', bytes: 32 },
  HMAC_384: { algorithm: 'HMAC_SHA_384', digest: 'sha384', bytes: 48 },
  HMAC_512: { algorithm: 'HMAC_SHA_512', digest: 'sha512', bytes: 64 },
};

const KEY_ARN = /^arn:aws[\w-]*:kms:([a-z0-9-]+):(\d{12}):key\/(.+)$/;
const ALIAS_ARN = /^arn:aws[\w-]*:kms:([a-z0-9-]+):(\d{12}):(alias\/.+)$/;

/**
 * The sandbox's KMS (JSON 1.1, target prefix `TrentService`): CreateKey, DescribeKey, CreateAlias,
 * and the HMAC operations GenerateMac and VerifyMac, which compute RFC 2104 HMACs with key
 * material that never leaves the service. Keys are identified by key id, key ARN, alias name or
 * alias ARN. Key policies are evaluated with the caller's identity policies by the sandbox's
 * authorizer (`sandbox/services/iam/request-authorization.ts`).
 */
export class KmsService extends ModelService {
  readonly signingNames = ['kms'] as const;
  readonly protocol = 'json' as const;
  protected readonly model = new ServiceModel('@aws-sdk/client-kms', 'KMSClient');
  private readonly keys = new Map<string, KeyState>();
  private readonly aliases = new Map<string, string>();

  /** The ARN of the key `keyId` (id, ARN, alias name or alias ARN) names, if it exists. */
  keyArn(accountId: string, region: string, keyId: string): string | undefined {
    try {
      return this.find(accountId, region, keyId).arn;
    } catch (err) {
      if (err instanceof AwsError) return undefined;
      throw err;
    }
  }

  /** Create a key directly (the deployer, for `AWS::KMS::Key`, whose id and ARN it has chosen). */
  createKey(input: {
    accountId: string;
    region: string;
    keyId?: string;
    keySpec?: string;
    keyUsage?: string;
    description?: string;
    enabled?: boolean;
  }): string {
    const keySpec = input.keySpec ?? 'SYMMETRIC_DEFAULT';
    const hmac = HMAC_SPECS[keySpec];
    // HMAC keys are for GENERATE_VERIFY_MAC only; no other spec may have that usage.
    const keyUsage = input.keyUsage ?? (hmac ? undefined : 'ENCRYPT_DECRYPT');
    if ((hmac !== undefined) !== (keyUsage === 'GENERATE_VERIFY_MAC')) {
      throw new AwsError(
        'ValidationException',
        `KeyUsage ${keyUsage ?? '(none)'} is not compatible with KeySpec ${keySpec}`,
      );
    }
    const keyId = input.keyId ?? randomUUID();
    const arn = `arn:aws:kms:${input.region}:${input.accountId}:key/${keyId}`;
    this.keys.set(`${input.accountId}/${input.region}/${keyId}`, {
      keyId,
      arn,
      accountId: input.accountId,
      keySpec,
      keyUsage: keyUsage as string,
      description: input.description ?? '',
      creationDate: new Date(),
      enabled: input.enabled ?? true,
      material: hmac ? randomBytes(hmac.bytes) : undefined,
    });
    return arn;
  }

  /** Point an alias at a key (the deployer, for `AWS::KMS::Alias`). */
  createAlias(accountId: string, region: string, aliasName: string, targetKeyId: string): void {
    if (aliasName.startsWith('alias/aws/'))
      throw new AwsError('NotAuthorizedException', 'alias/aws/ is reserved for AWS managed keys');
    const key = this.find(accountId, region, targetKeyId);
    const at = `${accountId}/${region}/${aliasName}`;
    if (this.aliases.has(at))
      throw new AwsError('AlreadyExistsException', `An alias with the name ${aliasName} already exists`);
    this.aliases.set(at, key.keyId);
  }

  protected readonly operations: Record<string, OperationHandler> = {
    CreateKey: (req, p: CreateKeyRequest) => {
      const arn = this.createKey({
        accountId: req.accountId,
        region: req.region,
        keySpec: p.KeySpec,
        keyUsage: p.KeyUsage,
        description: p.Description,
      });
      return { KeyMetadata: metadata(this.find(req.accountId, req.region, arn)) };
    },
    DescribeKey: (req, p: WithRequired<DescribeKeyRequest, 'KeyId'>) => ({
      KeyMetadata: metadata(this.find(req.accountId, req.region, p.KeyId)),
    }),
    CreateAlias: (req, p: WithRequired<CreateAliasRequest, 'AliasName' | 'TargetKeyId'>) => {
      if (!/^alias\/[a-zA-Z0-9/_-]{1,250}$/.test(p.AliasName)) {
        throw new AwsError(
          'ValidationException',
          `1 validation error detected: Value '${p.AliasName}' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^alias/[a-zA-Z0-9/_-]+$`,
        );
      }
      this.createAlias(req.accountId, req.region, p.AliasName, p.TargetKeyId);
      return {};
    },
    GenerateMac: (req, p: WithRequired<GenerateMacRequest, 'KeyId' | 'MacAlgorithm' | 'Message'>) => {
      const key = this.macKey(req, 'GenerateMac', p.KeyId, p.MacAlgorithm);
      return { KeyId: key.arn, MacAlgorithm: p.MacAlgorithm, Mac: hmacOf(key, message(p.Message)) };
    },
    VerifyMac: (req, p: WithRequired<VerifyMacRequest, 'KeyId' | 'MacAlgorithm' | 'Message' | 'Mac'>) => {
      const key = this.macKey(req, 'VerifyMac', p.KeyId, p.MacAlgorithm);
      const expected = hmacOf(key, message(p.Message));
      const given = Buffer.from(p.Mac);
      // A MAC that does not verify is an error, not MacValid: false (VerifyMac API reference).
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw new AwsError(
          'KMSInvalidMacException',
          'The request was rejected because the HMAC verification failed.',
        );
      }
      return { KeyId: key.arn, MacValid: true, MacAlgorithm: p.MacAlgorithm };
    },
    ...keyRotationOperations((req, keyId) => this.find(req.accountId, req.region, keyId)),
  };

  /** The key for a MAC operation: an enabled HMAC key whose spec supports `algorithm`. */
  private macKey(
    req: SandboxRequest,
    operation: string,
    keyId: string,
    algorithm: string,
  ): KeyState & { material: Buffer } {
    const key = this.find(req.accountId, req.region, keyId);
    if (!key.enabled) throw new AwsError('DisabledException', `${key.arn} is disabled.`);
    const spec = HMAC_SPECS[key.keySpec];
    if (!spec || !key.material || key.keyUsage !== 'GENERATE_VERIFY_MAC') {
      throw new AwsError(
        'InvalidKeyUsageException',
        `${key.arn} key usage is ${key.keyUsage} which is not valid for ${operation}.`,
      );
    }
    if (spec.algorithm !== algorithm) {
      throw new AwsError(
        'InvalidKeyUsageException',
        `Algorithm ${algorithm} is incompatible with key spec ${key.keySpec}.`,
      );
    }
    return key as KeyState & { material: Buffer };
  }

  /** By key id, key ARN, alias name or alias ARN; another account's key only by ARN. */
  private find(accountId: string, region: string, keyId: string): KeyState {
    const keyArn = KEY_ARN.exec(keyId);
    const aliasArn = ALIAS_ARN.exec(keyId);
    const [where, id] = keyArn
      ? [`${keyArn[2]}/${keyArn[1]}`, keyArn[3] as string]
      : aliasArn
        ? [`${aliasArn[2]}/${aliasArn[1]}`, aliasArn[3] as string]
        : [`${accountId}/${region}`, keyId];
    const resolved = id.startsWith('alias/') ? this.aliases.get(`${where}/${id}`) : id;
    const key = resolved ? this.keys.get(`${where}/${resolved}`) : undefined;
    if (!key) {
      const shown = id.startsWith('alias/')
        ? `Alias arn:aws:kms:${where.split('/')[1]}:${where.split('/')[0]}:${id}`
        : `Key '${keyId}'`;
      throw new AwsError('NotFoundException', `${shown} does not exist`);
    }
    // The sandbox evaluates no key policies: another account's key is refused, as a key policy
    // that names no other account refuses it.
    if (key.accountId !== accountId) {
      throw new AwsError(
        'AccessDeniedException',
        `User in account ${accountId} is not authorized to use ${key.arn}: no resource-based policy allows it`,
      );
    }
    return key;
  }
}

/** The request's Message blob: 1 to 4,096 bytes. */
function message(blob: Uint8Array): Buffer {
  const bytes = Buffer.from(blob);
  if (bytes.length < 1 || bytes.length > 4096) {
    throw new AwsError(
      'ValidationException',
      "1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length between 1 and 4096",
    );
  }
  return bytes;
}

function hmacOf(key: KeyState & { material: Buffer }, bytes: Buffer): Buffer {
  const spec = HMAC_SPECS[key.keySpec] as { digest: string };
  return createHmac(spec.digest, key.material).update(bytes).digest();
}

/** DescribeKey's KeyMetadata. */
function metadata(key: KeyState): Record<string, unknown> {
  const hmac = HMAC_SPECS[key.keySpec];
  return {
    AWSAccountId: key.accountId,
    KeyId: key.keyId,
    Arn: key.arn,
    CreationDate: key.creationDate,
    Enabled: key.enabled,
    Description: key.description,
    KeyUsage: key.keyUsage,
    KeyState: key.enabled ? 'Enabled' : 'Disabled',
    Origin: 'AWS_KMS',
    KeyManager: 'CUSTOMER',
    KeySpec: key.keySpec,
    CustomerMasterKeySpec: key.keySpec,
    MultiRegion: false,
    ...(hmac
      ? { MacAlgorithms: [hmac.algorithm] }
      : key.keySpec === 'SYMMETRIC_DEFAULT'
        ? { EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'] }
        : {}),
  };
}
