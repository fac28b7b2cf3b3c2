import { createHash } from 'node:crypto';
import type { SandboxRequest } from '../../protocol.ts';
import type { AccessKeyView, IamService } from '../iam.ts';
import type { RoleSession, SessionStore } from '../sts-sessions.ts';
import type { PolicyPrincipal } from './policy-evaluation.ts';

/**
 * Who signed a request, as IAM authorizes it:
 * - `identity`: an IAM user's long-term key, GetSessionToken credentials of an IAM user, or a
 *   role session; held to `policies`, the user's or role's identity policies (inline: the
 *   sandbox IAM has no managed policies);
 * - `root`: the sandbox's own credentials (and keys that map an account), and GetSessionToken
 *   credentials they obtained: they act like an account's root user, allowed everything;
 * - `unsigned`: no SigV4 signature (a function URL with AuthType NONE, the approval page).
 */
export type Caller =
  | {
      readonly kind: 'identity';
      readonly principal: PolicyPrincipal;
      readonly policies: readonly string[];
      /** Credentials from GetSessionToken (which, without MFA, may not call IAM). */
      readonly fromGetSessionToken: boolean;
    }
  | { readonly kind: 'root'; readonly principal: PolicyPrincipal }
  | { readonly kind: 'unsigned' };

/** A stable id for something the sandbox did not create (the default user). */
export function derivedId(prefix: string, seed: string): string {
  return prefix + createHash('sha256').update(seed).digest('hex').slice(0, 17).toUpperCase();
}

/** The sandbox's own credentials, as GetCallerIdentity names them. */
export function rootCaller(accountId: string): PolicyPrincipal {
  const arn = `arn:aws:iam::${accountId}:user/sandbox`;
  return { arn, principalArn: arn, accountId, type: 'User', userId: derivedId('AIDA', accountId) };
}

/** A role session as policies see it (`aws:PrincipalArn` is the role, `aws:userid` `AROA…:<session>`). */
export function rolePrincipal(session: RoleSession): PolicyPrincipal {
  return {
    arn: session.arn,
    principalArn: session.roleArn,
    accountId: session.accountId,
    type: 'AssumedRole',
    userId: session.assumedRoleId,
    session: { issuedAt: session.issuedAt, mfaAuthenticated: false },
  };
}

/**
 * The caller of `req`. `keyOf` finds the long-term key IAM issued that signed it: pass
 * `iam.authenticate` to refuse an Inactive or deleted key (`InvalidClientTokenId`), whatever
 * the service, as AWS does.
 */
export function callerOf(
  req: SandboxRequest,
  iam: IamService,
  sessions: SessionStore,
  keyOf: (req: SandboxRequest) => AccessKeyView | undefined,
): Caller {
  if (!req.accessKeyId) return { kind: 'unsigned' };
  const roleSession = sessions.role(req.accessKeyId);
  if (roleSession) {
    // A session outlives nothing: with its role deleted, no policy allows it anything.
    const role = iam.roleByArn(roleSession.roleArn);
    return {
      kind: 'identity',
      principal: rolePrincipal(roleSession),
      policies: Object.values(role?.policies ?? {}),
      fromGetSessionToken: false,
    };
  }
  const userSession = sessions.user(req.accessKeyId);
  const key = userSession ? undefined : keyOf(req);
  const accountId = userSession?.accountId ?? key?.accountId ?? req.accountId;
  const userName = userSession ? userSession.userName : key?.userName;
  if (userName === undefined) return { kind: 'root', principal: rootCaller(accountId) };
  const user = iam.user(accountId, userName);
  const arn = user?.arn ?? `arn:aws:iam::${accountId}:user/${userName}`;
  return {
    kind: 'identity',
    principal: {
      arn,
      principalArn: arn,
      accountId,
      type: 'User',
      userId: user?.userId,
      userName: user?.userName ?? userName,
      session: userSession && { issuedAt: userSession.issuedAt, mfaAuthenticated: false },
    },
    // A user deleted since its session was issued has no policies left.
    policies: Object.values(user?.policies ?? {}),
    fromGetSessionToken: userSession !== undefined,
  };
}
