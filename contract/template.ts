import type { BackendName } from './backends.js';

/** A job template as loaded and validated from templates/*.yaml (format in README.md "Job templates"). */
export interface Template {
  readonly id: string;
  readonly description: string;
  readonly backend: BackendName;
  readonly allowedGroups: readonly string[];
  readonly allowAgents: boolean;
  readonly datasets: readonly string[];
  /** Secret parameters (tokens, passwords): never shown anywhere, `***` in jobs, the ledger and the audit trail. */
  readonly sensitiveParameters: readonly string[];
  /**
   * Personal parameters (an email address): not shown either, but recorded as a keyed fingerprint
   * (lambda/core/keyed-hash.ts), so an auditor can find every job that used a given value.
   */
  readonly personalParameters: readonly string[];
  /** JSON Schema for the request's `parameters` object. */
  readonly parameters: Record<string, unknown>;
  readonly limits: { readonly timeoutSeconds?: number; readonly maxActivePerPrincipal?: number };
  /** Dataproc: exactly one of `job` (cluster job, v1 Job) or `batch` (Serverless, v1 Batch); optional per-template service account. */
  readonly dataproc?: { readonly job?: Record<string, unknown>; readonly batch?: Record<string, unknown>; readonly serviceAccount?: string };
  /** Databricks: exactly one of `runNow` (existing job) or `submit` (runs/submit body). */
  readonly databricks?: { readonly runNow?: Record<string, unknown>; readonly submit?: Record<string, unknown> };
  /**
   * Just-in-time approval: jobs wait in AWAITING_APPROVAL until `required` distinct members of `approvers` (never the
   * submitter, never an agent) approve, and expire after `expiresAfterMinutes` (docs/approvals.md).
   */
  readonly approval?: TemplateApproval;
  /** The file it came from, for messages. */
  readonly file: string;
}

export interface TemplateApproval {
  /** Groups whose members may decide (the same issuer trust rules as `allowedGroups`). */
  readonly approvers: readonly string[];
  /** Distinct approvals needed, 1-3. */
  readonly required: number;
  readonly expiresAfterMinutes: number;
}
