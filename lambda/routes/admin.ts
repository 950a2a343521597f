// The admin function's routes: revoking identities, listing and lifting revocations (contract/routes.ts lists them;
// lambda/http/api-handler.ts dispatches to these).
import type { RevocationService } from '../core/revocation-service.js';
import type { RouteHandlers } from '../http/api-handler.js';

export function adminRoutes(revocations: RevocationService): RouteHandlers<'admin'> {
  return {
    'POST /admin/revocations': async ({ principal, facts, body }) => {
      const { created, revocation } = await revocations.revoke(principal, body as { issuer: string; subject: string; reason: string }, facts);
      return { status: created ? 201 : 200, body: revocation };
    },
    'GET /admin/revocations': async ({ principal, facts }) => ({ body: { revocations: await revocations.list(principal, facts) } }),
    'DELETE /admin/revocations/{id}': async ({ principal, facts, path }) => {
      await revocations.lift(principal, path.id ?? '', facts);
      return {};
    },
  };
}
