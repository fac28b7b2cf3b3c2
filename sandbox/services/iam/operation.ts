import type { SandboxRequest } from '../../protocol.ts';
import { AwsError } from '../../protocol.ts';
import type { XmlObject } from '../../query-protocol.ts';
import type { IamAccount } from './model.ts';

/** What an IAM operation gets: the parsed parameters and the caller's account state. */
export interface IamCall {
  params: URLSearchParams;
  account: IamAccount;
  req: SandboxRequest;
  /** The IAM user in this account whose access key signed the request, if any. */
  callerUserName?: string;
}

/** One IAM operation: returns the `<XResult>` children, or nothing for operations without output. */
export type IamOperation = (call: IamCall) => XmlObject | undefined;

/**
 * The user an operation applies to: `UserName` if given, else the caller. IAM lets
 * access-key operations omit the user name and then acts on the signing user.
 */
export function targetUserName(call: IamCall): string {
  const named = call.params.get('UserName');
  if (named) return named;
  if (call.callerUserName) return call.callerUserName;
  throw new AwsError('ValidationError', 'Must specify userName when calling with non-User credentials');
}
