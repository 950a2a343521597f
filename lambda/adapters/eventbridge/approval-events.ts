// Approval events on EventBridge's default bus (contract/approval-events.ts): one PutEvents entry each, no bus name, so a
// team routes them with a rule on `source: data-job-gateway` without the gateway knowing who listens.
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { EVENT_SOURCE, type ApprovalEventType } from '../../../contract/approval-events.js';
import type { ApprovalEvents } from '../../core/approvals/events.js';

export class EventNotPublished extends Error {
  override readonly name = 'EventNotPublished';
}

export class EventBridgeApprovalEvents implements ApprovalEvents {
  constructor(private readonly client: EventBridgeClient = new EventBridgeClient({})) {}

  async publish(detailType: ApprovalEventType, detail: Record<string, unknown>): Promise<void> {
    const out = await this.client.send(new PutEventsCommand({ Entries: [{ Source: EVENT_SOURCE, DetailType: detailType, Detail: JSON.stringify(detail) }] }));
    // PutEvents answers 200 when an entry failed: FailedEntryCount and the entry's ErrorCode say so
    // (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html).
    if (out.FailedEntryCount) {
      const entry = out.Entries?.[0];
      throw new EventNotPublished(`PutEvents refused the ${detailType} event: ${entry?.ErrorCode ?? 'unknown'} ${entry?.ErrorMessage ?? ''}`.trim());
    }
  }
}
