// The events an approval publishes on EventBridge's default bus (lambda/adapters/eventbridge/approval-events.ts), so a
// team can route requests to chat or e-mail with a rule; local mode appends them to LOCAL_EVENTS_LOG_FILE instead.

/** The `source` of every event the gateway puts: a rule matches `{"source": ["data-job-gateway"]}`. */
export const EVENT_SOURCE = 'data-job-gateway';

/** The `detail-type` of each event. */
export const APPROVAL_EVENT_TYPES = { requested: 'Approval Requested', decided: 'Approval Decided' } as const;
export type ApprovalEventType = (typeof APPROVAL_EVENT_TYPES)[keyof typeof APPROVAL_EVENT_TYPES];

/** Where local mode writes the events, one JSON line each, as EventBridge would deliver them. */
export const LOCAL_EVENTS_LOG_FILE = '.local/events.log';
