import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TemplateCatalog } from '../../lambda/core/catalog.js';
import { ParameterValidationFailed, TemplateError } from '../../lambda/core/errors.js';
import { renderRequest, substitute } from '../../lambda/core/render.js';
import { parseTemplate } from '../../lambda/core/template-loader.js';
import { loadTemplateDir } from '../../lambda/adapters/template-files.js';

const base = `
id: t-one
description: a test template
backend: dataproc
allowedGroups: [analysts]
parameters:
  type: object
  additionalProperties: false
  required: [date]
  properties:
    date: {type: string, pattern: "^\\\\d{4}-\\\\d{2}-\\\\d{2}$"}
    shards: {type: integer, minimum: 1, maximum: 64, default: 8}
dataproc:
  job:
    placement: {clusterName: etl}
    pysparkJob:
      mainPythonFileUri: gs://b/job.py
      args: ["--date", "{{date}}", "--shards", "{{shards}}"]
`;

const parse = (text: string) => parseTemplate(text, 'templates/t.yaml');

describe('template loading', () => {
  it('loads every shipped template', () => {
    const templates = loadTemplateDir('templates');
    expect(templates.map((t) => t.id).sort()).toEqual(['churn-features-serverless', 'customer-report-notebook', 'daily-sales-etl', 'refresh-ml-features']);
    expect(new Set(templates.map((t) => t.backend))).toEqual(new Set(['dataproc', 'databricks']));
  });

  it('fills defaults for optional template fields', () => {
    const t = parse(base);
    expect(t.allowAgents).toBe(false);
    expect(t.datasets).toEqual([]);
    expect(t.sensitiveParameters).toEqual([]);
    expect(t.personalParameters).toEqual([]);
    expect(t.file).toBe('templates/t.yaml');
  });

  const failures: [string, string, RegExp][] = [
    ['a placeholder names an undeclared parameter', base.replace('{{shards}}', '{{count}}'), /uses \{\{count\}\}, which is not a declared parameter/],
    ['a placeholder names a field', base.replace('mainPythonFileUri: gs://b/job.py', 'mainPythonFileUri: gs://b/job.py\n      "{{date}}": x'), /a placeholder may not name a field/],
    ['a placeholder is malformed', base.replace('"{{date}}"', '"{{date"'), /malformed placeholder/],
    ['a placeholder parameter is optional without default', base.replace('default: 8', 'description: n'), /must be required or have a default/],
    ['the parameter schema allows extra properties', base.replace('additionalProperties: false', 'additionalProperties: true'), /additionalProperties: false/],
    ['the parameter schema does not compile', base.replace('minimum: 1,', 'minimum: "one",'), /not a valid JSON Schema/],
    ['the backend block is missing', base.replace('backend: dataproc', 'backend: databricks'), /no databricks block/],
    ['both job and batch are given', base.replace('dataproc:\n  job:', 'dataproc:\n  batch: {pysparkBatch: {mainPythonFileUri: gs://x}}\n  job:'), /exactly one of job/],
    ['two job types are given', base.replace('    pysparkJob:', '    sparkJob: {mainClass: A}\n    pysparkJob:'), /exactly one of/],
    ['the cluster is not placed', base.replace('placement: {clusterName: etl}', 'placement: {}'), /clusterName or clusterLabels/],
    ['an unknown top-level field appears', base + 'owner: me\n', /\/owner is not a known field/],
    ['the id is not a slug', base.replace('id: t-one', 'id: T One'), /\/id must match pattern/],
    ['sensitiveParameters names an undeclared parameter', base.replace('allowedGroups', 'sensitiveParameters: [password]\nallowedGroups'), /sensitiveParameters names "password"/],
    ['the rendered request is not a valid Dataproc job', base.replace('mainPythonFileUri: gs://b/job.py', 'mainPythonFileUri: gs://b/job.py\n      bogusField: 1').replace('    placement', '    bogus: 1\n    placement'), /rendered dataproc request is invalid/],
    ['personalParameters names an undeclared parameter', base.replace('allowedGroups', 'personalParameters: [email]\nallowedGroups'), /personalParameters names "email"/],
    ['a parameter is both secret and personal', base.replace('allowedGroups', 'sensitiveParameters: [date]\npersonalParameters: [date]\nallowedGroups'), /"date" is in both sensitiveParameters .* and personalParameters/],
    ['a placeholder parameter has no type (a caller could pass an object)', base.replace('shards: {type: integer, minimum: 1, maximum: 64, default: 8}', 'shards: {default: 8}'), /\/job\/pysparkJob\/args\/3 uses \{\{shards\}\}, so \/parameters\/properties\/shards must declare a scalar type/],
    ['a placeholder parameter is an object', base.replace('shards: {type: integer, minimum: 1, maximum: 64, default: 8}', 'shards: {type: object, default: {}}'), /must declare a scalar type/],
    ['a placeholder parameter is an array of objects', base.replace('shards: {type: integer, minimum: 1, maximum: 64, default: 8}', 'shards: {type: array, items: {type: object}, default: []}'), /must declare a scalar type/],
    ['YAML repeats a key', base.replace('backend: dataproc', 'backend: dataproc\nbackend: dataproc'), /not valid YAML/],
    [
      'a caller would choose who a batch runs as',
      base.replace(
        'dataproc:\n  job:\n    placement: {clusterName: etl}\n    pysparkJob:',
        'dataproc:\n  batch:\n    environmentConfig: {executionConfig: {serviceAccount: "{{date}}@acme.iam.gserviceaccount.com"}}\n    pysparkBatch:',
      ),
      /executionConfig\.serviceAccount must be a fixed service account email, not a placeholder/,
    ],
  ];
  it.each(failures)('fails when %s, naming the file', (_, text, message) => {
    expect(() => parse(text)).toThrow(TemplateError);
    expect(() => parse(text)).toThrow(message);
    expect(() => parse(text)).toThrow(/^templates\/t\.yaml: /);
  });

  it('accepts scalar, union-of-scalar and array-of-scalar placeholder parameters', () => {
    const typed = base
      .replace('shards: {type: integer, minimum: 1, maximum: 64, default: 8}', 'shards: {type: [integer, string], default: 8}\n    extra: {type: array, items: {type: string}, default: []}')
      .replace('args: ["--date", "{{date}}", "--shards", "{{shards}}"]', 'args: ["--date", "{{date}}", "--shards", "{{shards}}"]\n      jarFileUris: "{{extra}}"');
    expect(parse(typed).id).toBe('t-one');
  });

  it('loads an approval block: approver groups, distinct approvals required, expiry', () => {
    const t = parse(`${base}approval: {approvers: [leads, data-eng], required: 2, expiresAfterMinutes: 240}\n`);
    expect(t.approval).toEqual({ approvers: ['leads', 'data-eng'], required: 2, expiresAfterMinutes: 240 });
    expect(parse(base).approval).toBeUndefined();
  });

  it.each([
    ['requires more approvers than possible', 'approval: {approvers: [leads], required: 4, expiresAfterMinutes: 60}', /templates\/t\.yaml: .*\/approval\/required must be <= 3/],
    ['requires none', 'approval: {approvers: [leads], required: 0, expiresAfterMinutes: 60}', /templates\/t\.yaml: .*\/approval\/required must be >= 1/],
    ['names no approver group', 'approval: {approvers: [], required: 1, expiresAfterMinutes: 60}', /templates\/t\.yaml: .*\/approval\/approvers/],
    ['has an unknown key', 'approval: {approvers: [leads], required: 1, expiresAfterMinutes: 60, autoApprove: true}', /templates\/t\.yaml: .*autoApprove/],
    ['never expires', 'approval: {approvers: [leads], required: 1}', /templates\/t\.yaml: .*expiresAfterMinutes/],
  ])('fails at load, naming the file, when an approval %s', (_, block, message) => {
    expect(() => parse(`${base}${block}\n`)).toThrow(TemplateError);
    expect(() => parse(`${base}${block}\n`)).toThrow(message);
  });

  it('fails when two files share an id', () => {
    const dir = mkdtempSync(join(tmpdir(), 'templates-'));
    writeFileSync(join(dir, 'a.yaml'), base);
    writeFileSync(join(dir, 'b.yaml'), base);
    expect(() => loadTemplateDir(dir)).toThrow(/b\.yaml: template id "t-one" is already used by .*a\.yaml/);
  });
});

