import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { AwsError, type SandboxRequest } from '../protocol.ts';

/** What rotation needs to know of a key (the KMS service's own record). */
export interface RotatableKey {
  readonly arn: string;
  readonly keySpec: string;
  readonly enabled: boolean;
}

const KeyIdInput = z.object({ KeyId: z.string().check(z.minLength(1), z.maxLength(2048)) });
const EnableInput = z.extend(KeyIdInput, {
  RotationPeriodInDays: z.optional(z.number().check(z.int(), z.gte(90), z.lte(2560))),
});

/** The default rotation period, in days (EnableKeyRotation). */
const DEFAULT_PERIOD_DAYS = 365;

/**
 * Automatic key rotation: GetKeyRotationStatus, EnableKeyRotation, DisableKeyRotation. Only
 * symmetric encryption keys rotate automatically; any other spec is refused with
 * UnsupportedOperationException, a disabled key with DisabledException. The period is 90 to 2,560
 * days, 365 when not given; a disabled rotation forgets it.
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_EnableKeyRotation.html
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyRotationStatus.html
 * https://docs.aws.amazon.com/kms/latest/developerguide/rotating-keys.html
 */
export function keyRotationOperations(
  find: (req: SandboxRequest, keyId: string) => RotatableKey,
): Record<string, (req: SandboxRequest, input: unknown) => object> {
  const periods = new WeakMap<RotatableKey, number>();
  const rotatable = (req: SandboxRequest, keyId: string) => {
    const key = find(req, keyId);
    if (key.keySpec !== 'SYMMETRIC_DEFAULT')
      throw new AwsError(
        'UnsupportedOperationException',
        `${key.arn} origin is not supported for this operation.`,
      );
    if (!key.enabled) throw new AwsError('DisabledException', `${key.arn} is disabled.`);
    return key;
  };
  return {
    GetKeyRotationStatus: (req, input) => {
      const key = find(req, parseInput(KeyIdInput, input).KeyId);
      const period = periods.get(key);
      return {
        KeyId: key.arn,
        KeyRotationEnabled: period !== undefined,
        ...(period !== undefined && { RotationPeriodInDays: period }),
      };
    },
    EnableKeyRotation: (req, input) => {
      const p = parseInput(EnableInput, input);
      periods.set(rotatable(req, p.KeyId), p.RotationPeriodInDays ?? DEFAULT_PERIOD_DAYS);
      return {};
    },
    DisableKeyRotation: (req, input) => {
      periods.delete(rotatable(req, parseInput(KeyIdInput, input).KeyId));
      return {};
    },
  };
}

function parseInput<T extends z.ZodMiniType>(schema: T, input: unknown): z.infer<T> {
  const parsed = schema.safeParse(input);
  if (!parsed.success)
    throw new AwsError(
      'ValidationException',
      parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    );
  return parsed.data;
}
