// Starts local mode in-process for end-to-end tests: every server on an ephemeral port, quick emulated clocks.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigFile, type GatewayConfig } from '../../lib/config.js';
import { startLocalMode, type LocalMode } from '../../local/local-mode.js';
import type { Template } from '../../contract/template.js';
import type { DataprocIam } from '../../local/emulators/dataproc.js';
import type { Clock } from '../../local/emulators/faults.js';

export interface TestGateway {
  readonly local: LocalMode;
  readonly audit: Record<string, unknown>[];
  token(sub: string, groups: string[], options?: { scopes?: string[] }): Promise<string>;
  agentToken(options?: { clientId?: string; scopes?: string[] }): Promise<string>;
  call(method: string, path: string, options?: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> }): Promise<{ status: number; headers: Headers; body: any }>;
  waitFor(id: string, token: string, done: (job: any) => boolean, timeoutMs?: number): Promise<any>;
  stop(): Promise<void>;
}

export async function startTestGateway(options: { adjust?: (c: GatewayConfig) => void; templates?: readonly Template[]; dataprocIam?: DataprocIam; clock?: Clock } = {}): Promise<TestGateway> {
  const config = loadConfigFile('config/local.yaml');
  const dir = mkdtempSync(join(tmpdir(), 'djg-e2e-'));
  config.local.port = 0;
  config.local.identityProvider.port = 0;
  config.local.dataproc.port = 0;
  config.local.databricks.port = 0;
  config.local.googleTokens.port = 0;
  config.local.dataproc.stepMs = 150;
  config.local.databricks.stepMs = 150;
  config.local.auditLogFile = join(dir, 'audit.log');
  config.local.eventsLogFile = join(dir, 'events.log');
  options.adjust?.(config);
  const audit: Record<string, unknown>[] = [];
  const local = await startLocalMode(config, { quiet: true, templates: options.templates, dataprocIam: options.dataprocIam, auditSinks: [(line) => audit.push(line)], clock: options.clock });

  const call: TestGateway['call'] = async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.token) headers.Authorization = `Bearer ${options.token}`;
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['Content-Type'] ??= 'application/json';
    }
    const res = await fetch(`${local.url}${path}`, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, headers: res.headers, body: parsed as any };
  };

  return {
    local,
    audit,
    token: (sub, groups, options) => local.idp!.userToken({ sub, groups, scopes: options?.scopes }),
    agentToken: (options) => local.idp!.agentToken(options ?? {}),
    call,
    async waitFor(id, token, done, timeoutMs = 15000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const res = await call('GET', `/jobs/${id}`, { token });
        if (res.status !== 200) throw new Error(`GET /jobs/${id} answered ${res.status}: ${JSON.stringify(res.body)}`);
        if (done(res.body)) return res.body;
        if (Date.now() > deadline) throw new Error(`job ${id} still ${res.body.status} (${res.body.backendStatus}) after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    stop: () => local.stop(),
  };
}

export const TERMINAL = ['SUCCEEDED', 'FAILED', 'CANCELLED'];
