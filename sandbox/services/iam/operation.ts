import type { SandboxRequest } from '../../protocol.ts';
import { AwsError } from '../../protocol.ts';
import type { IamAccount } from './model.ts';

/**
 * What an IAM operation gets: its input as the SDK's model reads it (member names and types,
 * required members present), and the caller's account state.
 */
export interface IamCall<Input = Record<string, unknown>> {
  input: Input;
  account: IamAccount;
  req: SandboxRequest;
  /** The IAM user in this account whose access key signed the request, if any. */
  callerUserName?: string;
}

/** One IAM operation: returns its output object (SDK member names), or nothing for operations without output. */
// biome-ignore lint/suspicious/noExplicitAny: each operation reads its own input shape
export type IamOperation = (call: IamCall<any>) => object | undefined;

/**
 * The user an operation applies to: `UserName` if given, else the caller. IAM lets
 * access-key operations omit the user name and then acts on the signing user.
 */
export function targetUserName(call: IamCall<{ UserName?: string }>): string {
  const named = call.input.UserName;
  if (named) return named;
  if (call.callerUserName) return call.callerUserName;
  throw new AwsError('ValidationError', 'Must specify userName when calling with non-User credentials');
}
