// The feature flags `cdk synth` applies, read from cdk.json's context: every test app is built with them, so the tests
// check the template the CLI deploys rather than the one aws-cdk-lib builds with no flags set.
import { readFileSync } from 'node:fs';

const { context } = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> };

/** cdk.json's context without the app's own keys (`config`): only the aws-cdk-lib feature flags. */
export const CDK_FEATURE_FLAGS: Readonly<Record<string, unknown>> = Object.fromEntries(Object.entries(context).filter(([key]) => key.includes(':')));
