// Local mode's stand-in for EventBridge's default bus: each approval event is appended to a file (config
// `local.eventsLogFile`) as the event a rule's target would receive, envelope and all
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html).
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { EVENT_SOURCE, type ApprovalEventType } from '../contract/approval-events.js';
import type { ApprovalEvents } from '../lambda/core/approvals/events.js';

export class FileApprovalEvents implements ApprovalEvents {
  constructor(
    private readonly file: string,
    private readonly region: string,
  ) {
    mkdirSync(dirname(file), { recursive: true });
  }

  publish(detailType: ApprovalEventType, detail: Record<string, unknown>): Promise<void> {
    const event = {
      version: '0',
      id: randomUUID(),
      'detail-type': detailType,
      source: EVENT_SOURCE,
      account: '000000000000',
      // EventBridge stamps whole seconds
      time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: this.region,
      resources: [],
      detail,
    };
    appendFileSync(this.file, `${JSON.stringify(event)}\n`);
    return Promise.resolve();
  }
}
