import { randomUUID } from 'node:crypto';
import { AwsError } from '../protocol.ts';

/**
 * Published versions and aliases of the sandbox's Lambda functions: PublishVersion, CreateAlias,
 * GetAlias, UpdateAlias. A version is a number Lambda assigns in sequence ("1", "2", ...); an
 * alias points at one version. The sandbox keeps no copy of the code per version (every version
 * runs the function's one asset): it serves the bookkeeping a rollback needs.
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-versions.html
 * https://docs.aws.amazon.com/lambda/latest/api/API_UpdateAlias.html
 */

interface Alias {
  name: string;
  functionVersion: string;
  revisionId: string;
}

/** Versions and aliases by unqualified function ARN. */
export class FunctionAliases {
  private readonly versions = new Map<string, number>();
  private readonly aliases = new Map<string, Map<string, Alias>>();

  /** True when `qualifier` names a published version or an alias of the function. */
  has(functionArn: string, qualifier: string): boolean {
    const latest = this.versions.get(functionArn) ?? 0;
    if (/^\d+$/.test(qualifier)) return Number(qualifier) >= 1 && Number(qualifier) <= latest;
    return this.aliases.get(functionArn)?.has(qualifier) ?? false;
  }

  /** The version a qualifier resolves to: itself for a version, the alias's version for an alias. */
  versionOf(functionArn: string, qualifier: string): string {
    return this.aliases.get(functionArn)?.get(qualifier)?.functionVersion ?? qualifier;
  }

  /** PublishVersion: the next version number, with the function's $LATEST `configuration`. */
  publishVersion(functionArn: string, configuration: Record<string, unknown>): Record<string, unknown> {
    const version = String((this.versions.get(functionArn) ?? 0) + 1);
    this.versions.set(functionArn, Number(version));
    return { ...configuration, Version: version, FunctionArn: `${functionArn}:${version}` };
  }

  createAlias(functionArn: string, name: string, functionVersion: string): Record<string, unknown> {
    const aliases = this.aliases.get(functionArn) ?? new Map<string, Alias>();
    this.aliases.set(functionArn, aliases);
    if (aliases.has(name))
      throw new AwsError('ResourceConflictException', `Alias already exists: ${functionArn}:${name}`, 409);
    const alias = {
      name,
      functionVersion: this.existingVersion(functionArn, functionVersion),
      revisionId: randomUUID(),
    };
    aliases.set(name, alias);
    return aliasConfiguration(functionArn, alias);
  }

  getAlias(functionArn: string, name: string): Record<string, unknown> {
    return aliasConfiguration(functionArn, this.alias(functionArn, name));
  }

  updateAlias(functionArn: string, name: string, functionVersion?: string): Record<string, unknown> {
    const alias = this.alias(functionArn, name);
    if (functionVersion !== undefined)
      alias.functionVersion = this.existingVersion(functionArn, functionVersion);
    alias.revisionId = randomUUID();
    return aliasConfiguration(functionArn, alias);
  }

  private alias(functionArn: string, name: string | undefined): Alias {
    const alias = this.aliases.get(functionArn)?.get(name ?? '');
    if (!alias)
      throw new AwsError('ResourceNotFoundException', `Alias not found: ${functionArn}:${name}`, 404);
    return alias;
  }

  private existingVersion(functionArn: string, version: string | undefined): string {
    if (
      version === '$LATEST' ||
      (version !== undefined && /^\d+$/.test(version) && this.has(functionArn, version))
    )
      return version;
    throw new AwsError('ResourceNotFoundException', `Function not found: ${functionArn}:${version}`, 404);
  }
}

function aliasConfiguration(functionArn: string, alias: Alias): Record<string, unknown> {
  return {
    AliasArn: `${functionArn}:${alias.name}`,
    Name: alias.name,
    FunctionVersion: alias.functionVersion,
    Description: '',
    RevisionId: alias.revisionId,
  };
}
