import { Type } from '@sinclair/typebox';
import { JsonSchemaVersion } from 'aws-cdk-lib/aws-apigateway';
import { REQUEST_BODY_SCHEMAS } from '../../lambda/core/api-schemas.js';
import { toApiGatewaySchema, UnsupportedSchemaKeyword } from '../../lib/constructs/api-gateway-schema.js';
import { ROUTES } from '../../lib/routes.js';

describe('toApiGatewaySchema', () => {
  it('keeps every validating keyword of an object schema and drops annotations', () => {
    // GIVEN a TypeBox schema with an $id, optional fields and examples
    const schema = Type.Object(
      {
        template: Type.String({ pattern: '^[a-z]+$', description: 'template id', examples: ['etl'] }),
        shards: Type.Optional(Type.Integer({ minimum: 1, maximum: 64 })),
        tags: Type.Array(Type.String({ minLength: 1 }), { maxItems: 3, uniqueItems: true }),
      },
      { $id: 'Fixture', additionalProperties: false },
    );

    // WHEN it is converted
    const converted = toApiGatewaySchema(schema);

    // THEN the draft-4 model validates the same constraints, without $id or examples
    expect(converted).toEqual({
      schema: JsonSchemaVersion.DRAFT4,
      type: 'object',
      additionalProperties: false,
      required: ['template', 'tags'],
      properties: {
        template: { type: 'string', pattern: '^[a-z]+$', description: 'template id' },
        shards: { type: 'integer', minimum: 1, maximum: 64 },
        tags: { type: 'array', maxItems: 3, uniqueItems: true, items: { type: 'string', minLength: 1 } },
      },
    });
  });

  it('rewrites const and numeric exclusive bounds into their draft-4 forms', () => {
    // GIVEN keywords draft 4 spells differently
    const schema = Type.Object({ kind: Type.Literal('batch'), ratio: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 }) });

    // WHEN converted
    const converted = toApiGatewaySchema(schema);

    // THEN const is a one-value enum and the bounds are minimum/maximum with boolean exclusivity
    expect(converted.properties?.kind).toEqual({ type: 'string', enum: ['batch'] });
    expect(converted.properties?.ratio).toEqual({ type: 'number', minimum: 0, exclusiveMinimum: true, maximum: 1, exclusiveMaximum: true });
  });

  it('converts nested combinators and renames $defs to definitions', () => {
    // GIVEN a plain JSON Schema with anyOf, not and $defs
    const schema = { anyOf: [{ type: 'string' }, { type: 'null' }], not: { const: '' }, $defs: { id: { type: 'string', $comment: 'x' } } };

    // WHEN converted
    const converted = toApiGatewaySchema(schema);

    // THEN each subschema is converted too
    expect(converted).toEqual({
      schema: JsonSchemaVersion.DRAFT4,
      anyOf: [{ type: 'string' }, { type: 'null' }],
      not: { enum: [''] },
      definitions: { id: { type: 'string' } },
    });
  });

  it.each([
    ['if', { type: 'object', properties: { a: { if: { type: 'string' }, then: { minLength: 1 } } } }, '/properties/a'],
    ['$ref', { type: 'array', items: { $ref: '#/definitions/x' } }, '/items'],
    ['unevaluatedProperties', { unevaluatedProperties: false }, '/'],
  ])('fails when the schema uses %s, which API Gateway cannot check', (keyword, schema, pointer) => {
    // GIVEN a keyword with no draft-4 equivalent; WHEN converted; THEN the error names it and where it is
    expect(() => toApiGatewaySchema(schema)).toThrow(UnsupportedSchemaKeyword);
    expect(() => toApiGatewaySchema(schema)).toThrow(`${pointer}: JSON Schema keyword "${keyword}"`);
  });

  it('converts the request body schema of every route that takes a body', () => {
    // GIVEN the schemas the handlers validate with
    const names = [...new Set(ROUTES.flatMap((r) => (r.body ? [r.body] : [])))];
    expect(names.length).toBeGreaterThan(0);

    for (const name of names) {
      // WHEN converted; THEN the model still refuses unknown fields and requires the same ones
      const converted = toApiGatewaySchema(REQUEST_BODY_SCHEMAS[name]);
      expect(converted.additionalProperties).toBe(false);
      expect(converted.required).toEqual(REQUEST_BODY_SCHEMAS[name].required);
      expect(JSON.stringify(converted)).not.toContain('$id');
    }
  });
});
