// Checks a synthesized CloudFormation template against the resource specification aws-cdk-lib is generated from
// (@aws-cdk/aws-service-spec): types, properties and their shapes, required properties, GetAtt attributes, and that
// every Ref, GetAtt, Sub variable, DependsOn and Condition names something the template has.
import type { SpecDatabase } from '@aws-cdk/service-spec-types';
import type { PropertyType, ResourceProperties } from '@aws-cdk/service-spec-types';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export interface CfnTemplate {
  readonly Resources: Record<string, { Type: string; Properties?: Record<string, Json>; [key: string]: unknown }>;
  readonly Parameters?: Record<string, unknown>;
  readonly Conditions?: Record<string, Json>;
  readonly Outputs?: Record<string, Json>;
  readonly [key: string]: unknown;
}

/** https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html */
const PSEUDO_PARAMETERS = ['AWS::AccountId', 'AWS::NotificationARNs', 'AWS::NoValue', 'AWS::Partition', 'AWS::Region', 'AWS::StackId', 'AWS::StackName', 'AWS::URLSuffix'];
/** https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-product-attribute-reference.html */
const RESOURCE_KEYS = ['Type', 'Properties', 'DependsOn', 'Metadata', 'Condition', 'DeletionPolicy', 'UpdateReplacePolicy', 'UpdatePolicy', 'CreationPolicy'];
const DELETION_POLICIES = ['Delete', 'Retain', 'RetainExceptOnCreate', 'Snapshot'];

