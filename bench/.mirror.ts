import { buildMirroredBundles } from './lib/bundles.js';
const b = await buildMirroredBundles(process.cwd(), process.argv[2] ?? 'bench/out/mirror', 'config/example.yaml');
for (const x of b) console.log(x.name, x.bytes, x.mapBytes);
