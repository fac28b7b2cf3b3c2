import { createHash, randomBytes, randomInt, randomUUID } from 'node:crypto';
import type {
  CreateSecretRequest,
  DescribeSecretRequest,
  GetRandomPasswordRequest,
  GetSecretValueRequest,
  PutSecretValueRequest,
} from '@aws-sdk/client-secrets-manager';
import { AwsError } from '../protocol.ts';
import { SANDBOX_REGION } from '../server.ts';
import { ModelService, type OperationHandler, type WithRequired } from '../wire/model-service.ts';
import { ServiceModel } from '../wire/service-model.ts';

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

const SECRET_ARN = /^arn:aws[\w-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:(.+)$/;

/** The options of GetRandomPassword, which CloudFormation's GenerateSecretString mirrors. */
export type RandomPasswordOptions = GetRandomPasswordRequest;

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
  const length = options.PasswordLength ?? 32;
  // PasswordLength: 1 to 4,096 (GetRandomPassword request syntax).
  if (!Number.isInteger(length) || length < 1 || length > 4096) {
    throw new AwsError(
      'ValidationException',
      `1 validation error detected: Value '${length}' at 'passwordLength' failed to satisfy constraint: Member must have value between 1 and 4096`,
    );
  }
  return Array.from({ length }, () => chars[randomInt(chars.length)]).join('');
}

/**
 * The sandbox's Secrets Manager (JSON 1.1, signing name `secretsmanager`): CreateSecret,
 * GetSecretValue, DescribeSecret, PutSecretValue and GetRandomPassword, enough for the approval
 * functions to read their link-signing secret. Secret ids are names or (partial) ARNs.
 */
export class SecretsManagerService extends ModelService {
  readonly signingNames = ['secretsmanager'] as const;
  readonly protocol = 'json' as const;
  protected readonly model = new ServiceModel('@aws-sdk/client-secrets-manager', 'SecretsManagerClient');
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

  protected readonly operations: Record<string, OperationHandler> = {
    CreateSecret: (req, p: WithRequired<CreateSecretRequest, 'Name'>) => {
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
    GetSecretValue: (req, input: WithRequired<GetSecretValueRequest, 'SecretId'>) => {
      const secret = this.find(req.accountId, req.region, input.SecretId);
      return {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: secret.versionId,
        SecretString: secret.value,
        VersionStages: ['AWSCURRENT'],
        CreatedDate: secret.lastChangedDate,
      };
    },
    DescribeSecret: (req, input: WithRequired<DescribeSecretRequest, 'SecretId'>) => {
      const secret = this.find(req.accountId, req.region, input.SecretId);
      return {
        ARN: secret.arn,
        Name: secret.name,
        Description: secret.description,
        CreatedDate: secret.createdDate,
        LastChangedDate: secret.lastChangedDate,
        VersionIdsToStages: { [secret.versionId]: ['AWSCURRENT'] },
      };
    },
    PutSecretValue: (req, p: WithRequired<PutSecretValueRequest, 'SecretId'>) => {
      const secret = this.find(req.accountId, req.region, p.SecretId);
      // One of SecretString and SecretBinary is required; the sandbox keeps strings only.
      if (p.SecretString === undefined) {
        throw new AwsError(
          'InvalidParameterException',
          'You must provide either SecretString or SecretBinary.',
        );
      }
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
    GetRandomPassword: (_req, input: GetRandomPasswordRequest) => ({
      RandomPassword: randomPassword(input),
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
