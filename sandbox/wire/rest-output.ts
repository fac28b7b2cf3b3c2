import { JsonCodec, XmlShapeSerializer } from '@aws-sdk/core/protocols';
import type { NormalizedSchema } from '@smithy/core/schema';
import type { SandboxResponse } from '../protocol.ts';
import type { OperationModel } from './service-model.ts';

/** The SDK's JSON codec with the REST-JSON protocol's settings (epoch seconds, `@jsonName`). */
const restJsonCodec = new JsonCodec({ timestampFormat: { useTrait: true, default: 7 }, jsonName: true });

/**
 * A REST operation's output split where its HTTP binding traits put each member: the status code
 * (`@httpResponseCode`, else the `@http` trait's code), headers (`@httpHeader`,
 * `@httpPrefixHeaders`), a payload member (`@httpPayload`), and the body members.
 */
export interface RestOutputParts {
  status: number;
  headers: Record<string, string>;
  /** The `@httpPayload` member's schema and value, when the output has one. */
  payload?: { schema: NormalizedSchema; value: unknown };
  /** The members that go in the body document (only when there is no payload member). */
  body: Record<string, unknown>;
  /** Whether the output shape has body members at all (an empty body otherwise). */
  hasBody: boolean;
}

/** Split `output` by its members' HTTP bindings. */
export function restOutputParts(operation: OperationModel, output: Record<string, unknown>): RestOutputParts {
  const parts: RestOutputParts = {
    status: operation.http?.code ?? 200,
    headers: {},
    body: {},
    hasBody: false,
  };
  if (operation.output.isUnitSchema()) return parts;
  for (const [name, member] of operation.output.structIterator()) {
    const traits = member.getMergedTraits() as Record<string, unknown>;
    const value = output[name];
    if (traits.httpPayload) {
      parts.payload = { schema: member, value };
      continue;
    }
    if (traits.httpResponseCode) {
      if (typeof value === 'number') parts.status = value;
      continue;
    }
    if (typeof traits.httpHeader === 'string') {
      if (value !== undefined && value !== null)
        parts.headers[traits.httpHeader.toLowerCase()] = headerText(value);
      continue;
    }
    if (typeof traits.httpPrefixHeaders === 'string') {
      for (const [key, item] of Object.entries((value as Record<string, unknown> | undefined) ?? {}))
        parts.headers[`${traits.httpPrefixHeaders}${key}`.toLowerCase()] = headerText(item);
      continue;
    }
    parts.hasBody = true;
    if (value !== undefined) parts.body[name] = value;
  }
  return parts;
}

/**
 * Serialize a REST-JSON operation's output from its model: bound members to the status line and
 * headers, a blob or string payload as the body itself, a structure payload or the body members as
 * a JSON document written by the SDK's own serializer.
 */
export function writeRestJson(
  operation: OperationModel,
  output: Record<string, unknown>,
  requestId: string,
): SandboxResponse {
  const parts = restOutputParts(operation, output);
  const headers: Record<string, string> = { 'x-amzn-requestid': requestId, ...parts.headers };
  if (parts.payload) {
    const { schema, value } = parts.payload;
    if (value === undefined || value === null) return { status: parts.status, headers, body: '' };
    if (schema.isBlobSchema() || schema.isStringSchema()) {
      headers['content-type'] ??= schema.isStringSchema() ? 'text/plain' : 'application/octet-stream';
      const body =
        typeof value === 'string' || Buffer.isBuffer(value) ? value : Buffer.from(value as Uint8Array);
      return { status: parts.status, headers, body };
    }
    return {
      status: parts.status,
      headers: { ...headers, 'content-type': 'application/json' },
      body: json(schema, value),
    };
  }
  if (!parts.hasBody) return { status: parts.status, headers, body: '' };
  return {
    status: parts.status,
    headers: { ...headers, 'content-type': 'application/json' },
    body: json(operation.output, parts.body),
  };
}

function json(schema: NormalizedSchema, value: unknown): string {
  const serializer = restJsonCodec.createSerializer();
  serializer.write(schema, value);
  return serializer.flush();
}

/** A header's text: lists comma-joined, timestamps as HTTP dates (Smithy's header default). */
function headerText(value: unknown): string {
  if (Array.isArray(value)) return value.map(headerText).join(', ');
  if (value instanceof Date) return value.toUTCString();
  if (Buffer.isBuffer(value)) return value.toString('base64');
  return String(value);
}

/**
 * Serialize a REST-XML operation's output from its model (S3): bound members to the status line
 * and headers, a blob or string payload as the body itself, a structure payload or the body members
 * as an XML document (root element named by the shape's `xmlName`, in the service's namespace)
 * written by the SDK's own XML serializer.
 */
export function writeRestXml(
  operation: OperationModel,
  output: Record<string, unknown>,
  requestId: string,
  xmlNamespace: string | undefined,
): SandboxResponse {
  const parts = restOutputParts(operation, output);
  const headers: Record<string, string> = { 'x-amz-request-id': requestId, ...parts.headers };
  const document = (schema: NormalizedSchema, value: unknown): SandboxResponse => {
    const serializer = new XmlShapeSerializer({
      timestampFormat: { useTrait: true, default: 5 },
      xmlNamespace: xmlNamespace ?? '',
      serviceNamespace: '',
    });
    serializer.write(schema, value);
    return {
      status: parts.status,
      headers: { ...headers, 'content-type': 'application/xml' },
      body: `<?xml version="1.0" encoding="UTF-8"?>\n${String(serializer.flush())}`,
    };
  };
  if (parts.payload) {
    const { schema, value } = parts.payload;
    if (value === undefined || value === null) return { status: parts.status, headers };
    if (schema.isBlobSchema() || schema.isStringSchema()) {
      const body =
        typeof value === 'string' || Buffer.isBuffer(value) ? value : Buffer.from(value as Uint8Array);
      return { status: parts.status, headers, body };
    }
    return document(schema, value);
  }
  if (!parts.hasBody) return { status: parts.status, headers };
  return document(operation.output, parts.body);
}
