// The synth baseline: a CDK app with one stack and one bundled NodejsFunction, run the same way as bin/app.ts.
import { fileURLToPath } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const app = new App();
const stack = new Stack(app, 'MinimalBenchApp', { env: { region: 'eu-west-1' } });
new NodejsFunction(stack, 'Handler', {
  entry: fileURLToPath(new URL('./minimal-handler.ts', import.meta.url)),
  projectRoot,
  depsLockFilePath: `${projectRoot}package-lock.json`,
  runtime: Runtime.NODEJS_24_X,
  bundling: { format: OutputFormat.ESM, minify: true, sourceMap: true },
});
app.synth();
