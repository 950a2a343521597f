// The API access log line: one JSON object per request, naming the principal the authorizer established.
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';

/**
 * Field → API Gateway `$context` variable. Numbers are left unquoted (they are always set) so Logs Insights can
 * aggregate them; everything else is quoted because an absent value renders as `-`.
 */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  requestTime: '$context.requestTime',
  ip: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  path: '$context.path',
  protocol: '$context.protocol',
  domainName: '$context.domainName',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integration.latency',
  integrationStatus: '$context.integration.status',
  integrationError: '$context.integration.error',
  errorType: '$context.error.responseType',
  errorMessage: '$context.error.message',
  // From the authorizer context (lambda/core/principal.ts), shaped like the audit events' `principal` so one query serves both.
  principal: { issuer: '$context.authorizer.issuer', subject: '$context.authorizer.subject', kind: '$context.authorizer.kind' },
  authorizerError: '$context.authorizer.error',
  authorizerStatus: '$context.authorizer.status',
  authorizerLatency: '$context.authorizer.latency',
  authorizerIntegrationLatency: '$context.authorizer.integrationLatency',
  wafStatus: '$context.waf.status',
  wafError: '$context.waf.error',
  clientCertSubject: '$context.identity.clientCert.subjectDN',
  xrayTraceId: '$context.xrayTraceId',
} as const;

const NUMERIC = new Set(['status', 'responseLatency']);

type Fields = { readonly [name: string]: string | Fields };

function render(fields: Fields): string {
  const members = Object.entries(fields).map(([name, v]) =>
    typeof v !== 'string' ? `"${name}":${render(v)}` : NUMERIC.has(name) ? `"${name}":${v}` : `"${name}":"${v}"`,
  );
  return `{${members.join(',')}}`;
}

/** The access log format: one JSON object per line, so every field is a Logs Insights field. */
export function accessLogFormat(): AccessLogFormat {
  return AccessLogFormat.custom(render(ACCESS_LOG_FIELDS));
}
