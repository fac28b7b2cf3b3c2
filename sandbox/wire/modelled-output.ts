import type { NormalizedSchema } from '@smithy/core/schema';

/** An operation's result names a member its output shape does not have: a sandbox bug, never a caller's. */
export class UnmodelledOutputError extends Error {
  override name = 'UnmodelledOutputError';
}

/**
 * Check a result against the operation's output shape before the model's serializer writes it.
 * The serializer leaves out members the shape lacks, as AWS would never send them; this refuses
 * them instead, so a misspelt member fails the test that produces it rather than vanishing from
 * the response.
 *
 * @throws UnmodelledOutputError naming where the unknown member is
 */
export function assertModelledOutput(shape: NormalizedSchema, value: unknown, path = ''): void {
  if (value === undefined || value === null) return;
  const at = path || (shape.getName() ?? 'output');
  if (shape.isStructSchema()) {
    if (typeof value !== 'object' || Array.isArray(value) || value instanceof Date) return;
    const members = new Map<string, NormalizedSchema>(shape.structIterator());
    for (const [key, child] of Object.entries(value)) {
      const member = members.get(key);
      if (!member) throw new UnmodelledOutputError(`${at} has no member ${key}`);
      assertModelledOutput(member, child, `${at}.${key}`);
    }
  } else if (shape.isListSchema() && Array.isArray(value)) {
    for (const [i, item] of value.entries()) assertModelledOutput(shape.getValueSchema(), item, `${at}.${i}`);
  }
}
