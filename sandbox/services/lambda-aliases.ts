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

const ALIASES_PATH = /^\/2015-03-31\/functions\/([^/]+)\/aliases(?:\/([^/]+))?\/?$/;
const VERSIONS_PATH = /^\/2015-03-31\/functions\/([^/]+)\/versions\/?$/;

/** One alias or version request: the operation, the function, and the alias name where one is named. */
export interface AliasRequest {
  readonly operation: 'PublishVersion' | 'CreateAlias' | 'GetAlias' | 'UpdateAlias';
  readonly functionName: string;
  readonly aliasName?: string;
}

/** The alias or version operation a request names; `undefined` for other paths. */
export function aliasRequest(method: string, path: string): AliasRequest | undefined {
  const versions = VERSIONS_PATH.exec(path);
  if (versions && method === 'POST')
    return { operation: 'PublishVersion', functionName: decodeURIComponent(versions[1] ?? '') };
  const aliases = ALIASES_PATH.exec(path);
  if (!aliases) return undefined;
  const functionName = decodeURIComponent(aliases[1] ?? '');
  const aliasName = aliases[2] === undefined ? undefined : decodeURIComponent(aliases[2]);
  if (!aliasName && method === 'POST') return { operation: 'CreateAlias', functionName };
  if (aliasName && method === 'GET') return { operation: 'GetAlias', functionName, aliasName };
  if (aliasName && method === 'PUT') return { operation: 'UpdateAlias', functionName, aliasName };
  return undefined;
}

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

  /** Serve one request; `configuration` is the function's $LATEST configuration. */
  handle(request: AliasRequest, functionArn: string, body: string, configuration: Record<string, unknown>) {
    const input = JSON.parse(body || '{}') as { Name?: string; FunctionVersion?: string };
    switch (request.operation) {
      case 'PublishVersion': {
        const version = String((this.versions.get(functionArn) ?? 0) + 1);
        this.versions.set(functionArn, Number(version));
        return {
          status: 201,
          body: { ...configuration, Version: version, FunctionArn: `${functionArn}:${version}` },
        };
      }
      case 'CreateAlias': {
        const name = input.Name ?? '';
        const aliases = this.aliases.get(functionArn) ?? new Map<string, Alias>();
        this.aliases.set(functionArn, aliases);
        if (aliases.has(name))
          throw new AwsError(
            'ResourceConflictException',
            `Alias already exists: ${functionArn}:${name}`,
            409,
          );
        const alias = {
          name,
          functionVersion: this.existingVersion(functionArn, input.FunctionVersion),
          revisionId: randomUUID(),
        };
        aliases.set(name, alias);
        return { status: 201, body: aliasConfiguration(functionArn, alias) };
      }
      case 'GetAlias':
        return {
          status: 200,
          body: aliasConfiguration(functionArn, this.alias(functionArn, request.aliasName)),
        };
      case 'UpdateAlias': {
        const alias = this.alias(functionArn, request.aliasName);
        if (input.FunctionVersion !== undefined)
          alias.functionVersion = this.existingVersion(functionArn, input.FunctionVersion);
        alias.revisionId = randomUUID();
        return { status: 200, body: aliasConfiguration(functionArn, alias) };
      }
    }
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
