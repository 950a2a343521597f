// Bundle-test entry: what every gateway function relies on (embedded settings, CommonJS dependencies), without AWS.
import { readSettings } from '../../../lambda/runtime/settings.js';
import platform from './legacy.cjs';

const settings = readSettings('catalog');

export const handler = async () => ({ platform: platform(), maxBodyBytes: settings.maxBodyBytes, templates: settings.templates.map((t) => t.id) });
