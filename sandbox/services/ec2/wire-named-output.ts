import type { NormalizedSchema } from '@smithy/core/schema';

/** An EC2 operation's result written with the names its XML carries (`instancesSet`, `tagSet`). */
export type WireNamedOutput = Readonly<Record<string, unknown>>;

/** An EC2 result names an element its output shape does not have: a sandbox bug, never a caller's. */
export class UnmodelledOutputError extends Error {
  override name = 'UnmodelledOutputError';
}

/**
 * Read a result written with EC2's XML element names into the output shape, by the model's
 * `xmlName` of each member (`reservationSet` is `Reservations`, `item` elements are list entries).
 * An element the shape lacks is refused, so a misspelt name fails the test that produces it
 * instead of vanishing from the response. The model's serializer then writes the response.
 */
export function fromWireNames(shape: NormalizedSchema, value: unknown, path = ''): unknown {
  if (value === undefined || value === null) return undefined;
  if (shape.isStructSchema()) {
    if (typeof value !== 'object' || Array.isArray(value) || value instanceof Date) return value;
    const byWireName = new Map<string, [string, NormalizedSchema]>();
    for (const [name, member] of shape.structIterator()) {
      byWireName.set(member.getMergedTraits().xmlName ?? name, [name, member]);
    }
    const result: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      const found = byWireName.get(key);
      if (!found) throw new UnmodelledOutputError(`${path || shape.getName()} has no element ${key}`);
      const read = fromWireNames(found[1], child, `${path || shape.getName()}.${key}`);
      if (read !== undefined) result[found[0]] = read;
    }
    return result;
  }
  if (shape.isListSchema() && Array.isArray(value)) {
    return value.map((item, i) => fromWireNames(shape.getValueSchema(), item, `${path}.${i}`));
  }
  return value;
}
