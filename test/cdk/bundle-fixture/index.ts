// Bundle-test entry: what every gateway function relies on (embedded settings, CommonJS dependencies), without AWS.
import { embeddedSettings } from '../../../lambda/runtime/settings.js';
import platform from './legacy.cjs';

const settings = embeddedSettings();

export const handler = async () => ({ platform: platform(), name: settings.config.name, templates: settings.templates.map((t) => t.id) });
