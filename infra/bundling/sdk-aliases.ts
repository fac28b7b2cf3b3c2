import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const requireHere = createRequire(import.meta.url);
const CREDENTIALS_FROM_ENV = path.join(import.meta.dirname, 'credentials-from-env.ts');
const NO_EVENT_STREAMS = path.join(import.meta.dirname, 'no-event-streams.ts');

/**
 * esbuild aliases for every Lambda bundle (`--alias:<from>=<to>`):
 *
 * - the SDK's default credential chain is replaced by the environment provider alone
 *   (`credentials-from-env.ts` says why);
 * - every import of `@smithy/core` resolves to the one copy `@aws-sdk/core` uses. The lock file
 *   holds several patch versions of it side by side (one per client that pinned a newer one), and
 *   a bundle otherwise carries each copy a client reaches: 60-70 KB per extra copy. Its subpaths
 *   are named one by one, each to its ESM entry, because an alias to the package folder would
 *   resolve `@smithy/core/<subpath>` to the CommonJS stub at the folder's root;
 * - its event streams, which no function calls, are left out (`no-event-streams.ts` says why).
 */
export function sdkAliases(): Record<string, string> {
  const awsCore = requireHere.resolve('@aws-sdk/core/package.json');
  const smithyCore = path.dirname(createRequire(awsCore).resolve('@smithy/core/package.json'));
  const { exports } = JSON.parse(readFileSync(path.join(smithyCore, 'package.json'), 'utf8')) as {
    exports: Record<string, { module?: string }>;
  };
  const aliases: Record<string, string> = { '@aws-sdk/credential-provider-node': CREDENTIALS_FROM_ENV };
  for (const [subpath, conditions] of Object.entries(exports)) {
    if (!conditions.module?.endsWith('.js')) continue; // ./package.json
    aliases[path.posix.join('@smithy/core', subpath)] = path.join(smithyCore, conditions.module);
  }
  aliases['@smithy/core/event-streams'] = NO_EVENT_STREAMS;
  return aliases;
}
