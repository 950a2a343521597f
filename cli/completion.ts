// `djg completion bash|zsh|fish`: completion scripts generated from djg's own commander tree (commander has no
// completion of its own), so a new command or option completes as soon as it exists. Each script finds the command
// path typed so far (skipping options and their values), then offers that command's subcommands, options, or the
// choices of the option being given a value.
import type { Command, Option } from 'commander';

interface OptionSpec {
  readonly flags: readonly string[];
  readonly description: string;
  readonly takesValue: boolean;
  readonly choices?: readonly string[];
}

interface CommandNode {
  /** Space-separated command path; '' for djg itself. */
  readonly path: string;
  readonly subcommands: readonly { readonly name: string; readonly description: string }[];
  readonly options: readonly OptionSpec[];
}

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

const visible = (c: Command) => !(c as unknown as { _hidden?: boolean })._hidden;

function optionSpec(o: Option): OptionSpec {
  return {
    flags: [o.long, o.short].filter((f): f is string => typeof f === 'string'),
    description: o.description,
    takesValue: o.required || o.optional,
    ...(o.argChoices?.length ? { choices: o.argChoices } : {}),
  };
}

const HELP: OptionSpec = { flags: ['--help', '-h'], description: 'show help', takesValue: false };

/** Every command of the tree with what may follow it; the program's own options apply everywhere. */
function commandTree(program: Command): CommandNode[] {
  const globals = program.options.filter((o) => !o.hidden).map(optionSpec);
  const nodes: CommandNode[] = [];
  const walk = (cmd: Command, path: string) => {
    const own = path === '' ? [] : cmd.options.filter((o) => !o.hidden).map(optionSpec);
    nodes.push({
      path,
      subcommands: cmd.commands.filter(visible).map((c) => ({ name: c.name(), description: c.description() })),
      options: [...own, ...globals, HELP],
    });
    for (const sub of cmd.commands.filter(visible)) walk(sub, path ? `${path} ${sub.name()}` : sub.name());
  };
  walk(program, '');
  return nodes;
}

export function completionScript(program: Command, shell: Shell): string {
  const nodes = commandTree(program);
  const name = program.name();
  if (shell === 'bash') return bash(name, nodes);
  if (shell === 'zsh') return zsh(name, nodes);
  return fish(name, nodes);
}

const fn = (name: string) => `_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
const single = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
const allFlags = (n: CommandNode) => n.options.flatMap((o) => o.flags);
const valueFlags = (n: CommandNode) => n.options.filter((o) => o.takesValue).flatMap((o) => o.flags);
const choiceCases = (nodes: readonly CommandNode[], indent: string) => {
  const seen = new Map<string, readonly string[]>();
  for (const n of nodes) for (const o of n.options) if (o.choices) for (const f of o.flags) seen.set(f, o.choices);
  return [...seen].map(([flag, choices]) => `${indent}${flag}) echo ${single(choices.join(' '))} ;;`).join('\n');
};
const pathCases = (nodes: readonly CommandNode[], value: (n: CommandNode) => string, indent: string) =>
  nodes.map((n) => `${indent}${single(n.path)}) echo ${single(value(n))} ;;`).join('\n');

/** Shell functions shared by bash and zsh: the command path typed so far, from the words before the cursor. */
function pathFunctions(f: string, nodes: readonly CommandNode[]): string {
  return `${f}_subcommands() {
  case "$1" in
${pathCases(nodes, (n) => n.subcommands.map((s) => s.name).join(' '), '    ')}
  esac
}
${f}_options() {
  case "$1" in
${pathCases(nodes, (n) => allFlags(n).join(' '), '    ')}
  esac
}
${f}_value_options() {
  case "$1" in
${pathCases(nodes, (n) => valueFlags(n).join(' '), '    ')}
  esac
}
${f}_choices() {
  case "$1" in
${choiceCases(nodes, '    ')}
  esac
}
# the command path among words 1..n-1: words that name a subcommand, not options or their values
${f}_path() {
  local cmdpath="" w prev=""
  # $1 is the program, the last argument the word being completed; shift works alike in bash and zsh
  shift
  while [ $# -gt 1 ]; do
    w="$1"
    shift
    case "$w" in
      -*) ;;
      *)
        if [[ -n "$prev" && " $(${f}_value_options "$cmdpath") " == *" $prev "* ]]; then :
        elif [[ " $(${f}_subcommands "$cmdpath") " == *" $w "* ]]; then cmdpath="\${cmdpath:+$cmdpath }$w"
        fi ;;
    esac
    prev="$w"
  done
  printf '%s' "$cmdpath"
}`;
}

function bash(name: string, nodes: readonly CommandNode[]): string {
  const f = fn(name);
  return `# bash completion for ${name}; load it with: source <(${name} completion bash)
