// Reads a V8 .cpuprofile (node --cpu-prof) of a cold init: how much went to compiling the bundle, running its top
// level (by the package whose code the top level called into, found through the bundle's source map), GC and Node itself.
import { readFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
  readonly columnNumber: number;
}
interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** The package a source path belongs to: a node_modules package, or the project's top folder (`lambda/core`). */
function packageOf(source: string): string {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source);
  return m ? m[1]! : source.replace(/^(\.\.\/)+/, '').split('/').slice(0, 2).join('/');
}

export interface InitProfile {
  /** Milliseconds of CPU samples by phase. */
  readonly compile: number;
  readonly evaluate: number;
  readonly gc: number;
  /** Node's own start-up, module loader and built-in modules. */
  readonly other: number;
  /** Evaluate time by the package the bundle's top level was running (outermost mapped frame). */
  readonly evaluateBy: ReadonlyMap<string, number>;
}

export function readInitProfile(profileFile: string, bundleFile: string): InitProfile {
  const profile = JSON.parse(readFileSync(profileFile, 'utf8')) as Profile;
  const map = new SourceMap(JSON.parse(readFileSync(`${bundleFile}.map`, 'utf8')) as SourceMapPayload);
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const isBundle = (f: CallFrame) => f.url.endsWith(bundleFile) || f.url === `file://${bundleFile}`;
  const sourceOf = (f: CallFrame) => (map.findEntry(f.lineNumber, f.columnNumber) as { originalSource?: string }).originalSource;

  const classify = (leafId: number): { phase: 'compile' | 'evaluate' | 'gc' | 'other'; owner?: string } => {
    if (byId.get(leafId)!.callFrame.functionName === '(garbage collector)') return { phase: 'gc' };
    let owner: string | undefined;
    let inBundle = false;
    for (let at: number | undefined = leafId; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      if (isBundle(frame)) {
        inBundle = true;
        // keep overwriting: the last mapped frame on the way up is the outermost, the one the top level called
        const source = sourceOf(frame);
        if (source) owner = packageOf(source);
      } else if (!inBundle && frame.functionName === 'compileSourceTextModule') return { phase: 'compile' };
    }
    return inBundle ? { phase: 'evaluate', owner: owner ?? '(top level)' } : { phase: 'other' };
  };

  const memo = new Map<number, ReturnType<typeof classify>>();
  const totals = { compile: 0, evaluate: 0, gc: 0, other: 0 };
  const evaluateBy = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    let c = memo.get(id);
    if (!c) memo.set(id, (c = classify(id)));
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    totals[c.phase] += ms;
    if (c.owner) evaluateBy.set(c.owner, (evaluateBy.get(c.owner) ?? 0) + ms);
  });
  return { ...totals, evaluateBy };
}

/** Self time of a whole profile by package: node internals, V8/native, GC, a node_modules package or a project folder. */
export function selfTimeByPackage(profile: Profile, projectRoot: string): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const root = `file://${projectRoot.replace(/\/?$/, '/')}`;
  const owner = (f: CallFrame) => {
    if (f.functionName === '(garbage collector)') return 'GC';
    if (f.functionName === '(idle)') return '(idle)';
    if (!f.url) return 'V8 / native (parsing, JSON, crypto, syscalls)';
    if (f.url.startsWith('node:')) return 'Node internals (http, net, streams, timers)';
    return packageOf(f.url.startsWith(root) ? f.url.slice(root.length) : f.url);
  };
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const k = owner(byId.get(id)!.callFrame);
    totals.set(k, (totals.get(k) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return totals;
}

export type { Profile as CpuProfile };
