// Renders a gateway response exactly as API Gateway does, so a template that would break there breaks here too:
// plain substitution of the documented variables, no VTL.
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-gatewayResponse-definition.html
import { RESPONSE_TYPE_STATUS, type GatewayResponseSpec, type GatewayResponseType } from '../lib/gateway-responses.js';

/**
 * The `$context` variables a gateway response template can use, as named in
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html
 * (`authorizer.<key>` stands for any key of the Lambda authorizer's context).
 */
export const CONTEXT_VARIABLES = [
  'accountId',
  'apiId',
  'authorizer.principalId',
  'authorizer.<key>',
  'awsEndpointRequestId',
  'domainName',
  'domainPrefix',
  'error.message',
  'error.messageString',
  'error.responseType',
  'error.validationErrorString',
  'extendedRequestId',
  'httpMethod',
  'identity.accountId',
  'identity.apiKey',
  'identity.apiKeyId',
  'identity.caller',
  'identity.sourceIp',
  'identity.user',
  'identity.userAgent',
  'identity.userArn',
  'path',
  'protocol',
  'requestId',
  'requestTime',
  'requestTimeEpoch',
  'resourceId',
  'resourcePath',
  'stage',
] as const;

/** Why API Gateway answers with a gateway response. */
export interface GatewayResponseEvent {
  readonly type: GatewayResponseType;
  /** `$context.error.message`: API Gateway's own text for the error. */
  readonly message: string;
  /** `$context.error.validationErrorString`, for BAD_REQUEST_BODY and BAD_REQUEST_PARAMETERS. */
  readonly validationErrorString?: string;
  /**
   * The status this event has when no gateway response sets one.
   * @default the type's own (a failed Lambda proxy integration is INTEGRATION_FAILURE answered 502)
   */
  readonly status?: number;
}

/** The request's values for the variables, as API Gateway would know them. Unknown values substitute as empty. */
export interface GatewayResponseVariables {
  /** `$context.<name>` values other than `error.*`, keyed by name (`requestId`, `identity.sourceIp`, `authorizer.subject`...). */
  readonly context: Readonly<Record<string, string | undefined>>;
  readonly stageVariables?: Readonly<Record<string, string>>;
  /** Method request parameters: `$method.request.header.<name>` and so on. */
  readonly request?: { readonly header?: Readonly<Record<string, string>>; readonly querystring?: Readonly<Record<string, string>>; readonly path?: Readonly<Record<string, string>> };
}

export interface RenderedGatewayResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** API Gateway's own template for a type nobody customized. */
const BUILT_IN = { headers: { 'Content-Type': "'application/json'" }, template: '{"message":$context.error.messageString}' };

/** The gateway response API Gateway sends for `event`, given the API's gateway responses. */
export function renderGatewayResponse(specs: readonly GatewayResponseSpec[], event: GatewayResponseEvent, variables: GatewayResponseVariables): RenderedGatewayResponse {
  const typeStatus = event.status ?? RESPONSE_TYPE_STATUS[event.type] ?? 500;
  const own = specs.find((s) => s.type === event.type);
  // A type without its own entry takes DEFAULT_4XX's or DEFAULT_5XX's, by its status class.
  const fallback = own ? undefined : specs.find((s) => s.type === (typeStatus >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX'));
  const spec = own ?? fallback ?? BUILT_IN;
  const statusCode = ('statusCode' in spec ? spec.statusCode : undefined) ?? typeStatus;
  const values = (name: string) => variableValue(name, event, variables);
  const headers: Record<string, string> = {};
  for (const [name, mapping] of Object.entries(spec.headers)) headers[name] = headerValue(mapping, values);
  return { statusCode, headers, body: substitute(spec.template, values) };
}

const KNOWN = new Set<string>(CONTEXT_VARIABLES);
const NAME = /^[A-Za-z0-9_]+/;
const PARAMETER_NAME = /^[A-Za-z0-9_.-]*[A-Za-z0-9_]/;

/**
 * Replaces each variable with its value, as is. Anything else starting with `$` (`$util.escapeJavaScript(...)`, an
 * unknown name) is left in the text, as API Gateway leaves it.
 */
function substitute(template: string, value: (name: string) => string | undefined): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const at = template.indexOf('$', i);
    if (at < 0) break;
    out += template.slice(i, at);
    const variable = variableAt(template.slice(at + 1));
    const v = variable === undefined ? undefined : value(variable);
    if (variable === undefined || v === undefined) {
      out += '$';
      i = at + 1;
    } else {
      out += v;
      i = at + 1 + variable.length;
    }
  }
  return out + template.slice(i);
}

/** The longest variable name at the start of `text` (without its `$`), e.g. `context.error.messageString`. */
function variableAt(text: string): string | undefined {
  if (text.startsWith('context.')) {
    const rest = text.slice('context.'.length);
    const fixed = [...KNOWN].filter((k) => !k.includes('<') && rest.startsWith(k)).sort((a, b) => b.length - a.length)[0];
    if (fixed) return `context.${fixed}`;
    const key = rest.startsWith('authorizer.') ? NAME.exec(rest.slice('authorizer.'.length))?.[0] : undefined;
    return key ? `context.authorizer.${key}` : undefined;
  }
  if (text.startsWith('stageVariables.')) {
    const key = NAME.exec(text.slice('stageVariables.'.length))?.[0];
    return key ? `stageVariables.${key}` : undefined;
  }
  const param = /^method\.request\.(header|querystring|path)\./.exec(text);
  if (param) {
    const key = PARAMETER_NAME.exec(text.slice(param[0].length))?.[0];
    return key ? `${param[0]}${key}` : undefined;
  }
  return undefined;
}

function variableValue(name: string, event: GatewayResponseEvent, variables: GatewayResponseVariables): string | undefined {
  if (name.startsWith('context.')) {
    const key = name.slice('context.'.length);
    switch (key) {
      case 'error.message':
        return event.message;
      // Documented as `"$context.error.message"`: quotes around the message, with no promise of escaping inside them.
      case 'error.messageString':
        return `"${event.message}"`;
      case 'error.responseType':
        return event.type;
      case 'error.validationErrorString':
        return event.validationErrorString ?? '';
      default:
        return variables.context[key] ?? '';
    }
  }
  if (name.startsWith('stageVariables.')) return variables.stageVariables?.[name.slice('stageVariables.'.length)] ?? '';
  const [, , where, ...rest] = name.split('.') as [string, string, 'header' | 'querystring' | 'path', ...string[]];
  const params = variables.request?.[where] ?? {};
  const key = rest.join('.');
  // Header names are case-insensitive.
  return (where === 'header' ? Object.entries(params).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1] : params[key]) ?? '';
}

/** A header mapping: a quoted literal, or the name of a variable (`method.request.header.Origin`, `context.requestId`). */
function headerValue(mapping: string, value: (name: string) => string | undefined): string {
  const literal = /^'(.*)'$/s.exec(mapping);
  if (literal) return literal[1]!;
  const name = variableAt(mapping);
  if (name !== mapping) throw new Error(`gateway response header mapping ${JSON.stringify(mapping)} is neither a quoted literal nor a variable`);
  return value(name) ?? '';
}