${pathFunctions(f, nodes)}
${f}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" cmdpath choices
  cmdpath="$(${f}_path "\${COMP_WORDS[@]:0:COMP_CWORD+1}")"
  if [[ " $(${f}_value_options "$cmdpath") " == *" $prev "* ]]; then
    choices="$(${f}_choices "$prev")"
    if [[ -n "$choices" ]]; then COMPREPLY=($(compgen -W "$choices" -- "$cur")); else COMPREPLY=($(compgen -f -- "$cur")); fi
    return 0
  fi
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$(${f}_options "$cmdpath")" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$(${f}_subcommands "$cmdpath")" -- "$cur"))
  fi
}
complete -F ${f} ${name}
`;
}

function zsh(name: string, nodes: readonly CommandNode[]): string {
  const f = fn(name);
  const esc = (t: string) => t.replace(/'/g, `'\\''`).replace(/:/g, '\\:');
  const described = nodes
    .map((n) => {
      const subs = n.subcommands.map((s) => `'${esc(s.name)}:${esc(s.description)}'`).join(' ');
      const opts = n.options.flatMap((o) => o.flags.map((flag) => `'${esc(flag)}:${esc(o.description)}'`)).join(' ');
      return `    ${single(n.path)}) subs=(${subs}); opts=(${opts}) ;;`;
    })
    .join('\n');
  return `#compdef ${name}
# zsh completion for ${name}; load it with: source <(${name} completion zsh), or save it as _${name} on your fpath
${pathFunctions(f, nodes)}
${f}() {
  local -a subs opts
  local cmdpath prev choices
  cmdpath="$(${f}_path "\${(@)words[1,CURRENT]}")"
  prev="\${words[CURRENT-1]}"
  case "$cmdpath" in
${described}
  esac
  if [[ " $(${f}_value_options "$cmdpath") " == *" $prev "* ]]; then
    choices="$(${f}_choices "$prev")"
    if [[ -n "$choices" ]]; then compadd -- \${=choices}; else _files; fi
    return
  fi
  if [[ "\${words[CURRENT]}" == -* ]]; then _describe -t options 'option' opts; else _describe -t commands 'command' subs; fi
}
compdef ${f} ${name}
`;
}

function fish(name: string, nodes: readonly CommandNode[]): string {
  const f = fn(name).slice(1);
  const lines = [
    `# fish completion for ${name}; load it with: ${name} completion fish | source`,
    `function __${f}_path --description 'the ${name} command path typed so far'`,
    `    set -l cmdpath ''`,
    `    set -l prev ''`,
    `    set -l words (commandline -opc)`,
    `    for w in $words[2..-1]`,
    `        if not string match -q -- '-*' $w`,
    `            if not contains -- $prev (__${f}_value_options $cmdpath)`,
    `                if contains -- $w (__${f}_subcommands $cmdpath)`,
    `                    set cmdpath (string trim -- "$cmdpath $w")`,
    `                end`,
    `            end`,
    `        end`,
    `        set prev $w`,
    `    end`,
    `    echo $cmdpath`,
    `end`,
    `function __${f}_subcommands`,
    `    switch "$argv[1]"`,
    ...nodes.map((n) => `        case ${single(n.path)}\n            printf '%s\\n' ${n.subcommands.map((s) => single(s.name)).join(' ')}`),
    `    end`,
    `end`,
    `function __${f}_value_options`,
    `    switch "$argv[1]"`,
    ...nodes.map((n) => `        case ${single(n.path)}\n            printf '%s\\n' ${valueFlags(n).map(single).join(' ')}`),
    `    end`,
    `end`,
    `complete -c ${name} -f`,
  ];
  for (const n of nodes) {
    const when = `-n ${single(`test (__${f}_path) = ${JSON.stringify(n.path)}`)}`;
    for (const s of n.subcommands) lines.push(`complete -c ${name} ${when} -a ${single(s.name)} -d ${single(s.description)}`);
    for (const o of n.options) {
      const long = o.flags.find((x) => x.startsWith('--'));
      const short = o.flags.find((x) => /^-[^-]$/.test(x));
      const spec = `${long ? ` -l ${long.slice(2)}` : ''}${short ? ` -s ${short.slice(1)}` : ''}`;
      const value = o.choices ? ` -x -a ${single(o.choices.join(' '))}` : o.takesValue ? ' -r -F' : '';
      lines.push(`complete -c ${name} ${when}${spec}${value} -d ${single(o.description)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
