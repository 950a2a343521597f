// The EventBridge adapter puts each approval event on the default bus as the gateway's source, and treats an entry
// PutEvents refused (a 200 with FailedEntryCount) as a failure. EventBridge has no local stand-in: aws-sdk-client-mock.
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { EventBridgeApprovalEvents, EventNotPublished } from '../../lambda/adapters/eventbridge/approval-events.js';

const eventBridge = mockClient(EventBridgeClient);
afterEach(() => eventBridge.reset());

it('puts one entry on the default bus with source data-job-gateway, the detail type and the detail as JSON', async () => {
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
  await new EventBridgeApprovalEvents(new EventBridgeClient({ region: 'eu-west-1' })).publish('Approval Requested', { jobId: 'job-a', approvers: ['leads'] });
  const calls = eventBridge.commandCalls(PutEventsCommand);
  expect(calls).toHaveLength(1);
  expect(calls[0]!.args[0].input).toEqual({ Entries: [{ Source: 'data-job-gateway', DetailType: 'Approval Requested', Detail: '{"jobId":"job-a","approvers":["leads"]}' }] });
  // no EventBusName: the account's default bus
  expect(calls[0]!.args[0].input.Entries![0]!.EventBusName).toBeUndefined();
});

it('fails when PutEvents answers 200 but refused the entry', async () => {
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'AccessDeniedException', ErrorMessage: 'not authorized' }] });
  const events = new EventBridgeApprovalEvents(new EventBridgeClient({ region: 'eu-west-1' }));
  await expect(events.publish('Approval Decided', { jobId: 'job-a' })).rejects.toThrow(EventNotPublished);
  await expect(events.publish('Approval Decided', { jobId: 'job-a' })).rejects.toThrow('AccessDeniedException');
});
