// oidc-provider warns about two things local mode does on purpose: running on Node 20 (the project's supported floor)
// and its in-memory adapter (tokens need not outlive `npm start`). Imported before oidc-provider, so it sees both.
const EXPECTED = [/^oidc-provider WARNING: Unsupported runtime/, /^oidc-provider WARNING: a quick start development-only in-memory adapter/, /^oidc-provider WARNING: .*in-memory adapter/];

const warn = console.warn.bind(console);
console.warn = (...args: unknown[]) => {
  const text = typeof args[0] === 'string' ? args[0].replace(/\x1b\[[0-9;]*m/g, '') : '';
  if (EXPECTED.some((re) => re.test(text))) return;
  warn(...args);
};
