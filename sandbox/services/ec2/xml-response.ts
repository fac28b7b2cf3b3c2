import { XMLBuilder } from 'fast-xml-parser';
import type { SandboxResponse } from '../../protocol.ts';

/** A value rendered as XML: scalars as text, objects as child elements, arrays as a list. */
export type XmlValue = string | number | boolean | Date | undefined | null | XmlObject | readonly XmlValue[];
/** An XML element's children, by element name. */
export interface XmlObject {
  readonly [element: string]: XmlValue;
}

/** The element each list entry is wrapped in: EC2 uses `<item>`, the query protocol `<member>`. */
export type ListItemName = 'item' | 'member';

/** The API version namespace every EC2 response carries. */
export const EC2_XMLNS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: false,
});

/**
 * Shape a value for the XML builder: lists become `{ item: [...] }` (an empty list an empty
 * element, which the SDKs read as `[]`), dates ISO-8601 (what both protocols send), and
 * absent fields are dropped rather than rendered empty.
 */
function shape(value: XmlValue, listItem: ListItemName): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) {
    const items = value.filter((v) => v !== undefined && v !== null).map((v) => shape(v, listItem));
    return items.length === 0 ? '' : { [listItem]: items };
  }
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value as XmlObject)) {
      if (child !== undefined && child !== null) out[key] = shape(child, listItem);
    }
    return out;
  }
  return value;
}

/** Render `body` as the children of a root element carrying the namespace `xmlns`. */
export function renderXml(root: string, xmlns: string, body: XmlObject, listItem: ListItemName): string {
  const content = shape(body, listItem) as Record<string, unknown>;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ [root]: { '@_xmlns': xmlns, ...content } })}`;
}

/** An EC2 response: `<ActionResponse xmlns><requestId/>...fields</ActionResponse>`. */
export function ec2Response(action: string, requestId: string, body: XmlObject = {}): SandboxResponse {
  return {
    status: 200,
    headers: { 'content-type': 'text/xml;charset=UTF-8' },
    body: renderXml(`${action}Response`, EC2_XMLNS, { requestId, ...body }, 'item'),
  };
}

/**
 * A query-protocol response (Auto Scaling, ELBv2):
 * `<ActionResponse xmlns><ActionResult>...</ActionResult><ResponseMetadata><RequestId/>`.
 * Operations without output carry no `<ActionResult>`.
 */
export function queryResponse(
  action: string,
  xmlns: string,
  requestId: string,
  result?: XmlObject,
): SandboxResponse {
  const body: XmlObject = {
    ...(result ? { [`${action}Result`]: result } : {}),
    ResponseMetadata: { RequestId: requestId },
  };
  return {
    status: 200,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body: renderXml(`${action}Response`, xmlns, body, 'member'),
  };
}
