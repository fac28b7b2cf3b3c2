import { AwsError } from '../../protocol.ts';
import { parseJsonPath } from './json-path.ts';
import type { EventTarget } from './model.ts';

/** A target as the EventBridge JSON protocol carries it (the fields the sandbox honours). */
export interface WireTarget {
  Id?: string;
  Arn?: string;
  RoleArn?: string;
  Input?: string;
  InputPath?: string;
  InputTransformer?: { InputPathsMap?: Record<string, string>; InputTemplate?: string };
  DeadLetterConfig?: { Arn?: string };
  RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
}

const TARGET_ID = /^[.\-_A-Za-z0-9]{1,64}$/;
const VARIABLE_NAME = /^[A-Za-z0-9_-]{1,256}$/;

const validation = (message: string) => new AwsError('ValidationException', message);

/**
 * Check a target the way PutTargets does: a valid Id and an Arn, at most one way of shaping the
 * input, constant Input that is JSON, and JSONPaths EventBridge can evaluate.
 * @throws AwsError ValidationException
 */
export function validateTarget(target: EventTarget): void {
  if (!TARGET_ID.test(target.id ?? '')) throw validation(`Target Id ${target.id} is not valid.`);
  if (!target.arn) throw validation(`Target ${target.id}: Arn is required.`);
  const shapes = [target.input, target.inputPath, target.inputTransformer].filter((s) => s !== undefined);
  if (shapes.length > 1) {
    throw validation(`Target ${target.id}: only one of Input, InputPath and InputTransformer may be given.`);
  }
  if (target.input !== undefined) {
    try {
      JSON.parse(target.input);
    } catch (err) {
      throw validation(`Target ${target.id}: Input is not valid JSON text. ${(err as Error).message}`);
    }
  }
  if (target.inputPath !== undefined) parseJsonPath(target.inputPath);
  const transformer = target.inputTransformer;
  if (transformer) {
    if (!transformer.inputTemplate) throw validation(`Target ${target.id}: InputTemplate is required.`);
    for (const [name, path] of Object.entries(transformer.inputPathsMap ?? {})) {
      // Names that are not plain identifiers include the reserved `aws.events.*` ones.
      if (!VARIABLE_NAME.test(name)) throw validation(`InputPathsMap key ${name} is not valid.`);
      parseJsonPath(path);
    }
  }
}

/** A wire target in the sandbox's own shape. */
export function targetFromWire(wire: WireTarget): EventTarget {
  return {
    id: wire.Id ?? '',
    arn: wire.Arn ?? '',
    roleArn: wire.RoleArn,
    input: wire.Input,
    inputPath: wire.InputPath,
    inputTransformer: wire.InputTransformer
      ? {
          inputPathsMap: wire.InputTransformer.InputPathsMap,
          inputTemplate: wire.InputTransformer.InputTemplate ?? '',
        }
      : undefined,
    deadLetterArn: wire.DeadLetterConfig?.Arn,
    retryAttempts: wire.RetryPolicy?.MaximumRetryAttempts,
    maximumEventAgeInSeconds: wire.RetryPolicy?.MaximumEventAgeInSeconds,
  };
}

/** A target as ListTargetsByRule returns it; absent fields are left out. */
export function targetToWire(target: EventTarget): WireTarget {
  const retry =
    target.retryAttempts === undefined && target.maximumEventAgeInSeconds === undefined
      ? undefined
      : {
          MaximumRetryAttempts: target.retryAttempts,
          MaximumEventAgeInSeconds: target.maximumEventAgeInSeconds,
        };
  return {
    Id: target.id,
    Arn: target.arn,
    RoleArn: target.roleArn,
    Input: target.input,
    InputPath: target.inputPath,
    InputTransformer: target.inputTransformer
      ? {
          InputPathsMap: target.inputTransformer.inputPathsMap,
          InputTemplate: target.inputTransformer.inputTemplate,
        }
      : undefined,
    DeadLetterConfig: target.deadLetterArn ? { Arn: target.deadLetterArn } : undefined,
    RetryPolicy: retry,
  };
}
