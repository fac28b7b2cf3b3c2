import { createHash } from 'node:crypto';
import { AwsError } from '../../protocol.ts';
import type { FormParams } from './form-params.ts';
import type { InstanceProfileRef } from './resources.ts';
import type { Ec2State } from './state.ts';
import type { WireNamedOutput } from './wire-named-output.ts';

/** An instance profile as a request names it: `IamInstanceProfile.Arn` or `.Name`. */
export interface InstanceProfileSpec {
  readonly arn?: string;
  readonly name?: string;
}

/**
 * Resolves a requested instance profile to its ARN and id, or `undefined` when no such
 * profile exists. Lets the sandbox's IAM service answer for profiles it holds.
 */
export type InstanceProfileResolver = (
  accountId: string,
  spec: InstanceProfileSpec,
) => InstanceProfileRef | undefined;

/**
 * The resolver used when no IAM service is wired in: every well-formed name or ARN names a
 * profile, whose id is derived from its ARN so that it is stable across calls.
 */
export const deriveInstanceProfile: InstanceProfileResolver = (accountId, spec) => {
  const arn = spec.arn ?? `arn:aws:iam::${accountId}:instance-profile/${spec.name ?? ''}`;
  const digest = createHash('sha256').update(arn).digest('hex').toUpperCase();
  return { arn, id: `AIPA${digest.slice(0, 17)}` };
};

/** What an EC2 operation handler gets: the request's parameters and the caller's state. */
export interface Ec2Context {
  /** The request as the model reads it: SDK member names and types, checked against the input shape. */
  // biome-ignore lint/suspicious/noExplicitAny: each operation reads its own input shape
  readonly input: any;
  /** The request's form parameters, for operations not yet reading {@link input}. */
  readonly params: FormParams;
  readonly state: Ec2State;
  /** The time of the request. */
  readonly now: Date;
  readonly resolveInstanceProfile: InstanceProfileResolver;
}

/** One EC2 operation: returns the fields of the response element (after `requestId`). */
export type Ec2Handler = (ctx: Ec2Context) => WireNamedOutput;

/** Operations by action name, one table per concept module. */
export type Ec2Operations = Readonly<Record<string, Ec2Handler>>;

/** EC2's answer for a parameter a request must carry (and its model does not require). */
export function missingParameter(parameter: string): AwsError {
  return new AwsError('MissingParameter', `The request must contain the parameter ${parameter}`);
}

/**
 * A member EC2 requires though its model may not (`AvailabilityZone` of CreateVolume, which the
 * model leaves optional beside `AvailabilityZoneId`): absent or empty, it is `MissingParameter`.
 */
export function requiredMember<T extends object>(
  input: T,
  member: keyof T & string,
  wireName: string = member,
): string {
  const value: unknown = input[member];
  if (value === undefined || value === null || value === '') throw missingParameter(wireName);
  return value as string;
}

/** Read `IamInstanceProfile.Arn`/`.Name` from `params` and resolve it, as RunInstances and Associate do. */
export function resolveRequestedProfile(ctx: Ec2Context, field = 'IamInstanceProfile'): InstanceProfileRef {
  const spec = { arn: ctx.params.string(`${field}.Arn`), name: ctx.params.string(`${field}.Name`) };
  if (!spec.arn && !spec.name) {
    throw new AwsError(
      'MissingParameter',
      `The request must contain the parameter ${field}.Arn or ${field}.Name`,
    );
  }
  const profile = ctx.resolveInstanceProfile(ctx.state.accountId, spec);
  if (!profile) {
    const [parameter, value] = spec.arn ? ['arn', spec.arn] : ['name', spec.name];
    throw new AwsError(
      'InvalidParameterValue',
      `Value (${value}) for parameter iamInstanceProfile.${parameter} is invalid. Invalid IAM Instance Profile ${parameter}`,
    );
  }
  return profile;
}
