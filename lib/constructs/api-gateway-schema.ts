// API Gateway models speak JSON Schema draft 4; our request schemas are TypeBox (draft 2020-12 style). This maps one to the other.
import { JsonSchemaVersion, type JsonSchema } from 'aws-cdk-lib/aws-apigateway';

/** A schema keyword API Gateway cannot express; dropping it silently would weaken validation. */
export class UnsupportedSchemaKeyword extends Error {
  override readonly name = 'UnsupportedSchemaKeyword';
  constructor(
    readonly pointer: string,
    readonly keyword: string,
  ) {
    super(`${pointer || '/'}: JSON Schema keyword "${keyword}" has no draft-4 equivalent in API Gateway models`);
  }
}

type Json = Record<string, unknown>;

/** Keywords that only annotate (they never reject a value), so they can be left out. */
const ANNOTATIONS = new Set(['$id', '$comment', 'examples', 'readOnly', 'writeOnly', 'deprecated', 'contentMediaType', 'contentEncoding']);
/** Keywords copied as they are. */
const PLAIN = new Set([
  'type', 'title', 'description', 'enum', 'default', 'format', 'multipleOf', 'maximum', 'minimum',
  'maxLength', 'minLength', 'pattern', 'maxItems', 'minItems', 'uniqueItems', 'maxProperties', 'minProperties', 'required',
]);
/** Keywords whose value is one schema. */
const SUBSCHEMA = new Set(['not', 'additionalItems', 'propertyNames', 'contains']);
/** Keywords whose value is a list of schemas. */
const SUBSCHEMA_LIST = new Set(['allOf', 'anyOf', 'oneOf']);
/** Keywords whose value maps names to schemas. */
const SUBSCHEMA_MAP: Record<string, string> = { properties: 'properties', patternProperties: 'patternProperties', definitions: 'definitions', $defs: 'definitions' };

/**
 * Convert a JSON Schema (e.g. a TypeBox object) to the draft-4 `JsonSchema` an API Gateway model takes.
 * `const` becomes a one-value `enum`, numeric `exclusiveMinimum`/`exclusiveMaximum` become draft-4 booleans,
 * annotations are dropped, and any keyword with no draft-4 meaning throws UnsupportedSchemaKeyword.
 */
export function toApiGatewaySchema(schema: object): JsonSchema {
  return { schema: JsonSchemaVersion.DRAFT4, ...convert(schema as Json, '') };
}

function convert(schema: Json, pointer: string): JsonSchema {
  const out: Record<string, unknown> = {};
  // Object.entries skips TypeBox's symbol-keyed metadata ([Kind], [OptionalKind]).
  for (const [key, value] of Object.entries(schema)) {
    const at = `${pointer}/${key}`;
    if (ANNOTATIONS.has(key) || key === '$schema') continue;
    if (PLAIN.has(key)) out[key] = value;
    else if (key === 'const') out.enum = [value];
    else if (key === 'exclusiveMinimum' || key === 'exclusiveMaximum') {
      if (typeof value === 'boolean') out[key] = value;
      else {
        out[key === 'exclusiveMinimum' ? 'minimum' : 'maximum'] = value;
        out[key] = true;
      }
    } else if (key === 'items') {
      out.items = Array.isArray(value) ? value.map((s, i) => convert(s as Json, `${at}/${i}`)) : convert(value as Json, at);
    } else if (key === 'additionalProperties') {
      out.additionalProperties = typeof value === 'boolean' ? value : convert(value as Json, at);
    } else if (SUBSCHEMA.has(key)) {
      out[key] = typeof value === 'boolean' ? value : convert(value as Json, at);
    } else if (SUBSCHEMA_LIST.has(key)) {
      out[key] = (value as Json[]).map((s, i) => convert(s, `${at}/${i}`));
    } else if (key in SUBSCHEMA_MAP) {
      out[SUBSCHEMA_MAP[key]!] = Object.fromEntries(Object.entries(value as Record<string, Json>).map(([name, s]) => [name, convert(s, `${at}/${name}`)]));
    } else throw new UnsupportedSchemaKeyword(pointer, key);
  }
  return out as JsonSchema;
}
