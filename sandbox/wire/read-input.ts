import type { NormalizedSchema } from '@smithy/core/schema';
import { type FormNode, indexedChildren } from './form-tree.ts';
import { type InputProblem, InputShapeError } from './input-problems.ts';
import type { ModelProtocol } from './service-model.ts';

/** The values an enum member allows, by the structure's shape name and the member's name. */
export type EnumLookup = (struct: string, member: string) => readonly string[] | undefined;

/** Where a value sits: its member path for messages (`tags.1.key`) and its name on the wire. */
interface At {
  readonly path: string;
  readonly wireName: string;
  readonly allowed?: readonly string[];
}

/**
 * Read a request's parameters into the operation's input object, with the SDK's member names and
 * types (numbers, booleans, `Date`s, `Buffer`s, lists, maps, nested structures), refusing what the
 * model does not allow: unknown members, missing required members, wrong types, values outside an
 * enum. The SDK's own deserializers are written for clients, which trust the service and accept
 * any type silently, and there is no form decoder at all; hence this walk.
 *
 * @param raw the parsed JSON body (`json`) or the form's {@link FormNode} tree (`query`, `ec2`)
 * @throws InputShapeError listing every problem found
 */
export function readInput(
  protocol: ModelProtocol,
  input: NormalizedSchema,
  raw: unknown,
  enums: EnumLookup,
): Record<string, unknown> {
  const reader = new InputReader(protocol, enums);
  const value = input.isUnitSchema() ? {} : reader.struct(input, raw, { path: '', wireName: '' });
  if (reader.problems.length > 0) throw new InputShapeError(reader.problems);
  return (value ?? {}) as Record<string, unknown>;
}

const lowerFirst = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);
const upperFirst = (name: string): string => name.charAt(0).toUpperCase() + name.slice(1);
const isForm = (raw: unknown): raw is FormNode =>
  typeof raw === 'object' && raw !== null && (raw as FormNode).children instanceof Map;

class InputReader {
  readonly problems: InputProblem[] = [];
  constructor(
    private readonly protocol: ModelProtocol,
    private readonly enums: EnumLookup,
  ) {}

  read(ns: NormalizedSchema, raw: unknown, at: At): unknown {
    if (ns.isStructSchema()) return this.struct(ns, raw, at);
    if (ns.isListSchema()) return this.list(ns, raw, at);
    if (ns.isMapSchema()) return this.map(ns, raw, at);
    return this.scalar(ns, raw, at);
  }

  /** The name a member goes by on the wire, as the SDK's serializers write it. */
  private wireKey(memberName: string, member: NormalizedSchema): string {
    const traits = member.getMergedTraits() as { ec2QueryName?: string; xmlName?: string };
    if (this.protocol === 'json') return memberName;
    if (this.protocol === 'rest-json') return (traits as { jsonName?: string }).jsonName ?? memberName;
    if (this.protocol === 'ec2') return traits.ec2QueryName ?? upperFirst(traits.xmlName ?? memberName);
    return traits.xmlName ?? memberName;
  }

  private joinWire(at: At, key: string): string {
    return at.wireName ? `${at.wireName}.${key}` : key;
  }

  struct(ns: NormalizedSchema, raw: unknown, at: At): Record<string, unknown> | undefined {
    const entries = this.entries(raw, at, 'a structure');
    if (!entries) return undefined;
    const members = new Map<string, [string, NormalizedSchema]>();
    for (const [name, member] of ns.structIterator()) members.set(this.wireKey(name, member), [name, member]);
    const result: Record<string, unknown> = {};
    for (const [key, value] of entries) {
      const wireName = this.joinWire(at, key);
      const found = members.get(key);
      if (!found) {
        this.problems.push({ kind: 'unknown', path: at.path ? `${at.path}.${key}` : key, wireName });
        continue;
      }
      const [name, member] = found;
      const path = at.path ? `${at.path}.${lowerFirst(name)}` : lowerFirst(name);
      const allowed = this.enums(ns.getName() ?? '', name);
      const read = this.read(member, value, { path, wireName, allowed });
      if (read !== undefined) result[name] = read;
    }
    // The first N members of a structure schema are its required ones; N is its seventh field.
    const required = (ns.getSchema() as unknown[])[6];
    let index = 0;
    for (const [name, member] of ns.structIterator()) {
      if (typeof required !== 'number' || index++ >= required) break;
      if (result[name] === undefined) {
        const path = at.path ? `${at.path}.${lowerFirst(name)}` : lowerFirst(name);
        this.problems.push({
          kind: 'missing',
          path,
          wireName: this.joinWire(at, this.wireKey(name, member)),
        });
      }
    }
    return result;
  }

