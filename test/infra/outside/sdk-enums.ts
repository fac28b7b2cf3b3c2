import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import ts from 'typescript';

/**
 * The enums of an AWS SDK v3 client, by the structure member that takes one.
 *
 * The generated operation schemas (`dist-es/schemas`) keep no enum traits, nor the name of a
 * string member's target shape (a string member is only `0`), so they cannot tell an enum member
 * from a free string. The client's type declarations do: each structure is an interface of its
 * shape's name (`ModifyInstanceAttributeRequest`) in `dist-types/models/models_*.d.ts`, whose
 * members are typed with the enum's name (`Attribute?: InstanceAttributeName | undefined`, or
 * `InstanceAttributeName[]` for a list), and the enum's values are the const object of that name
 * exported by `models/enums`.
 */
export interface EnumTable {
  /** The values a member of a structure accepts, when it is an enum (or a list of one). */
  valuesOf(structure: string, member: string): { name: string; values: readonly string[] } | undefined;
  /** Whether the declarations hold the structure at all (the lookup is only as good as that). */
  declares(structure: string): boolean;
}

const require = createRequire(import.meta.url);

/** The enum a member's declared type names: `E`, `E[]`, each maybe `| undefined`. */
function enumNamed(type: ts.TypeNode | undefined, enums: Set<string>): string | undefined {
  if (!type) return undefined;
  if (ts.isUnionTypeNode(type)) {
    const named = type.types.map((t) => enumNamed(t, enums)).filter((n) => n !== undefined);
    return named.length === 1 ? named[0] : undefined;
  }
  if (ts.isArrayTypeNode(type)) return enumNamed(type.elementType, enums);
  if (ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName) && enums.has(type.typeName.text))
    return type.typeName.text;
  return undefined;
}

/** The enum table of one client package (`client-ec2`). */
export async function enumTable(pkg: string): Promise<EnumTable> {
  const root = path.dirname(require.resolve(`@aws-sdk/${pkg}/package.json`));
  const exported = (await import(`@aws-sdk/${pkg}/dist-es/models/enums.js`)) as Record<string, unknown>;
  const enums = new Map(
    Object.entries(exported)
      .filter(([, v]) => v !== null && typeof v === 'object')
      .map(([name, v]) => [name, Object.values(v as Record<string, string>)] as const),
  );
  const names = new Set(enums.keys());
  const structures = new Map<string, Map<string, string>>();
  const dir = path.join(root, 'dist-types/models');
  for (const file of readdirSync(dir).filter((f) => /^models_\d+\.d\.ts$/.test(f))) {
    const source = ts.createSourceFile(
      file,
      readFileSync(path.join(dir, file), 'utf8'),
      ts.ScriptTarget.Latest,
    );
    for (const statement of source.statements) {
      if (!ts.isInterfaceDeclaration(statement)) continue;
      const members = new Map<string, string>();
      for (const member of statement.members) {
        if (!ts.isPropertySignature(member) || !ts.isIdentifier(member.name)) continue;
        const name = enumNamed(member.type, names);
        if (name) members.set(member.name.text, name);
      }
      structures.set(statement.name.text, members);
    }
  }
  return {
    valuesOf(structure, member) {
      const name = structures.get(structure)?.get(member);
      return name === undefined ? undefined : { name, values: enums.get(name) ?? [] };
    },
    declares: (structure) => structures.has(structure),
  };
}
