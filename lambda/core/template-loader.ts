// Parses and validates a template file completely, so that a bad template fails synth and start-up, never a request.
import { parseDocument } from 'yaml';
import { createAjv, describeErrors } from '../../contract/validation.js';
import { TemplateError } from './errors.js';
import { checkRenderedRequest, findPlaceholders } from './render.js';
import type { Template } from '../../contract/template.js';
import { TemplateFileSchema, DATAPROC_BATCH_TYPES, DATAPROC_JOB_TYPES } from './template-schema.js';

const fileAjv = createAjv({ useDefaults: true });
const validateFile = fileAjv.compile(TemplateFileSchema);

/** Parse and validate one template file's text. */
export function parseTemplate(text: string, file: string): Template {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length) throw new TemplateError(file, `not valid YAML: ${doc.errors[0]!.message}`);
  const raw: unknown = doc.toJS();
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new TemplateError(file, 'a template must be a YAML mapping');
  if (!validateFile(raw)) {
    throw new TemplateError(file, describeErrors(validateFile.errors ?? [], raw).join('; '));
  }
  const t = { ...(raw as Omit<Template, 'file'>), file } as Template;
  checkParameterSchema(t);
  checkBackendBlock(t);
  checkPlaceholders(t);
  for (const field of ['sensitiveParameters', 'personalParameters'] as const) {
    for (const name of t[field]) {
      if (!declaredParameters(t).has(name)) throw new TemplateError(file, `${field} names "${name}", which is not a declared parameter`);
    }
  }
  const both = t.personalParameters.find((name) => t.sensitiveParameters.includes(name));
  if (both) throw new TemplateError(file, `"${both}" is in both sensitiveParameters (secret: never recorded) and personalParameters (recorded as a fingerprint): choose one`);
  return t;
}

function declaredParameters(t: Template): Set<string> {
  const props = (t.parameters.properties ?? {}) as Record<string, unknown>;
  return new Set(Object.keys(props));
}

function checkParameterSchema(t: Template): void {
  try {
    createAjv({ useDefaults: true }).compile(t.parameters);
  } catch (err) {
    throw new TemplateError(t.file, `parameters is not a valid JSON Schema: ${(err as Error).message}`, { cause: err });
  }
  if (t.parameters.additionalProperties !== false) {
    throw new TemplateError(t.file, 'parameters must set additionalProperties: false, so that callers cannot pass undeclared values');
  }
}

function checkBackendBlock(t: Template): void {
  const blocks = { dataproc: t.dataproc, databricks: t.databricks };
  const other = t.backend === 'dataproc' ? 'databricks' : 'dataproc';
  if (!blocks[t.backend]) throw new TemplateError(t.file, `backend is ${t.backend} but there is no ${t.backend} block`);
  if (blocks[other]) throw new TemplateError(t.file, `backend is ${t.backend} but the template also has a ${other} block`);
  if (t.backend === 'dataproc') {
    const d = t.dataproc!;
    if (Boolean(d.job) === Boolean(d.batch)) throw new TemplateError(t.file, 'dataproc needs exactly one of job (cluster) or batch (serverless)');
    const kinds = d.job ? DATAPROC_JOB_TYPES : DATAPROC_BATCH_TYPES;
    const present = kinds.filter((k) => (d.job ?? d.batch)![k] !== undefined);
    if (present.length !== 1) throw new TemplateError(t.file, `dataproc.${d.job ? 'job' : 'batch'} needs exactly one of ${kinds.join(', ')} (found ${present.join(', ') || 'none'})`);
    if (d.job && !(d.job.placement as Record<string, unknown> | undefined)?.clusterName && !(d.job.placement as Record<string, unknown> | undefined)?.clusterLabels) {
      throw new TemplateError(t.file, 'dataproc.job.placement needs clusterName or clusterLabels');
    }
    checkRuntimeServiceAccount(t);
  } else {
    const d = t.databricks!;
    if (Boolean(d.runNow) === Boolean(d.submit)) throw new TemplateError(t.file, 'databricks needs exactly one of runNow (existing job) or submit (one-off run)');
  }
}

/** Who a batch runs as is the template's decision, never a caller's: no placeholder may choose it. */
function checkRuntimeServiceAccount(t: Template): void {
  const execution = ((t.dataproc?.batch?.environmentConfig as Record<string, unknown> | undefined)?.executionConfig ?? {}) as Record<string, unknown>;
  const account = execution.serviceAccount;
  if (account === undefined) return;
  if (typeof account !== 'string' || account.includes('{{')) {
    throw new TemplateError(t.file, 'dataproc.batch.environmentConfig.executionConfig.serviceAccount must be a fixed service account email, not a placeholder: the template decides who a batch runs as');
  }
}

function checkPlaceholders(t: Template): void {
  const declared = declaredParameters(t);
  const required = new Set((t.parameters.required as string[] | undefined) ?? []);
  const props = (t.parameters.properties ?? {}) as Record<string, { default?: unknown }>;
  const block = t.backend === 'dataproc' ? t.dataproc : t.databricks;
  const found = findPlaceholders(block, t.file);
  for (const { name, path } of found) {
    if (!declared.has(name)) throw new TemplateError(t.file, `${path} uses {{${name}}}, which is not a declared parameter`);
    // An untyped value that fills a whole field could be an object: a caller would then shape the backend request.
    if (!isScalarSchema(props[name] as Record<string, unknown>)) {
      throw new TemplateError(
        t.file,
        `${path} uses {{${name}}}, so /parameters/properties/${name} must declare a scalar type: string, integer, number or boolean (or type: array with items of one of those)`,
      );
    }
    // A placeholder must always have a value, so that rendering never drops or invents fields.
    if (!required.has(name) && props[name]?.default === undefined) {
      throw new TemplateError(t.file, `${path} uses {{${name}}}, so parameter "${name}" must be required or have a default`);
    }
  }
  // The rendered request must be valid for every caller, so check it with each parameter's example value.
  checkRenderedRequest(t, exampleValues(t));
}

const SCALAR_TYPES: ReadonlySet<unknown> = new Set(['string', 'integer', 'number', 'boolean']);

/** `type` is a scalar type (or a list of them), or an array whose `items` have one. */
function isScalarSchema(schema: Record<string, unknown> | undefined): boolean {
  const type = schema?.type;
  const scalar = (t: unknown) => (Array.isArray(t) ? t.length > 0 && t.every((x) => SCALAR_TYPES.has(x)) : SCALAR_TYPES.has(t));
  if (type === 'array') return scalar((schema!.items as Record<string, unknown> | undefined)?.type);
  return scalar(type);
}

/** A value of the right type for each parameter, to prove at load time that the rendered request has the right shape. */
function exampleValues(t: Template): Record<string, unknown> {
  const props = (t.parameters.properties ?? {}) as Record<string, Record<string, unknown>>;
  const out: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(props)) {
    if (s.default !== undefined) out[name] = s.default;
    else if (Array.isArray(s.enum) && s.enum.length) out[name] = s.enum[0];
    else if (Array.isArray(s.examples) && s.examples.length) out[name] = s.examples[0];
    else if (s.type === 'integer' || s.type === 'number') out[name] = typeof s.minimum === 'number' ? s.minimum : 1;
    else if (s.type === 'boolean') out[name] = true;
    else out[name] = 'example';
  }
  return out;
}
