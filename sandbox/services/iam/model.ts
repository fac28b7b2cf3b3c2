import { randomInt } from 'node:crypto';
import { AwsError } from '../../protocol.ts';

/** A tag on an IAM user, role or instance profile. */
export interface Tag {
  Key: string;
  Value: string;
}

/** IAM's answer for an unknown name or id. */
export function noSuchEntity(message: string): AwsError {
  return new AwsError('NoSuchEntity', message, 404);
}

/** IAM's answer for a name that is already taken (names are unique regardless of case). */
export function entityAlreadyExists(message: string): AwsError {
  return new AwsError('EntityAlreadyExists', message, 409);
}

/** IAM's answer for a quota that would be exceeded (IAM reports these as 409). */
export function limitExceeded(message: string): AwsError {
  return new AwsError('LimitExceeded', message, 409);
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A random IAM-style identifier: a four-letter type prefix (`AIDA`, `AROA`, `AKIA`...) then `length` of [A-Z0-9]. */
export function iamId(prefix: string, length: number): string {
  let id = prefix;
  for (let i = 0; i < length; i++) id += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  return id;
}

/** A 40-character secret access key, the length AWS issues. */
export function secretAccessKey(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let secret = '';
  for (let i = 0; i < 40; i++) secret += alphabet[randomInt(alphabet.length)];
  return secret;
}

/** An IAM user and what hangs off it. */
export interface IamUser {
  userName: string;
  userId: string;
  path: string;
  arn: string;
  createDate: Date;
  tags: Tag[];
  /** Inline policies by name, documents kept exactly as submitted. */
  policies: Map<string, string>;
}

/** When and where a key was last used; absent until the first signed request. */
export interface AccessKeyLastUse {
  date: Date;
  serviceName: string;
  region: string;
}

/** A long-term access key of a user. */
export interface IamAccessKey {
  accessKeyId: string;
  secretAccessKey: string;
  userName: string;
  status: 'Active' | 'Inactive';
  createDate: Date;
  lastUsed?: AccessKeyLastUse;
}

/** An IAM role. */
export interface IamRole {
  roleName: string;
  roleId: string;
  path: string;
  arn: string;
  createDate: Date;
  assumeRolePolicyDocument: string;
  description?: string;
  maxSessionDuration: number;
  tags: Tag[];
  policies: Map<string, string>;
}

/** An instance profile: the container that lets an EC2 instance carry one role. */
export interface IamInstanceProfile {
  instanceProfileName: string;
  instanceProfileId: string;
  path: string;
  arn: string;
  createDate: Date;
  /** Role names, at most one (AWS's quota). */
  roleNames: string[];
  tags: Tag[];
}

/** IAM names are unique regardless of case, so every map is keyed by the lower-cased name. */
function nameKey(name: string): string {
  return name.toLowerCase();
}

/** The IAM state of one account. */
export class IamAccount {
  readonly users = new Map<string, IamUser>();
  readonly roles = new Map<string, IamRole>();
  readonly instanceProfiles = new Map<string, IamInstanceProfile>();
  /** Access keys by id. */
  readonly accessKeys = new Map<string, IamAccessKey>();

  constructor(readonly accountId: string) {}

  /** `arn:aws:iam::<account>:<type><path><name>`: the path sits between the type and the name. */
  arn(type: 'user' | 'role' | 'instance-profile', path: string, name: string): string {
    return `arn:aws:iam::${this.accountId}:${type}${path}${name}`;
  }

  findUser(name: string): IamUser | undefined {
    return this.users.get(nameKey(name));
  }

  requireUser(name: string): IamUser {
    const user = this.findUser(name);
    if (!user) throw noSuchEntity(`The user with name ${name} cannot be found.`);
    return user;
  }

  addUser(user: IamUser): void {
    if (this.findUser(user.userName)) {
      throw entityAlreadyExists(`User with name ${user.userName} already exists.`);
    }
    this.users.set(nameKey(user.userName), user);
  }

  deleteUser(name: string): void {
    this.users.delete(nameKey(name));
  }

  requireRole(name: string): IamRole {
    const role = this.roles.get(nameKey(name));
    if (!role) throw noSuchEntity(`The role with name ${name} cannot be found.`);
    return role;
  }

  /** Whether a role of that name exists (IAM names are unique regardless of case). */
  hasRole(name: string): boolean {
    return this.roles.has(nameKey(name));
  }

  /** A new role of this account, with what IAM fills in itself: its id, ARN and creation date. */
  createRole(
    fields: Pick<
      IamRole,
      'roleName' | 'path' | 'assumeRolePolicyDocument' | 'description' | 'maxSessionDuration' | 'tags'
    >,
  ): IamRole {
    const role: IamRole = {
      ...fields,
      roleId: iamId('AROA', 17),
      arn: this.arn('role', fields.path, fields.roleName),
      createDate: new Date(),
      policies: new Map(),
    };
    this.addRole(role);
    return role;
  }

  addRole(role: IamRole): void {
    if (this.roles.has(nameKey(role.roleName))) {
      throw entityAlreadyExists(`Role with name ${role.roleName} already exists.`);
    }
    this.roles.set(nameKey(role.roleName), role);
  }

  requireInstanceProfile(name: string): IamInstanceProfile {
    const profile = this.instanceProfiles.get(nameKey(name));
    if (!profile) throw noSuchEntity(`Instance Profile ${name} cannot be found.`);
    return profile;
  }

  addInstanceProfile(profile: IamInstanceProfile): void {
    if (this.instanceProfiles.has(nameKey(profile.instanceProfileName))) {
      throw entityAlreadyExists(`Instance Profile ${profile.instanceProfileName} already exists.`);
    }
    this.instanceProfiles.set(nameKey(profile.instanceProfileName), profile);
  }

  /** The keys of one user, oldest first. */
  accessKeysOf(userName: string): IamAccessKey[] {
    return [...this.accessKeys.values()].filter((k) => nameKey(k.userName) === nameKey(userName));
  }

  /**
   * A key of the given user. A key that exists but belongs to someone else answers the
   * same as an unknown key, as in AWS: the caller learns nothing about other users' keys.
   */
  requireAccessKeyOf(userName: string, accessKeyId: string): IamAccessKey {
    const key = this.accessKeys.get(accessKeyId);
    if (!key || nameKey(key.userName) !== nameKey(userName)) {
      throw noSuchEntity(`The Access Key with id ${accessKeyId} cannot be found.`);
    }
    return key;
  }
}