  private list(ns: NormalizedSchema, raw: unknown, at: At): unknown[] | undefined {
    const item = ns.getValueSchema();
    let items: { index: string; raw: unknown }[];
    if (this.protocol === 'json' || this.protocol === 'rest-json') {
      if (!Array.isArray(raw)) return this.wrongType(raw, at, 'a list');
      items = raw.map((value, i) => ({ index: String(i + 1), raw: value }));
    } else {
      if (!isForm(raw)) return this.wrongType(raw, at, 'a list');
      // The query protocols send an empty list as the bare key with an empty value.
      if (raw.children.size === 0) return raw.value === '' ? [] : this.wrongType(raw.value, at, 'a list');
      const flat = this.protocol === 'ec2' || Boolean(ns.getMergedTraits().xmlFlattened);
      const memberKey = item.getMergedTraits().xmlName ?? 'member';
      const container = flat ? raw : raw.children.get(memberKey);
      for (const key of raw.children.keys()) {
        if (flat ? !/^\d+$/.test(key) : key !== memberKey) {
          this.problems.push({
            kind: 'unknown',
            path: `${at.path}.${key}`,
            wireName: `${at.wireName}.${key}`,
          });
        }
      }
      const prefix = flat ? at.wireName : `${at.wireName}.${memberKey}`;
      items = container ? indexedChildren(container).map((c) => ({ index: c.index, raw: c.node })) : [];
      return items.map((entry) =>
        this.read(item, entry.raw, {
          path: `${at.path}.${entry.index}`,
          wireName: `${prefix}.${entry.index}`,
          allowed: at.allowed,
        }),
      );
    }
    return items.map((entry) =>
      this.read(item, entry.raw, {
        path: `${at.path}.${entry.index}`,
        wireName: `${at.wireName}.${entry.index}`,
        allowed: at.allowed,
      }),
    );
  }

  private map(ns: NormalizedSchema, raw: unknown, at: At): Record<string, unknown> | undefined {
    const valueSchema = ns.getValueSchema();
    const result: Record<string, unknown> = {};
    if (this.protocol === 'json' || this.protocol === 'rest-json') {
      const entries = this.entries(raw, at, 'a map');
      if (!entries) return undefined;
      for (const [key, value] of entries) {
        const read = this.read(valueSchema, value, {
          path: `${at.path}.${key}`,
          wireName: `${at.wireName}.${key}`,
        });
        if (read !== undefined) result[key] = read;
      }
      return result;
    }
    if (!isForm(raw)) return this.wrongType(raw, at, 'a map');
    const flat = Boolean(ns.getMergedTraits().xmlFlattened);
    const container = flat ? raw : raw.children.get('entry');
    const keyTag = ns.getKeySchema().getMergedTraits().xmlName ?? 'key';
    const valueTag = valueSchema.getMergedTraits().xmlName ?? 'value';
    for (const entry of container ? indexedChildren(container) : []) {
      const key = entry.node.children.get(keyTag)?.value;
      const value = entry.node.children.get(valueTag);
      const wireName = `${at.wireName}${flat ? '' : '.entry'}.${entry.index}`;
      if (key === undefined) {
        this.problems.push({
          kind: 'missing',
          path: `${at.path}.${entry.index}.key`,
          wireName: `${wireName}.${keyTag}`,
        });
        continue;
      }
      const read = this.read(valueSchema, value, {
        path: `${at.path}.${key}`,
        wireName: `${wireName}.${valueTag}`,
      });
      if (read !== undefined) result[key] = read;
    }
    return result;
  }

  private scalar(ns: NormalizedSchema, raw: unknown, at: At): unknown {
    let value: unknown = raw;
    if (isForm(raw)) {
      if (raw.children.size > 0 || raw.value === undefined)
        return this.wrongType('(structure)', at, 'a scalar');
      value = raw.value;
    }
    if (value === null || value === undefined) return undefined;
    const fromForm = isForm(raw);
    if (ns.isStringSchema()) {
      if (typeof value !== 'string') return this.wrongType(value, at, 'a string');
      if (at.allowed && !at.allowed.includes(value)) {
        this.problems.push({
          kind: 'enum',
          path: at.path,
          wireName: at.wireName,
          value,
          allowed: at.allowed,
        });
        return undefined;
      }
      return value;
    }
    if (ns.isBooleanSchema()) {
      if (typeof value === 'boolean' && !fromForm) return value;
      if (fromForm && (value === 'true' || value === 'false')) return value === 'true';
      return this.wrongType(value, at, 'a boolean');
    }
    if (ns.isNumericSchema() || ns.isBigIntegerSchema() || ns.isBigDecimalSchema()) {
      const number = fromForm && typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof number !== 'number' || !Number.isFinite(number))
        return this.wrongType(value, at, 'a number');
      return number;
    }
    if (ns.isTimestampSchema()) {
      // JSON carries epoch seconds; the query protocols ISO 8601 (both accept the other form).
      const date =
        typeof value === 'number'
          ? new Date(value * 1000)
          : typeof value === 'string' && /^\d+(\.\d+)?$/.test(value)
            ? new Date(Number(value) * 1000)
            : typeof value === 'string'
              ? new Date(value)
              : undefined;
      if (!date || Number.isNaN(date.getTime())) return this.wrongType(value, at, 'a timestamp');
      return date;
    }
    if (ns.isBlobSchema()) {
      // A REST payload member is the request body itself.
      if (Buffer.isBuffer(value)) return value;
      if (typeof value !== 'string') return this.wrongType(value, at, 'base64-encoded binary data');
      return Buffer.from(value, 'base64');
    }
    // A document member takes any JSON value.
    return value;
  }

  private entries(raw: unknown, at: At, expected: string): [string, unknown][] | undefined {
    if (isForm(raw)) {
      if (raw.value !== undefined && raw.value !== '' && raw.children.size === 0) {
        return this.wrongType(raw.value, at, expected);
      }
      return [...raw.children.entries()];
    }
    if (raw === null || raw === undefined) return [];
    if (typeof raw !== 'object' || Array.isArray(raw)) return this.wrongType(raw, at, expected);
    return Object.entries(raw).filter(([, v]) => v !== null);
  }

  private wrongType(value: unknown, at: At, expected: string): undefined {
    const shown = typeof value === 'string' ? value : JSON.stringify(value);
    this.problems.push({ kind: 'type', path: at.path, wireName: at.wireName, value: shown ?? '', expected });
    return undefined;
  }
}
