// Where approval requests and decisions are published for people to be told (contract/approval-events.ts): EventBridge's
// default bus deployed (lambda/adapters/eventbridge/approval-events.ts), a file in local mode.
import type { ApprovalEventType } from '../../../contract/approval-events.js';

export interface ApprovalEvents {
  /** Publish one event; a failure is the caller's to log, never to fail a decision that is already recorded. */
  publish(detailType: ApprovalEventType, detail: Record<string, unknown>): Promise<void>;
}

export const noApprovalEvents: ApprovalEvents = { publish: () => Promise.resolve() };
