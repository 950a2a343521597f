// What runs/get-output answers for one task run (https://docs.databricks.com/api/workspace/jobs/getrunoutput):
// `logs` for tasks that write to standard streams (Python script, wheel and JAR tasks: not notebooks), written line by
// line while the task runs; `notebook_output.result` (the dbutils.notebook.exit value) once a notebook task succeeds;
// `error` and `error_trace` once a task has failed.
import { FAIL_MARKER, type TaskMoment } from './runs.js';

const WRITES_STREAMS = ['spark_python_task', 'python_wheel_task', 'spark_jar_task'] as const;

/** Python's logging default format, as a script task's stdout shows it. */
const pythonLog = (at: number, message: string) => `${new Date(at).toISOString().replace('T', ' ').replace('Z', '').replace('.', ',')} INFO ${message}`;

function logLines(m: TaskMoment): string[] {
  const kind = WRITES_STREAMS.find((k) => m.spec[k] !== undefined);
  if (!kind) return [];
  const script = [
    `starting ${m.spec.task_key} (${kind})`,
    'reading input partitions: 16',
    'computed 48,210 feature rows',
    m.fails ? `failing: the task's configuration contains ${FAIL_MARKER}` : 'wrote 48,210 rows → feature table',
  ];
  // Spread over 90% of the RUNNING step; a cancel stops the writing.
  const spacing = (m.stepMs * 0.9) / script.length;
  const until = Math.min(m.now, (m.cancelledAt ?? Number.POSITIVE_INFINITY) - 1);
  const lines: string[] = [];
  script.forEach((message, i) => {
    const at = m.executionStart + Math.floor(i * spacing);
    if (at <= until) lines.push(pythonLog(at, message));
  });
  if (m.fails && m.terminated && !m.cancelled) lines.push('Traceback (most recent call last):', `  File "/Workspace/${m.spec.task_key}.py", line 27, in <module>`, `RuntimeError: ${FAIL_MARKER}`);
  return lines;
}

/** The get-output body for a task run, `metadata` being the task run as runs/get shows it. */
export function taskOutput(m: TaskMoment, metadata: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { metadata };
  const lines = logLines(m);
  if (lines.length) {
    out.logs = `${lines.join('\n')}\n`;
    out.logs_truncated = false;
  }
  if (!m.terminated || m.cancelled) return out;
  if (m.fails) {
    out.error = `RuntimeError: ${FAIL_MARKER}`;
    out.error_trace = [
      '---------------------------------------------------------------------------',
      'RuntimeError                              Traceback (most recent call last)',
      `File <command-4417>, line 3`,
      `----> 3 raise RuntimeError("${FAIL_MARKER}")`,
      '',
      `RuntimeError: ${FAIL_MARKER}`,
    ].join('\n');
  } else if (m.spec.notebook_task !== undefined) {
    out.notebook_output = { result: JSON.stringify({ status: 'ok', rows_written: 1234 }), truncated: false };
  }
  return out;
}
