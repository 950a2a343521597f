export const load = () => import('./scan.js');
import type { GetCommand } from '@aws-sdk/lib-dynamodb';
