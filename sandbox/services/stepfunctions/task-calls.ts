import {
  callSdkAction,
  loadSdkModule,
  type SandboxCredentials,
  UnknownSdkServiceError,
} from '../../aws-sdk-clients.ts';
import {
  optimizedIntegrationError,
  sdkIntegrationError,
  TaskError,
  TaskRuntimeError,
} from './task-errors.ts';
import type { TaskResource } from './task-resources.ts';
import type { JsonObject, JsonValue } from './types.ts';

/** Where and as whom a task's call is made, and on behalf of which execution. */
export interface CallContext {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: SandboxCredentials;
  readonly executionArn: string;
  readonly stateMachineArn: string;
}

type SdkResult = Awaited<ReturnType<typeof callSdkAction>>;

/**
 * Make a task's call through the real SDK v3 client against the sandbox (so the wire protocol
 * is exercised) and return the task's result, or throw a `TaskError` named as Step Functions names
 * the failure.
 */
export async function callTaskResource(
  resource: TaskResource,
  parameters: JsonValue,
  context: CallContext,
): Promise<JsonValue> {
  const params = (parameters ?? {}) as JsonObject;
  switch (resource.integration) {
    case 'aws-sdk':
      return callAwsSdk(resource, params, context);
    case 'dynamodb':
      return withSdkMetadata(await optimized(resource, params, context));
    case 'sns':
      return withSdkMetadata(await optimized(resource, stringify(params, 'Message'), context));
    case 'events':
      return putEvents(resource, params, context);
    case 'lambda-invoke':
      return invokeLambda(resource, params, context);
    case 'lambda-function': {
      const result = await invokeLambda(
        resource,
        { FunctionName: resource.arn, Payload: parameters },
        context,
      );
      return (result as JsonObject).Payload ?? null;
    }
  }
}

async function callAwsSdk(
  resource: TaskResource,
  params: JsonObject,
  context: CallContext,
): Promise<JsonValue> {
  const sdk = await loadSdkModule(resource.service).catch((error: unknown) => {
    throw new TaskRuntimeError((error as Error).message);
  });
  if (!sdk.command(resource.action)) {
    throw new TaskRuntimeError(
      `The resource provided ${resource.arn} is not recognized: no action '${resource.action}'`,
    );
  }
  try {
    const { output } = await callSdkAction(resource.service, resource.action, params, context);
    return toJson(output);
  } catch (error) {
    throw sdkIntegrationError(sdk.service.errorPrefix, error, sdk.isModelledError(error));
  }
}

async function optimized(
  resource: TaskResource,
  params: JsonObject,
  context: CallContext,
): Promise<SdkResult> {
  try {
    return await callSdkAction(resource.service, resource.action, params, context);
  } catch (error) {
    if (error instanceof UnknownSdkServiceError) throw new TaskRuntimeError(error.message);
    throw optimizedIntegrationError(resource.integration, error);
  }
}

/** EventBridge PutEvents: Step Functions serializes object Details and adds itself to Resources. */
async function putEvents(
  resource: TaskResource,
  params: JsonObject,
  context: CallContext,
): Promise<JsonValue> {
  const entries = ((params.Entries as JsonObject[] | undefined) ?? []).map((entry) => ({
    ...stringify(entry, 'Detail'),
    Resources: [
      ...((entry.Resources as string[] | undefined) ?? []),
      context.stateMachineArn,
      context.executionArn,
    ],
  }));
  const result = await optimized(resource, { ...params, Entries: entries }, context);
  if (Number(result.output.FailedEntryCount ?? 0) > 0) {
    throw new TaskError('EventBridge.FailedEntry', JSON.stringify(toJson(result.output)));
  }
  return withSdkMetadata(result);
}

/**
 * `lambda:invoke`: the result is the Invoke response (`Payload` parsed as JSON, `StatusCode`,
 * `ExecutedVersion`); a function error fails the task with the function's `errorType` as error and
 * the error payload as cause.
 */
