import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import {
  AwsError,
  type Protocol,
  type SandboxRequest,
  type SandboxResponse,
  type SandboxService,
} from '../protocol.ts';
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

const TARGET_PREFIX = 'TrentService.';

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

const CreateKeyInput = z.object({
  Description: z.optional(z.string()),
  KeySpec: z.optional(z.string()),
  KeyUsage: z.optional(z.string()),
});
const KeyIdInput = z.object({ KeyId: z.string().check(z.minLength(1), z.maxLength(2048)) });
/** Message: up to 4,096 bytes (GenerateMac and VerifyMac request syntax). */
const MacInput = z.extend(KeyIdInput, { Message: z.string(), MacAlgorithm: z.string() });
const VerifyMacInput = z.extend(MacInput, { Mac: z.string() });
const CreateAliasInput = z.object({
  AliasName: z.string().check(z.regex(/^alias\/[a-zA-Z0-9/_-]{1,250}$/)),
  TargetKeyId: z.string().check(z.minLength(1)),
});

/**
 * The sandbox's KMS (JSON 1.1, target prefix `TrentService`): CreateKey, DescribeKey, CreateAlias,
 * and the HMAC operations GenerateMac and VerifyMac, which compute RFC 2104 HMACs with key
 * material that never leaves the service. Keys are identified by key id, key ARN, alias name or
 * alias ARN. Key policies are evaluated with the caller's identity policies by the sandbox's
 * authorizer (`sandbox/services/iam/request-authorization.ts`).
 */
export class KmsService implements SandboxService {
  readonly signingNames = ['kms'] as const;
  readonly protocol: Protocol = 'json';
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

  operation(req: SandboxRequest): string {
    const target = req.headers['x-amz-target'] ?? '';
    return target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : 'Unknown';
  }

  async handle(req: SandboxRequest, operation: string): Promise<SandboxResponse> {
    const run = this.operations[operation];
    if (!run) throw new AwsError('UnknownOperationException', `Unknown operation ${operation}`);
    let input: unknown;
    try {
      input = req.body.length > 0 ? JSON.parse(req.body.toString('utf8')) : {};
    } catch (error) {
      throw Object.assign(new AwsError('SerializationException', 'The request body is not valid JSON'), {
        cause: error,
      });
    }
    return {
      status: 200,
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': req.requestId },
      body: JSON.stringify(run(req, input)),
    };
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

  private readonly operations: Record<string, (req: SandboxRequest, input: unknown) => object> = {
    CreateKey: (req, input) => {
      const p = parse(CreateKeyInput, input);
      const arn = this.createKey({
        accountId: req.accountId,
        region: req.region,
        keySpec: p.KeySpec,
        keyUsage: p.KeyUsage,
        description: p.Description,
      });
      return { KeyMetadata: metadata(this.find(req.accountId, req.region, arn)) };
    },
    DescribeKey: (req, input) => ({
      KeyMetadata: metadata(this.find(req.accountId, req.region, parse(KeyIdInput, input).KeyId)),
    }),
    CreateAlias: (req, input) => {
      const p = parse(CreateAliasInput, input);
      this.createAlias(req.accountId, req.region, p.AliasName, p.TargetKeyId);
      return {};
    },
    GenerateMac: (req, input) => {
      const p = parse(MacInput, input);
      const key = this.macKey(req, p.KeyId, p.MacAlgorithm);
      return {
        KeyId: key.arn,
        MacAlgorithm: p.MacAlgorithm,
        Mac: hmacOf(key, message(p.Message)).toString('base64'),
      };
    },
    VerifyMac: (req, input) => {
      const p = parse(VerifyMacInput, input);
      const key = this.macKey(req, p.KeyId, p.MacAlgorithm);
      const expected = hmacOf(key, message(p.Message));
      const given = Buffer.from(p.Mac, 'base64');
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
  private macKey(req: SandboxRequest, keyId: string, algorithm: string): KeyState & { material: Buffer } {
    const key = this.find(req.accountId, req.region, keyId);
    if (!key.enabled) throw new AwsError('DisabledException', `${key.arn} is disabled.`);
    const spec = HMAC_SPECS[key.keySpec];
    if (!spec || !key.material || key.keyUsage !== 'GENERATE_VERIFY_MAC') {
      throw new AwsError(
        'InvalidKeyUsageException',
        `${key.arn} key usage is ${key.keyUsage} which is not valid for ${req.headers['x-amz-target']?.slice(TARGET_PREFIX.length)}.`,
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
function message(base64: string): Buffer {
  const bytes = Buffer.from(base64, 'base64');
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
    CreationDate: key.creationDate.getTime() / 1000,
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

function parse<T>(schema: z.ZodMiniType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AwsError(
      'ValidationException',
      `${issue?.path.join('.') || 'input'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}
