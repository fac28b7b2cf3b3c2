import type { NormalizedSchema } from '@smithy/core/schema';
import type { EnumTable } from './sdk-enums.ts';
import { memberByPascalName, pascal } from './sdk-tasks.ts';

/**
 * Members of optimized integrations that take any JSON, which Step Functions serializes: the
 * function's `Payload` (https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html)
 * and the topic's `Message` (https://docs.aws.amazon.com/step-functions/latest/dg/connect-sns.html).
 */
const JSON_MEMBERS = new Set(['Payload', 'Message']);

/** The members a structure requires: the generated schema lists them first, and counts them. */
function requiredMembers(schema: NormalizedSchema): string[] {
  const raw = schema.getSchema() as unknown as [number, string, string, number, string[], unknown[], number?];
  return raw[4].slice(0, raw[6] ?? 0);
}

/** A static value that is a string or a list of strings: what an enum member (or list of one) takes. */
function staticStrings(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string')) return value;
  return undefined;
}

/**
 * Problems of a static enum value: a member whose declared type is an enum takes only its values
 * (AWS refuses any other with a validation error, before doing anything).
 */
function checkEnum(
  where: string,
  value: unknown,
  structure: string,
  member: string,
  enums: EnumTable,
): string[] {
  const strings = staticStrings(value);
  if (!strings) return [];
  if (!enums.declares(structure))
    return [`${where}: no declaration of ${structure} to check its enums against`];
  const known = enums.valuesOf(structure, member);
  if (!known) return [];
  return strings
    .filter((s) => !known.values.includes(s))
    .map((s) => `${where}: "${s}" is not a ${known.name} (${known.values.join(', ')})`);
}

/**
 * Problems of a static parameter object against a structure schema: unknown or misspelt members,
 * missing required members, and static values of enum members that are not among its values.
 * Values given by a path or an intrinsic (`Key.$`) are decided at run time and not checked here.
 */
export function checkParameters(
  where: string,
  value: unknown,
  schema: NormalizedSchema,
  enums: EnumTable,
): string[] {
  if (schema.isDocumentSchema() || value === null || typeof value !== 'object') return [];
  if (Array.isArray(value))
    return schema.isListSchema()
      ? value.flatMap((item, i) => checkParameters(`${where}[${i}]`, item, schema.getValueSchema(), enums))
      : [`${where}: a list where the model has ${schema.getName()}`];
  if (schema.isMapSchema()) return [];
  if (!schema.isStructSchema()) return [`${where}: an object where the model has a scalar`];
  const problems: string[] = [];
  const members = Object.keys(schema.getMemberSchemas()).map(pascal);
  const given = Object.keys(value).map((k) => k.replace(/\.\$$/, ''));
  for (const [key, inner] of Object.entries(value)) {
    const name = key.replace(/\.\$$/, '');
    const member = memberByPascalName(schema, name);
    if (!member) {
      const near = members.find((m) => m.toLowerCase() === name.toLowerCase());
      problems.push(`${where}.${name}: no such member${near ? ` (the model spells it ${near})` : ''}`);
    } else if (!key.endsWith('.$') && !JSON_MEMBERS.has(name)) {
      problems.push(...checkEnum(`${where}.${name}`, inner, schema.getName() ?? '', member.model, enums));
      problems.push(...checkParameters(`${where}.${name}`, inner, member.schema, enums));
    }
  }
  for (const required of requiredMembers(schema).map(pascal))
    if (!given.includes(required)) problems.push(`${where}: required member ${required} is missing`);
  return problems;
}

/** Problems of a `$.A.B[0].C` path read from an output structure. */
export function checkPath(where: string, path: string, output: NormalizedSchema): string[] {
  const steps = path
    .replace(/^\$\.?/, '')
    .split(/\.|(?=\[)/)
    .filter(Boolean);
  let schema = output;
  for (const step of steps) {
    if (step.startsWith('[')) {
      if (!schema.isListSchema()) return [`${where}: ${path}: ${step} indexes a non-list`];
      schema = schema.getValueSchema();
      continue;
    }
    if (schema.isDocumentSchema() || schema.isMapSchema()) return [];
    const member = schema.isStructSchema() ? memberByPascalName(schema, step) : undefined;
    if (!member) return [`${where}: ${path}: no member ${step} in the result`];
    schema = member.schema;
  }
  return [];
}

/** The paths a ResultSelector reads from the result, with their keys. */
export function selectorPaths(selector: unknown, prefix = ''): [string, string][] {
  if (!selector || typeof selector !== 'object') return [];
  return Object.entries(selector).flatMap(([key, value]): [string, string][] => {
    if (key.endsWith('.$') && typeof value === 'string' && value.startsWith('$.'))
      return [[`${prefix}${key}`, value]];
    return selectorPaths(value, `${prefix}${key}.`);
  });
}