async function invokeLambda(
  resource: TaskResource,
  params: JsonObject,
  context: CallContext,
): Promise<JsonValue> {
  const { Payload: payload, ...rest } = params;
  const input = {
    ...rest,
    ...(payload === undefined ? {} : { Payload: Buffer.from(JSON.stringify(payload)) }),
  };
  const result = await optimized({ ...resource, action: 'invoke' }, input as JsonObject, context);
  const text = Buffer.from((result.output.Payload as Uint8Array | undefined) ?? []).toString('utf8');
  const parsed = parseJson(text);
  if (result.output.FunctionError) {
    const errorType = (parsed as JsonObject | null)?.errorType;
    throw new TaskError(typeof errorType === 'string' ? errorType : 'Exception', text);
  }
  return {
    ExecutedVersion: (result.output.ExecutedVersion as string | undefined) ?? '$LATEST',
    Payload: parsed,
    SdkHttpMetadata: { HttpStatusCode: result.metadata.httpStatusCode ?? 200 },
    SdkResponseMetadata: { RequestId: result.metadata.requestId ?? '' },
    StatusCode: (result.output.StatusCode as number | undefined) ?? 200,
  };
}

/**
 * Sessions of a state machine's own role, as Step Functions obtains them from STS for the service
 * principal `states.amazonaws.com` (the sandbox's StsService provides them).
 */
export interface MachineRoleSessions {
  /** Whether the sandbox IAM holds the role (only then can its trust policy be evaluated). */
  hasRole(roleArn: string): boolean;
  /** A session of `roleArn` for `service`; throws `AccessDenied` when the role's trust policy refuses. */
  serviceSession(
    roleArn: string,
    service: string,
    request: { sessionName: string; sourceAccount?: string; sourceArn?: string },
  ): SandboxCredentials;
}

/**
 * Assume the task's `Credentials.RoleArn` through the sandbox's STS, as Step Functions does:
 * signed with `signWith()` (a session of the state machine's role) when given, else with the
 * context's credentials. A refusal fails the task with `States.TaskFailed`, the STS message in
 * its cause (naming the caller, `sts:AssumeRole` and the role).
 */
export async function assumeTaskRole(
  roleArn: string,
  sessionName: string,
  context: Omit<CallContext, 'executionArn' | 'stateMachineArn'>,
  signWith?: () => SandboxCredentials,
): Promise<SandboxCredentials> {
  try {
    const signer = signWith ? { ...context, credentials: signWith() } : context;
    const { output } = await callSdkAction(
      'sts',
      'assumeRole',
      { RoleArn: roleArn, RoleSessionName: sessionName.replace(/[^\w+=,.@-]/g, '-').slice(0, 64) },
      signer,
    );
    const credentials = output.Credentials as {
      AccessKeyId: string;
      SecretAccessKey: string;
      SessionToken?: string;
    };
    return {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      sessionToken: credentials.SessionToken,
    };
  } catch (error) {
    throw new TaskError('States.TaskFailed', `Unable to assume role ${roleArn}: ${(error as Error).message}`);
  }
}

/** The optimized integrations add the SDK's HTTP metadata to the service's response. */
function withSdkMetadata(result: SdkResult): JsonValue {
  return {
    ...(toJson(result.output) as JsonObject),
    SdkHttpMetadata: { HttpStatusCode: result.metadata.httpStatusCode ?? 200 },
    SdkResponseMetadata: { RequestId: result.metadata.requestId ?? '' },
  };
}

/** The optimized integrations accept JSON objects where the API wants text (SNS Message, Detail). */
function stringify(params: JsonObject, field: string): JsonObject {
  const value = params[field];
  return value === undefined || typeof value === 'string'
    ? params
    : { ...params, [field]: JSON.stringify(value) };
}

function parseJson(text: string): JsonValue {
  if (text.length === 0) return null;
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    // A function may return non-JSON text; Step Functions passes it on as a string.
    return text;
  }
}

/** SDK output as JSON: timestamps as ISO 8601 (whole seconds without `.000`), blobs as UTF-8 text. */
function toJson(output: Record<string, unknown>): JsonValue {
  const text = JSON.stringify(output, function replace(this: Record<string, unknown>, key, value) {
    const original = this[key];
    if (original instanceof Date) return original.toISOString().replace('.000Z', 'Z');
    if (original instanceof Uint8Array) return Buffer.from(original).toString('utf8');
    return value;
  });
  return text === undefined ? null : (JSON.parse(text) as JsonValue);
}
