// A Databricks run's output as one text: runs/get-output of each task run, in the run's task order
// (https://docs.databricks.com/api/workspace/jobs/getrunoutput: it answers for task runs only, not a multi-task run's
// own id). Databricks gives a task's output once the task has finished, so a task's section appears when it, and every
// task before it, has finished: the text only ever grows, and a byte offset into it stays valid.
import type { OutputChunk, OutputRead } from '../../core/backend.js';
import { sliceText } from '../../core/output-text.js';
import type { DatabricksHttpClient } from './http.js';
import { normalizeRun, type DatabricksRun } from './status.js';

/** runs/get pages a run's tasks (100 per page in API 2.2); runs with more pages than this are not read further. */
const MAX_TASK_PAGES = 20;
/** Finished tasks' sections, kept per task run id (they never change); bounded so a warm function stays small. */
const SECTION_CACHE_SIZE = 500;
const FINISHED = new Set(['TERMINATED', 'SKIPPED', 'INTERNAL_ERROR']);

interface TaskRun extends DatabricksRun {
  readonly run_id: string;
  readonly task_key?: string;
}

interface RunOutput {
  readonly logs?: string;
  readonly logs_truncated?: boolean;
  readonly error?: string;
  readonly error_trace?: string;
  readonly notebook_output?: { readonly result?: string; readonly truncated?: boolean };
}

export class RunOutputReader {
  private readonly sections = new Map<string, string>();

  constructor(private readonly http: DatabricksHttpClient) {}

  async read(runId: string, read: OutputRead): Promise<OutputChunk> {
    let text = '';
    for (const task of await this.tasks(runId)) {
      const lifeCycle = task.status?.state ?? task.state?.life_cycle_state ?? '';
      if (!FINISHED.has(lifeCycle)) break;
      text += await this.section(task, lifeCycle);
    }
    return sliceText(text, read.offset, read.limit);
  }

  /** The run's task runs in the order runs/get lists them, every page. */
  private async tasks(runId: string): Promise<TaskRun[]> {
    const tasks: TaskRun[] = [];
    let pageToken: string | undefined;
    for (let page = 0; page < MAX_TASK_PAGES; page++) {
      const res = await this.http.request('GET', '/api/2.2/jobs/runs/get', { query: { run_id: runId, ...(pageToken ? { page_token: pageToken } : {}) } });
      // int64 run ids: quote them before parsing so none is rounded.
      const run = JSON.parse(res.text.replace(/"run_id"\s*:\s*(\d+)/g, '"run_id":"$1"')) as { tasks?: TaskRun[]; next_page_token?: string };
      tasks.push(...(run.tasks ?? []));
      pageToken = run.next_page_token;
      if (!pageToken) break;
    }
    return tasks;
  }

  private async section(task: TaskRun, lifeCycle: string): Promise<string> {
    const cached = this.sections.get(task.run_id);
    if (cached !== undefined) return cached;
    // A skipped task never ran: it has no output to ask for.
    const output: RunOutput =
      lifeCycle === 'SKIPPED' ? {} : ((await this.http.request('GET', '/api/2.2/jobs/runs/get-output', { query: { run_id: task.run_id } })).json as RunOutput);
    const text = renderSection(task, output);
    if (this.sections.size >= SECTION_CACHE_SIZE) this.sections.delete(this.sections.keys().next().value!);
    this.sections.set(task.run_id, text);
    return text;
  }
}

const line = (text: string) => (text.endsWith('\n') ? text : `${text}\n`);

/** One task's output: a header like `tail`'s, then its logs, its notebook's exit value, its error and trace. */
function renderSection(task: TaskRun, output: RunOutput): string {
  let text = `==> task ${task.task_key ?? '?'} (run ${task.run_id}): ${normalizeRun(task).backendStatus} <==\n`;
  if (output.logs) text += line(output.logs);
  if (output.logs_truncated) text += '[Databricks kept only the last 5 MB of these logs]\n';
  if (output.notebook_output?.result !== undefined) {
    text += line(`notebook exit value: ${output.notebook_output.result}`);
    if (output.notebook_output.truncated) text += '[Databricks kept only the first 5 MB of the exit value]\n';
  }
  if (output.error) text += line(`error: ${output.error}`);
  if (output.error_trace) text += line(output.error_trace);
  return text;
}
