// The existing Databricks jobs the local emulator knows: those the config lists under `local.databricks.jobs`, and one
// for every run-now template whose job the config does not list, with the job parameters the template passes. A
// workspace would refuse run-now for a job that does not exist; local mode defines it instead, and says so at start.
import type { LocalConfig } from '../lib/config.js';
import type { Template } from '../contract/template.js';

export interface EmulatorJob {
  readonly jobId: number;
  readonly name: string;
  /** Job-level parameters with their defaults, as run-now's `job_parameters` override them. */
  readonly parameters: readonly { readonly name: string; readonly default: string }[];
  /** The job's tasks (jobs/create `settings.tasks`); the emulator's default when absent. */
  readonly tasks?: readonly Record<string, unknown>[];
  /** `config`, or the id of the run-now template the job was defined for. */
  readonly definedBy: 'config' | { readonly template: string };
}

/** The jobs to start the emulator with: the configured ones, then one per run-now template job the config lacks. */
export function emulatorJobs(configured: LocalConfig['databricks']['jobs'], templates: readonly Template[]): EmulatorJob[] {
  const jobs: EmulatorJob[] = configured.map((j) => ({
    jobId: j.jobId,
    name: j.name ?? `job-${j.jobId}`,
    parameters: Object.entries(j.parameters).map(([name, value]) => ({ name, default: value })),
    ...(j.tasks && { tasks: j.tasks }),
    definedBy: 'config',
  }));
  for (const t of templates) {
    const runNow = t.backend === 'databricks' ? t.databricks?.runNow : undefined;
    const jobId = runNow && literalJobId(runNow.jobId ?? runNow.job_id);
    if (jobId === undefined) continue;
    const passed = Object.keys(asObject(runNow!.jobParameters ?? runNow!.job_parameters));
    const known = jobs.find((j) => j.jobId === jobId);
    if (known) {
      // a second template for the same job may pass more parameters: the job defines them all
      if (known.definedBy !== 'config') jobs[jobs.indexOf(known)] = { ...known, parameters: union(known.parameters, passed) };
      continue;
    }
    jobs.push({ jobId, name: t.id, parameters: union([], passed), definedBy: { template: t.id } });
  }
  return jobs;
}

/** One startup line per job, saying where it came from. */
export function describeEmulatorJobs(jobs: readonly EmulatorJob[]): string[] {
  return jobs.map((j) => {
    const params = j.parameters.length ? ` (parameters: ${j.parameters.map((p) => p.name).join(', ')})` : '';
    const origin = j.definedBy === 'config' ? 'from local.databricks.jobs' : `defined for run-now template ${j.definedBy.template}`;
    return `job ${j.jobId} ${j.name}${params}, ${origin}`;
  });
}

/** A job id written as a number (or digits); a placeholder names no job until a caller fills it, so none is defined. */
function literalJobId(value: unknown): number | undefined {
  const id = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof id === 'number' && Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

const asObject = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

function union(existing: readonly { name: string; default: string }[], names: readonly string[]) {
  return [...existing, ...names.filter((n) => !existing.some((p) => p.name === n)).map((name) => ({ name, default: '' }))];
}