describe('rendering', () => {
  const t = parse(base);
  const catalog = new TemplateCatalog([t]);

  it('keeps a lone placeholder’s type and splices embedded ones as text', () => {
    expect(substitute({ a: '{{n}}', b: 'x-{{n}}', c: ['{{flag}}'] }, { n: 8, flag: true })).toEqual({ a: 8, b: 'x-8', c: [true] });
  });

  it('fills defaults, then coerces values the backend needs as strings', () => {
    const rendered = renderRequest(t, catalog.validateParameters(t, { date: '2026-03-01' }));
    expect(rendered).toEqual({
      job: { placement: { clusterName: 'etl' }, pysparkJob: { mainPythonFileUri: 'gs://b/job.py', args: ['--date', '2026-03-01', '--shards', '8'] } },
    });
  });

  it('never expands placeholders inside parameter values', () => {
    expect(substitute({ a: 'v={{x}}' }, { x: '{{y}}', y: 'secret' })).toEqual({ a: 'v={{y}}' });
  });

  it('cannot add or rename fields whatever the values', () => {
    const rendered = renderRequest(t, catalog.validateParameters(t, { date: '2026-03-01', shards: 2 })) as { job: Record<string, unknown> };
    expect(Object.keys(rendered.job).sort()).toEqual(['placement', 'pysparkJob']);
  });

  it('answers one error per bad field, without echoing values', () => {
    let caught: unknown;
    try {
      catalog.validateParameters(t, { date: 'yesterday', shards: 0, extra: 'hunter2' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ParameterValidationFailed);
    const errors = (caught as ParameterValidationFailed).errors;
    expect(errors.map((e) => e.pointer).sort()).toEqual(['/parameters/date', '/parameters/extra', '/parameters/shards']);
    expect(JSON.stringify(errors)).not.toContain('hunter2');
  });

  it('reports a missing required parameter at its own pointer', () => {
    expect(() => catalog.validateParameters(t, {})).toThrow(ParameterValidationFailed);
    try {
      catalog.validateParameters(t, {});
    } catch (err) {
      expect((err as ParameterValidationFailed).errors).toEqual([{ pointer: '/parameters/date', detail: 'is required' }]);
    }
  });

  it('does not let defaults leak between calls', () => {
    const input = { date: '2026-03-01' };
    catalog.validateParameters(t, input);
    expect(input).toEqual({ date: '2026-03-01' });
  });
});
