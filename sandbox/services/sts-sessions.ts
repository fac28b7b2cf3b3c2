import { randomBytes } from 'node:crypto';
import type { SigningKey } from '../signing/signing-keys.ts';
import { iamId, secretAccessKey } from './iam/model.ts';
import type { RoleView } from './iam.ts';

/** A role session STS issued: what its temporary key stands for. */
export interface RoleSession {
  readonly accessKeyId: string;
  readonly accountId: string;
  /** The role's ARN, path included: the session's `aws:PrincipalArn`. */
  readonly roleArn: string;
  readonly roleName: string;
  readonly sessionName: string;
  /** `AROA…:<session name>`, the caller's UserId while using the session. */
  readonly assumedRoleId: string;
  /** `arn:aws:sts::<account>:assumed-role/<role>/<session>` */
  readonly arn: string;
  /** `aws:TokenIssueTime` of every request signed with the session. */
  readonly issuedAt: Date;
  readonly expiration: Date;
}

/**
 * Temporary credentials GetSessionToken issued to an IAM user, or to the account's root user
 * (`userName` absent): they act with the same permissions as the long-term key that asked
 * for them, and carry `aws:TokenIssueTime`.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_getsessiontoken.html
 */
export interface UserSession {
  readonly accessKeyId: string;
  readonly accountId: string;
  readonly userName?: string;
  readonly issuedAt: Date;
  readonly expiration: Date;
}

/** Temporary credentials as STS returns them. */
export interface IssuedCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
}

/** The sessions STS issued, by their temporary access key id. */
export class SessionStore {
  private readonly roleSessions = new Map<string, RoleSession>();
  private readonly userSessions = new Map<string, UserSession>();
  /** What the server verifies a request signed with a temporary key against. */
  private readonly signingKeys = new Map<string, SigningKey>();

  role(accessKeyId: string | undefined): RoleSession | undefined {
    return accessKeyId === undefined ? undefined : this.roleSessions.get(accessKeyId);
  }

  user(accessKeyId: string | undefined): UserSession | undefined {
    return accessKeyId === undefined ? undefined : this.userSessions.get(accessKeyId);
  }

  /** Issue and register a session of `role`: its key acts in the role's account. */
  issueRoleSession(
    role: RoleView,
    sessionName: string,
    durationSeconds: number,
  ): { session: RoleSession; credentials: IssuedCredentials } {
    const issuedAt = new Date();
    const session: RoleSession = {
      // Temporary keys start with ASIA; long-term keys with AKIA.
      accessKeyId: iamId('ASIA', 16),
      accountId: role.accountId,
      roleArn: role.arn,
      roleName: role.roleName,
      sessionName,
      assumedRoleId: `${role.roleId}:${sessionName}`,
      arn: `arn:aws:sts::${role.accountId}:assumed-role/${role.roleName}/${sessionName}`,
      issuedAt,
      expiration: new Date(issuedAt.getTime() + durationSeconds * 1000),
    };
    this.roleSessions.set(session.accessKeyId, session);
    return { session, credentials: this.credentialsFor(session) };
  }

  /** Issue and register GetSessionToken credentials for `userName` of `accountId` (root when absent). */
  issueUserSession(
    accountId: string,
    userName: string | undefined,
    durationSeconds: number,
  ): IssuedCredentials {
    const issuedAt = new Date();
    const session: UserSession = {
      accessKeyId: iamId('ASIA', 16),
      accountId,
      userName,
      issuedAt,
      expiration: new Date(issuedAt.getTime() + durationSeconds * 1000),
    };
    this.userSessions.set(session.accessKeyId, session);
    return this.credentialsFor(session);
  }

  /** A temporary key's secret, token, account and expiry, if STS issued it. */
  signingKey(accessKeyId: string): SigningKey | undefined {
    return this.signingKeys.get(accessKeyId);
  }

  /** New secret and token for a session, kept so the server can verify what they sign. */
  private credentialsFor(session: {
    accessKeyId: string;
    accountId: string;
    expiration: Date;
  }): IssuedCredentials {
    const credentials = {
      accessKeyId: session.accessKeyId,
      secretAccessKey: secretAccessKey(),
      sessionToken: randomBytes(192).toString('base64'),
      expiration: session.expiration,
    };
    this.signingKeys.set(session.accessKeyId, {
      accessKeyId: session.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      sessionToken: credentials.sessionToken,
      accountId: session.accountId,
      expiration: session.expiration,
    });
    return credentials;
  }
}
