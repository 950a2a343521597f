// Labels the gateway puts on every Dataproc job and batch, and the sanitising that keeps them within Dataproc's rules.
import type { Submission } from '../../core/backend.js';

export const GATEWAY_LABEL = {
  template: 'gateway-template',
  principal: 'gateway-principal',
  jobId: 'gateway-job-id',
} as const;

/** Dataproc accepts at most 32 labels on a job or batch. */
export const MAX_LABELS = 32;
const MAX_LENGTH = 63;

/** Lowercase ASCII letters, digits, `_` and `-`, at most 63 characters; accents are dropped, anything else becomes `-`. */
export function sanitizeLabelValue(value: string): string {
  return value
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '-')
    .slice(0, MAX_LENGTH);
}

/** A label value that also starts with a lowercase letter (a `k` is put in front otherwise) and is never empty. */
export function sanitizeLabelKey(key: string): string {
  const value = sanitizeLabelValue(key);
  return (/^[a-z]/.test(value) ? value : `k${value}`).slice(0, MAX_LENGTH);
}

/** The labels that tie a Dataproc workload to our job, template and principal (a keyed MAC: nothing a label reader can reverse). */
export function gatewayLabels(submission: Pick<Submission, 'jobId' | 'template' | 'principalTag'>): Record<string, string> {
  return {
    [GATEWAY_LABEL.template]: sanitizeLabelValue(submission.template.id),
    [GATEWAY_LABEL.principal]: sanitizeLabelValue(submission.principalTag),
    [GATEWAY_LABEL.jobId]: sanitizeLabelValue(submission.jobId),
  };
}

/** The template's labels (sanitised) with ours on top; ours win on a clash. May exceed MAX_LABELS: the caller checks. */
export function mergeLabels(templateLabels: Record<string, unknown> | undefined, ours: Record<string, string>): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const [key, value] of Object.entries(templateLabels ?? {})) {
    merged[sanitizeLabelKey(key)] = sanitizeLabelValue(typeof value === 'string' ? value : String(value));
  }
  return { ...merged, ...ours };
}
