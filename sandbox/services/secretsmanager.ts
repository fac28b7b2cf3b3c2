import { createHash, randomBytes, randomInt, randomUUID } from 'node:crypto';
import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import {
  AwsError,
  type Protocol,
  type SandboxRequest,
  type SandboxResponse,
  type SandboxService,
} from '../protocol.ts';
import { SANDBOX_REGION } from '../server.ts';

/** One secret: its current value only (the sandbox keeps no AWSPREVIOUS versions). */
interface SecretState {
  readonly name: string;
  readonly arn: string;
  readonly description?: string;
  readonly createdDate: Date;
  lastChangedDate: Date;
  value: string;
  versionId: string;
}

const TARGET_PREFIX = 'secretsmanager.';
const SECRET_ARN = /^arn:aws[\w-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:(.+)$/;

const CreateSecretInput = z.object({
  Name: z.string().check(z.minLength(1), z.maxLength(512)),
  Description: z.optional(z.string()),
  SecretString: z.optional(z.string()),
  ClientRequestToken: z.optional(z.string()),
});
const SecretIdInput = z.object({ SecretId: z.string().check(z.minLength(1)) });
const PutSecretValueInput = z.extend(SecretIdInput, {
  SecretString: z.string(),
  ClientRequestToken: z.optional(z.string()),
});
const RandomPasswordInput = z.object({
  PasswordLength: z.optional(z.number().check(z.int(), z.gte(1), z.lte(4096))),
  ExcludePunctuation: z.optional(z.boolean()),
  ExcludeNumbers: z.optional(z.boolean()),
  ExcludeUppercase: z.optional(z.boolean()),
  ExcludeLowercase: z.optional(z.boolean()),
  IncludeSpace: z.optional(z.boolean()),
  ExcludeCharacters: z.optional(z.string()),
});
/** The options of GetRandomPassword, which CloudFormation's GenerateSecretString mirrors. */
export type RandomPasswordOptions = z.infer<typeof RandomPasswordInput>;

const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

/** A random password as GetRandomPassword makes it (default 32 characters of every class). */
export function randomPassword(options: RandomPasswordOptions = {}): string {
  let alphabet = '';
  if (!options.ExcludeLowercase) alphabet += 'abcdefghijklmnopqrstuvwxyz';
  if (!options.ExcludeUppercase) alphabet += 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  if (!options.ExcludeNumbers) alphabet += '0123456789';
  if (!options.ExcludePunctuation) alphabet += PUNCTUATION;
  if (options.IncludeSpace) alphabet += ' ';
  const excluded = new Set(options.ExcludeCharacters ?? '');
  const chars = [...alphabet].filter((c) => !excluded.has(c));
  if (chars.length === 0)
    throw new AwsError('InvalidParameterException', 'No characters left to choose from');
  return Array.from({ length: options.PasswordLength ?? 32 }, () => chars[randomInt(chars.length)]).join('');
}

/**
 * The sandbox's Secrets Manager (JSON 1.1, signing name `secretsmanager`): CreateSecret,
 * GetSecretValue, DescribeSecret, PutSecretValue and GetRandomPassword, enough for the approval
 * functions to read their link-signing secret. Secret ids are names or (partial) ARNs.
 */
export class SecretsManagerService implements SandboxService {
  readonly signingNames = ['secretsmanager'] as const;
  readonly protocol: Protocol = 'json';
  private readonly secrets = new Map<string, SecretState>();

  /** The full ARN (random suffix included) of the secret `secretId` names, if it exists. */
  secretArn(accountId: string, region: string, secretId: string): string | undefined {
    try {
      return this.find(accountId, region, secretId).arn;
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

  /** Create a secret directly (the deployer, for `AWS::SecretsManager::Secret`). */
  createSecret(input: {
    accountId: string;
    region: string;
    name: string;
    value: string;
    arn?: string;
    description?: string;
  }): string {
    // Secrets live in one account and region: the same name may exist in another region.
    const key = `${input.accountId}/${input.region}/${input.name}`;
    if (this.secrets.has(key))
      throw new AwsError(
        'ResourceExistsException',
        `The operation failed because the secret ${input.name} already exists.`,
      );
    // Secrets Manager appends six random characters to the name in the ARN.
    const arn =
      input.arn ??
      `arn:aws:secretsmanager:${input.region}:${input.accountId}:secret:${input.name}-${suffix(input.name)}`;
    const now = new Date();
    this.secrets.set(key, {
      name: input.name,
      arn,
      description: input.description,
      createdDate: now,
      lastChangedDate: now,
      value: input.value,
      versionId: randomUUID(),
    });
    return arn;
  }

  /** A secret's current value by name or ARN, for tests and the demo. */
  secretValue(accountId: string, secretId: string, region = SANDBOX_REGION): string {
    return this.find(accountId, region, secretId).value;
  }

  private readonly operations: Record<string, (req: SandboxRequest, input: unknown) => object> = {
    CreateSecret: (req, input) => {
      const p = parse(CreateSecretInput, input);
      const arn = this.createSecret({
        accountId: req.accountId,
        region: req.region,
        name: p.Name,
        value: p.SecretString ?? '',
        description: p.Description,
      });
      const secret = this.find(req.accountId, req.region, arn);
      return { ARN: secret.arn, Name: secret.name, VersionId: secret.versionId };
    },
    GetSecretValue: (req, input) => {
      const secret = this.find(req.accountId, req.region, parse(SecretIdInput, input).SecretId);
      return {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: secret.versionId,
        SecretString: secret.value,
        VersionStages: ['AWSCURRENT'],
        CreatedDate: secret.lastChangedDate.getTime() / 1000,
      };
    },
    DescribeSecret: (req, input) => {
      const secret = this.find(req.accountId, req.region, parse(SecretIdInput, input).SecretId);
      return {
        ARN: secret.arn,
        Name: secret.name,
        Description: secret.description,
        CreatedDate: secret.createdDate.getTime() / 1000,
        LastChangedDate: secret.lastChangedDate.getTime() / 1000,
        VersionIdsToStages: { [secret.versionId]: ['AWSCURRENT'] },
      };
    },
    PutSecretValue: (req, input) => {
      const p = parse(PutSecretValueInput, input);
      const secret = this.find(req.accountId, req.region, p.SecretId);
      secret.value = p.SecretString;
      secret.versionId = p.ClientRequestToken ?? randomUUID();
      secret.lastChangedDate = new Date();
      return {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: secret.versionId,
        VersionStages: ['AWSCURRENT'],
      };
    },
    GetRandomPassword: (_req, input) => ({
      RandomPassword: randomPassword(parse(RandomPasswordInput, input)),
    }),
  };

  /** By name, full ARN, or ARN without the random suffix (a partial ARN). */
  private find(accountId: string, region: string, secretId: string): SecretState {
    const named = SECRET_ARN.exec(secretId)?.[1] ?? secretId;
    for (const [key, secret] of this.secrets) {
      if (!key.startsWith(`${accountId}/${region}/`)) continue;
      if (secret.arn === secretId || secret.name === named || secret.arn.endsWith(`:secret:${named}`))
        return secret;
    }
    throw new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
  }
}

function suffix(name: string): string {
  return createHash('sha256')
    .update(name)
    .update(randomBytes(4))
    .digest('base64url')
    .replace(/[-_]/g, 'x')
    .slice(0, 6);
}

function parse<T>(schema: z.ZodMiniType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AwsError(
      'InvalidParameterException',
      `${issue?.path.join('.') || 'input'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}
