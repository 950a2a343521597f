#!/usr/bin/env node
// djg, the analyst's command line (cli/djg.ts). The TypeScript runs through tsx's loader, so an install from the
// repository (npm install -g .) needs no build step and runs the checkout's code as it is.
import { register } from 'tsx/esm/api';

register();
await import('../cli/djg.ts');
