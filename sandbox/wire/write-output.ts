import { JsonCodec, XmlShapeSerializer } from '@aws-sdk/core/protocols';
import type { SandboxResponse } from '../protocol.ts';
import { writeRestJson, writeRestXml } from './rest-output.ts';
import type { ModelProtocol, OperationModel } from './service-model.ts';

/** The facts about a service's protocol a response needs. */
export interface ResponseFacts {
  readonly protocol: ModelProtocol;
  readonly jsonVersion?: string;
  readonly xmlNamespace?: string;
}

/** The SDK's JSON codec, with the settings its JSON RPC protocol uses (epoch-second timestamps). */
const jsonCodec = new JsonCodec({ timestampFormat: { useTrait: true, default: 7 }, jsonName: false });
/** The SDK's XML serializer, with the query protocols' settings (ISO 8601 timestamps). */
const xmlSettings = {
  timestampFormat: { useTrait: true, default: 5 as const },
  xmlNamespace: '',
  serviceNamespace: '',
};

/**
 * Serialize an operation's output with the AWS SDK's own serializers, from its output shape: member
 * names and order, `xmlName`s, `<member>`/`<item>` list elements, flattened lists, timestamps and
 * blobs all come from the model. Members the model lacks are left out, as AWS would never send them.
 */
export function writeOutput(
  facts: ResponseFacts,
  operation: OperationModel,
  output: object,
  requestId: string,
): SandboxResponse {
  switch (facts.protocol) {
    case 'json': {
      const serializer = jsonCodec.createSerializer();
      let body = '{}';
      if (!operation.output.isUnitSchema()) {
        serializer.write(operation.output, output);
        body = serializer.flush();
      }
      return {
        status: 200,
        headers: {
          'content-type': `application/x-amz-json-${facts.jsonVersion ?? '1.1'}`,
          'x-amzn-requestid': requestId,
        },
        body,
      };
    }
    case 'query': {
      // `<OpResponse xmlns><OpResult>…</OpResult><ResponseMetadata>…` (the awsQuery envelope).
      const result = operation.output.isUnitSchema()
        ? ''
        : `<${operation.name}Result>${xmlChildren(operation, output)}</${operation.name}Result>`;
      return {
        status: 200,
        headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
        body: `<${operation.name}Response xmlns="${facts.xmlNamespace}">${result}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation.name}Response>`,
      };
    }
    case 'rest-json':
      return writeRestJson(operation, output as Record<string, unknown>, requestId);
    case 'rest-xml':
      return writeRestXml(operation, output as Record<string, unknown>, requestId, facts.xmlNamespace);
    case 'ec2': {
      // EC2 puts the output's members straight under `<OpResponse xmlns>`, after `<requestId>`.
      const members = operation.output.isUnitSchema() ? '' : xmlChildren(operation, output);
      return {
        status: 200,
        headers: { 'content-type': 'text/xml;charset=UTF-8' },
        body: `<?xml version="1.0" encoding="UTF-8"?>\n<${operation.name}Response xmlns="${facts.xmlNamespace}/"><requestId>${requestId}</requestId>${members}</${operation.name}Response>`,
      };
    }
  }
}

/** The output structure's members as XML, without the element the serializer wraps them in. */
function xmlChildren(operation: OperationModel, output: object): string {
  const serializer = new XmlShapeSerializer(xmlSettings);
  serializer.write(operation.output, output);
  const xml = String(serializer.flush());
  if (xml.endsWith('/>') && !xml.slice(0, -2).includes('>')) return '';
  return xml.slice(xml.indexOf('>') + 1, xml.lastIndexOf('</'));
}
