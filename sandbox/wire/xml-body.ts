import type { NormalizedSchema } from '@smithy/core/schema';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { FormNode } from './form-tree.ts';
import { InputShapeError } from './input-problems.ts';

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true });

/**
 * A REST-XML request body (S3's `<PublicAccessBlockConfiguration>`, `<CreateBucketConfiguration>`)
 * as the tree the model reader walks: the root element's children, with repeated elements numbered
 * as the reader numbers list items (`Tags.Tag.1`, `Tags.Tag.2`), guided by `schema` so a list of
 * one item is still a list. Elements the schema does not know are kept, so the reader reports them.
 *
 * @throws InputShapeError when the body is not well-formed XML
 */
export function parseXmlBody(body: Buffer, schema: NormalizedSchema): FormNode {
  const text = body.toString('utf8');
  if (XMLValidator.validate(text) !== true) {
    throw new InputShapeError([
      { kind: 'type', path: '', wireName: '(body)', value: 'the request body', expected: 'well-formed XML' },
    ]);
  }
  const document = parser.parse(text) as Record<string, unknown>;
  const root = Object.entries(document).find(([key]) => !key.startsWith('?'))?.[1];
  return toNode(root ?? '', schema);
}

function toNode(value: unknown, schema: NormalizedSchema | undefined): FormNode {
  if (typeof value !== 'object' || value === null) return { value: String(value ?? ''), children: new Map() };
  const children = new Map<string, FormNode>();
  const members = new Map<string, NormalizedSchema>();
  if (schema?.isStructSchema())
    for (const [name, member] of schema.structIterator())
      members.set((member.getMergedTraits() as { xmlName?: string }).xmlName ?? name, member);
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
    const member = members.get(key);
    if (member?.isListSchema() && !member.getMergedTraits().xmlFlattened) {
      // `<Tags><Tag>…</Tag><Tag>…</Tag></Tags>`: the wrapper holds the item elements.
      const item = member.getValueSchema();
      const itemName = (item.getMergedTraits() as { xmlName?: string }).xmlName ?? 'member';
      const items = (inner as Record<string, unknown> | '')?.[itemName as never];
      children.set(key, { children: new Map([[itemName, numbered(items, item)]]) });
    } else if (member?.isListSchema()) {
      children.set(key, numbered(inner, member.getValueSchema()));
    } else {
      children.set(key, toNode(Array.isArray(inner) ? inner[0] : inner, member));
    }
  }
  return { children };
}

/** List items as children `1`, `2`, ...: a single element is a list of one. */
function numbered(items: unknown, item: NormalizedSchema): FormNode {
  const list = items === undefined || items === '' ? [] : Array.isArray(items) ? items : [items];
  return { children: new Map(list.map((entry, i) => [String(i + 1), toNode(entry, item)])) };
}
