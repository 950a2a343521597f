// The REQUEST authorizer, composed.
import type { RuntimeSettings } from '../../contract/settings.js';
import { createAuthorizer, type AuthorizerDeps, type RequestAuthorizer } from '../authorizer/authorizer.js';

export type AuthorizerAdapters = Omit<AuthorizerDeps, 'auth'>;

export function composeAuthorizer(settings: RuntimeSettings<'authorizer'>, adapters: AuthorizerAdapters): RequestAuthorizer {
  return createAuthorizer({ ...adapters, auth: settings.auth });
}
