import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Which structure members are enums, and the values each allows.
 *
 * The SDK's runtime schemas carry a plain string for an enum member (the enum trait is dropped),
 * but the client's type declarations still name the enum (`KeyUsage?: KeyUsageType | undefined`)
 * and the package exports each enum as a const object (`KeyUsageType = { ENCRYPT_DECRYPT: ... }`).
 * Joining the two gives `CreateKeyRequest.KeyUsage` -> `['ENCRYPT_DECRYPT', ...]`. No library reads
 * this back out of a client, so it is done here.
 *
 * @param resolvedEntry the client's resolved CommonJS entry (`.../dist-cjs/index.js`)
 * @param exports the client package's exports
 */
export function readEnumMembers(
  resolvedEntry: string,
  exports: Record<string, unknown>,
): Map<string, readonly string[]> {
  const modelsDir = join(dirname(resolvedEntry), '..', 'dist-types', 'models');
  const enums = new Map<string, readonly string[]>();
  let files: string[];
  try {
    files = readdirSync(modelsDir).filter((f) => /^models_\d+\.d\.ts$/.test(f));
  } catch {
    // A client without type declarations: enum values are then not checked.
    return enums;
  }
  const enumValues = (typeName: string): readonly string[] | undefined => {
    const value = exports[typeName];
    if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
    const values = Object.values(value);
    return values.length > 0 && values.every((v) => typeof v === 'string') ? (values as string[]) : undefined;
  };
  for (const file of files) {
    let struct: string | undefined;
    for (const line of readFileSync(join(modelsDir, file), 'utf8').split('\n')) {
      const opened = /^export interface (\w+) \{/.exec(line);
      if (opened) {
        struct = opened[1];
        continue;
      }
      if (line.startsWith('}')) {
        struct = undefined;
        continue;
      }
      if (!struct) continue;
      // `Member?: EnumType | undefined;` or a list of them: `Member?: EnumType[] | undefined;`
      const member = /^ {4}(\w+)\??: (\w+)(?:\[\])? \| undefined;$/.exec(line);
      if (!member) continue;
      const values = enumValues(member[2] as string);
      if (values) enums.set(`${struct}.${member[1]}`, values);
    }
  }
  return enums;
}
