import { parseJsonPath, valueAtPath } from './json-path.ts';
import type { EventEnvelope, EventTarget } from './model.ts';

/** What EventBridge's predefined template variables refer to. */
export interface TemplateContext {
  readonly ruleName: string;
  readonly ruleArn: string;
  readonly event: EventEnvelope;
  /** ISO 8601 time EventBridge received the event. */
  readonly ingestionTime: string;
}

const PLACEHOLDER = /^<([A-Za-z0-9_\-.]+)>/;

/** Variables that are JSON, inserted unescaped: "can only be used as a value for a JSON field". */
function predefinedJson(name: string, context: TemplateContext): string | undefined {
  if (name === 'aws.events.event.json') return JSON.stringify(context.event);
  if (name === 'aws.events.event') {
    // The original event without its detail field, per the input-transformation guide.
    const { detail: _detail, ...withoutDetail } = context.event;
    return JSON.stringify(withoutDetail);
  }
  return undefined;
}

function predefinedText(name: string, context: TemplateContext): string | undefined {
  if (name === 'aws.events.rule-name') return context.ruleName;
  if (name === 'aws.events.rule-arn') return context.ruleArn;
  if (name === 'aws.events.event.ingestion-time') return context.ingestionTime;
  return undefined;
}

/**
 * Fill an InputTemplate the way EventBridge does. In a JSON template (one that starts with `{`
 * or `[`), a placeholder outside quotes becomes the value as JSON (strings gain quotes) and a
 * placeholder inside a JSON string gets the bare text, unescaped. In any other template every
 * placeholder gets the bare text. A variable whose path is absent from the event becomes `null`
 * in JSON position and nothing inside text. Unknown `<names>` are left as they are.
 */
export function renderInputTemplate(
  template: string,
  inputPathsMap: Readonly<Record<string, string>>,
  context: TemplateContext,
): string {
  const isJson = /^\s*[[{]/.test(template);
  let output = '';
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const char = template.charAt(i);
    if (isJson && char === '\\' && inString) {
      output += template.slice(i, i + 2);
      i++;
      continue;
    }
    if (isJson && char === '"') inString = !inString;
    const placeholder = char === '<' ? PLACEHOLDER.exec(template.slice(i)) : null;
    const name = placeholder?.[1];
    const replacement =
      name === undefined ? undefined : fill(name, inputPathsMap, context, isJson && !inString);
    if (placeholder && replacement !== undefined) {
      output += replacement;
      i += placeholder[0].length - 1;
    } else {
      output += char;
    }
  }
  return output;
}

function fill(
  name: string,
  inputPathsMap: Readonly<Record<string, string>>,
  context: TemplateContext,
  asJson: boolean,
): string | undefined {
  const json = predefinedJson(name, context);
  if (json !== undefined) return json;
  const text = predefinedText(name, context);
  if (text !== undefined) return asJson ? JSON.stringify(text) : text;
  if (!Object.hasOwn(inputPathsMap, name)) return undefined;
  const value = valueAtPath(context.event, parseJsonPath(inputPathsMap[name] as string));
  if (value === undefined) return asJson ? 'null' : '';
  if (asJson || typeof value !== 'string') return JSON.stringify(value);
  return value;
}

/** JSON text becomes the value it denotes; anything else is delivered as the string it is. */
function asPayload(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    if (err instanceof SyntaxError) return text;
    throw err;
  }
}

/**
 * What a target receives for an event: the constant Input, the InputPath selection, the
 * transformed template, or (without any of them) the whole event.
 */
export function targetPayload(target: EventTarget, context: TemplateContext): unknown {
  if (target.input !== undefined) return JSON.parse(target.input);
  if (target.inputPath !== undefined) {
    return valueAtPath(context.event, parseJsonPath(target.inputPath)) ?? null;
  }
  if (target.inputTransformer) {
    const { inputTemplate, inputPathsMap = {} } = target.inputTransformer;
    return asPayload(renderInputTemplate(inputTemplate, inputPathsMap, context));
  }
  return context.event;
}
