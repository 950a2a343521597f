// What every API function (catalog, jobs, admin) is composed with, whatever serves it: AWS deployed, local mode's
// stand-ins locally (local/local-mode.ts).
import type { AuditTrail } from '../core/audit.js';
import type { RevocationCheck } from '../core/revocations.js';
import type { ApiHandlerDeps } from '../http/api-handler.js';

export interface ApiAdapters {
  readonly audit: AuditTrail;
  readonly log: { error(message: string, attributes: Record<string, unknown>): void; warn(message: string, attributes: Record<string, unknown>): void };
  /** Re-checked on every request (lambda/adapters/dynamodb/revocation-check.ts deployed). */
  readonly isRevoked: RevocationCheck;
  /** The stage's base URL, for links and the OpenAPI document. */
  readonly baseUrl: () => string;
}

export function apiHandlerDeps(settings: { readonly maxBodyBytes: number }, adapters: ApiAdapters): ApiHandlerDeps {
  return {
    maxBodyBytes: settings.maxBodyBytes,
    baseUrl: adapters.baseUrl,
    isRevoked: adapters.isRevoked,
    audit: adapters.audit,
    logError: (message, err) => adapters.log.error(message, { error: describe(err) }),
  };
}

/** An unexpected error as the log shows it: its name, message and stack (never a request's token: errors carry none). */
function describe(err: unknown): Record<string, unknown> | string {
  return err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err);
}
