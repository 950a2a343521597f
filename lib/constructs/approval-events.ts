// Approval events go to the account's default event bus (contract/approval-events.ts): PutEvents on that bus only, and
// only with the gateway's own `source`, so a function cannot pose as another application on the bus.
import { Stack } from 'aws-cdk-lib';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { EVENT_SOURCE } from '../../contract/approval-events.js';

/**
 * Let `grantee` put the gateway's events on the default bus. Hand-written rather than `EventBus.grantPutEventsTo`,
 * which cannot add the `events:source` condition
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-conditions.html).
 */
export function grantApprovalEvents(grantee: IGrantable & IConstruct): void {
  const stack = Stack.of(grantee);
  Grant.addToPrincipal({
    grantee,
    actions: ['events:PutEvents'],
    resourceArns: [stack.formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' })],
    conditions: { StringEquals: { 'events:source': EVENT_SOURCE } },
  });
}
