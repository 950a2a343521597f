// What the local-mode benchmark server tells the benchmark: URLs, tokens and the request shapes to send.

export const BENCH_TEMPLATE = 'daily-sales-etl';
export const BENCH_PARAMETERS = { date: '2026-01-01' };

export interface BenchServerInfo {
  readonly gatewayUrl: string;
  /** One token per principal: requests rotate through them, as many users would. */
  readonly tokens: readonly string[];
  /** A submitted job and its owner's token, for the status route. */
  readonly statusJob: { readonly id: string; readonly token: string };
  readonly dataproc: {
    readonly url: string;
    /** An access token the emulator accepts (the gateway's service account). */
    readonly accessToken: string;
    /** The exact jobs:submit request the gateway sends for the benchmark's submission (from a dry run). */
    readonly submitPath: string;
    readonly submitBody: { job: Record<string, unknown> & { reference: { projectId: string; jobId: string } }; requestId: string };
    /** A job submitted directly, for the status baseline. */
    readonly statusPath: string;
  };
  readonly principals: number;
}