/** Every defect found, one line each, `<where>: <what>`; empty when the template conforms. */
export function specDefects(template: CfnTemplate, db: SpecDatabase): string[] {
  const defects: string[] = [];
  const resources = template.Resources ?? {};
  const parameters = Object.keys(template.Parameters ?? {});
  const conditions = Object.keys(template.Conditions ?? {});
  const isCustom = (type: string) => type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource';
  const specOf = (type: string) => db.lookup('resource', 'cloudFormationType', 'equals', type)[0];

  /** Refs, GetAtts, Sub variables and condition names anywhere in `value` must name what the template has. */
  const checkReferences = (value: unknown, where: string): void => {
    if (Array.isArray(value)) return value.forEach((v, i) => checkReferences(v, `${where}/${i}`));
    if (value === null || typeof value !== 'object') return;
    for (const [key, arg] of Object.entries(value)) {
      if (key === 'Ref' && typeof arg === 'string' && !resources[arg] && !parameters.includes(arg) && !PSEUDO_PARAMETERS.includes(arg)) {
        defects.push(`${where}: Ref to ${arg}, which the template does not have`);
      }
      if (key === 'Fn::GetAtt') checkGetAtt(typeof arg === 'string' ? arg.split(/\.(.*)/s).slice(0, 2) : arg, where);
      if (key === 'Fn::Sub') checkSub(arg, where);
      if ((key === 'Fn::If' || key === 'Condition') && Array.isArray(arg) === (key === 'Fn::If')) {
        const name = key === 'Fn::If' ? (arg as unknown[])[0] : arg;
        if (typeof name === 'string' && !conditions.includes(name)) defects.push(`${where}: condition ${name}, which the template does not have`);
      }
      checkReferences(arg, `${where}/${key}`);
    }
  };
  const checkGetAtt = (arg: unknown, where: string) => {
    const [id, attribute] = Array.isArray(arg) ? arg : [];
    if (typeof id !== 'string' || typeof attribute !== 'string') return void defects.push(`${where}: Fn::GetAtt needs [logicalId, attribute], got ${JSON.stringify(arg)}`);
    const target = resources[id];
    if (!target) return void defects.push(`${where}: Fn::GetAtt of ${id}, which the template does not have`);
    const spec = isCustom(target.Type) ? undefined : specOf(target.Type);
    if (spec && !(attribute in spec.attributes)) defects.push(`${where}: Fn::GetAtt ${id}.${attribute}, but ${target.Type} has no attribute ${attribute} (it has ${Object.keys(spec.attributes).join(', ') || 'none'})`);
  };
  const checkSub = (arg: unknown, where: string) => {
    const [text, variables] = Array.isArray(arg) ? arg : [arg, {}];
    if (typeof text !== 'string') return;
    for (const [, name] of text.matchAll(/\$\{(?!!)([^}]+)\}/g)) {
      if (name! in (variables ?? {})) continue;
      const [id, attribute] = name!.split(/\.(.*)/s);
      if (attribute !== undefined) checkGetAtt([id, attribute], where);
      else if (!resources[id!] && !parameters.includes(id!) && !PSEUDO_PARAMETERS.includes(id!)) defects.push(`${where}: Fn::Sub names \${${name}}, which the template does not have`);
    }
  };

  /** `value` must have the shape one of `types` describes (a property's type, or a type it had before). */
  const checkValue = (value: Json, types: readonly PropertyType[], where: string): void => {
    const attempts = types.map((t) => shapeDefects(value, t, where));
    if (!attempts.some((a) => a.length === 0)) defects.push(...attempts.sort((a, b) => a.length - b.length)[0]!);
  };
  /** What an intrinsic function returns: a list, a single value, or either. */
  const intrinsicResult = (value: Record<string, Json>): 'list' | 'scalar' | 'any' => {
    const [fn, arg] = Object.entries(value)[0]!;
    if (fn === 'Ref') return arg === 'AWS::NotificationARNs' ? 'list' : resources[arg as string] || PSEUDO_PARAMETERS.includes(arg as string) ? 'scalar' : 'any';
    if (['Fn::Join', 'Fn::Sub', 'Fn::Base64', 'Fn::Length', 'Fn::ToJsonString'].includes(fn)) return 'scalar';
    if (['Fn::Split', 'Fn::GetAZs', 'Fn::Cidr'].includes(fn)) return 'list';
    if (fn === 'Fn::GetAtt' && Array.isArray(arg)) {
      const target = resources[arg[0] as string];
      const attribute = target && !isCustom(target.Type) ? specOf(target.Type)?.attributes[arg[1] as string] : undefined;
      if (attribute) return attribute.type.type === 'array' ? 'list' : 'scalar';
    }
    return 'any';
  };
  const shapeDefects = (value: Json, type: PropertyType, where: string): string[] => {
    const wrong = (expected: string) => [`${where}: expected ${expected}, got ${JSON.stringify(value)?.slice(0, 80)}`];
    if (isIntrinsic(value)) {
      const [fn, arg] = Object.entries(value as Record<string, Json>)[0]!;
      if (fn === 'Ref' && arg === 'AWS::NoValue') return [];
      // Each branch of an Fn::If is a value of this property.
      if (fn === 'Fn::If' && Array.isArray(arg)) return arg.slice(1).flatMap((branch, i) => shapeDefects(branch, type, `${where}/Fn::If/${i + 1}`));
      const result = intrinsicResult(value as Record<string, Json>);
      if (result === 'any' || type.type === 'json' || type.type === 'union') return type.type === 'union' ? unionDefects(value, type.types, where) : [];
      if (type.type === 'array') return result === 'list' ? [] : wrong('a list');
      if (type.type === 'map' || type.type === 'ref' || type.type === 'tag') return wrong('an object');
      return result === 'scalar' ? [] : wrong('a single value');
    }
    switch (type.type) {
      case 'string':
        if (typeof value !== 'string') return wrong('a string');
        return !type.allowedValues || type.allowedValues.includes(value) ? [] : wrong(`one of ${type.allowedValues.join(', ')}`);
      case 'date-time':
        return typeof value === 'string' ? [] : wrong('a string');
      case 'number':
        return typeof value === 'number' ? [] : wrong('a number');
      case 'integer':
        if (!Number.isInteger(value)) return wrong('an integer');
        return !type.allowedValues || type.allowedValues.includes(value as number) ? [] : wrong(`one of ${type.allowedValues.join(', ')}`);
      case 'boolean':
        return typeof value === 'boolean' ? [] : wrong('a boolean');
      case 'json':
        return value !== null && typeof value === 'object' ? [] : wrong('a JSON object');
      case 'null':
        return value === null ? [] : wrong('null');
      case 'tag':
        return objectDefects(value, { Key: { required: true, type: { type: 'string' } }, Value: { required: true, type: { type: 'string' } } }, where, wrong);
      case 'array':
        if (!Array.isArray(value)) return wrong('a list');
        return value.flatMap((v, i) => shapeDefects(v, type.element, `${where}/${i}`));
      case 'map':
        if (value === null || typeof value !== 'object' || Array.isArray(value)) return wrong('a map');
        return Object.entries(value).flatMap(([k, v]) => shapeDefects(v, type.element, `${where}/${k}`));
      case 'union':
        return unionDefects(value, type.types, where);
      case 'ref':
        return objectDefects(value, db.get('typeDefinition', type.reference.$ref).properties, where, wrong);
    }
  };
  const unionDefects = (value: Json, types: readonly PropertyType[], where: string): string[] => {
    const attempts = types.map((t) => shapeDefects(value, t, where));
    return attempts.some((a) => a.length === 0) ? [] : attempts.sort((a, b) => a.length - b.length)[0]!;
  };
  /** An object with the properties `spec` lists: none unknown, every required one present, each of its shape. */
  const objectDefects = (value: Json, spec: ResourceProperties, where: string, wrong: (expected: string) => string[]): string[] => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return wrong('an object');
    const found: string[] = [];
    for (const name of Object.keys(value)) if (!(name in spec)) found.push(`${where}: unknown property ${name} (known: ${Object.keys(spec).join(', ')})`);
    for (const [name, property] of Object.entries(spec)) {
      const v = value[name];
      if (v === undefined) {
        if (property.required) found.push(`${where}: missing required property ${name}`);
        continue;
      }
      const before = defects.length;
      checkValue(v, [property.type, ...(property.previousTypes ?? [])], `${where}/${name}`);
      found.push(...defects.splice(before));
    }
    return found;
  };

  for (const [id, resource] of Object.entries(resources)) {
    const where = `Resources/${id}`;
    for (const key of Object.keys(resource)) if (!RESOURCE_KEYS.includes(key)) defects.push(`${where}: unknown resource attribute ${key}`);
    for (const key of ['DeletionPolicy', 'UpdateReplacePolicy'] as const) {
      if (resource[key] !== undefined && !DELETION_POLICIES.includes(resource[key] as string)) defects.push(`${where}: ${key} ${JSON.stringify(resource[key])} is not one of ${DELETION_POLICIES.join(', ')}`);
    }
    for (const dependency of [resource.DependsOn ?? []].flat() as string[]) {
      if (!resources[dependency]) defects.push(`${where}: DependsOn ${dependency}, which the template does not have`);
    }
    if (typeof resource.Condition === 'string' && !conditions.includes(resource.Condition)) defects.push(`${where}: Condition ${resource.Condition}, which the template does not have`);
    checkReferences(resource.Properties ?? {}, `${where}/Properties`);

    if (isCustom(resource.Type)) {
      if (resource.Properties?.ServiceToken === undefined) defects.push(`${where}: custom resource without ServiceToken`);
      continue;
    }
    const spec = specOf(resource.Type);
    if (!spec) {
      defects.push(`${where}: unknown resource type ${resource.Type}`);
      continue;
    }
    defects.push(...objectDefects(resource.Properties ?? {}, spec.properties, `${where}/Properties`, () => [`${where}/Properties: expected an object`]));
  }
  checkReferences(template.Outputs ?? {}, 'Outputs');
  checkReferences(template.Conditions ?? {}, 'Conditions');
  return defects;
}

/** `{ "Ref": ... }` or `{ "Fn::...": ... }`: a value CloudFormation computes. */
function isIntrinsic(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::'));
}
