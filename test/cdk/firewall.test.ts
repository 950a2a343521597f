import { Match } from 'aws-cdk-lib/assertions';
import { MANAGED_RULE_GROUPS } from '../../lib/constructs/firewall.js';
import { buildStack, testConfig } from './fixtures.js';

describe('GatewayFirewall', () => {
  it('puts a regional web ACL with a per-IP rate limit (429) and the AWS managed rule groups in front of the stage', () => {
    // GIVEN / WHEN
    const { template } = buildStack(testConfig((raw) => (raw.api = { waf: { enabled: true, rateLimitPer5Minutes: 500 } })));

    // THEN
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      DefaultAction: { Allow: {} },
      Rules: [
        Match.objectLike({
          Name: 'RateLimitPerIp',
          Priority: 0,
          Statement: { RateBasedStatement: { Limit: 500, AggregateKeyType: 'IP', EvaluationWindowSec: 300 } },
          Action: { Block: { CustomResponse: Match.objectLike({ ResponseCode: 429, ResponseHeaders: [{ Name: 'Retry-After', Value: '60' }] }) } },
        }),
        ...MANAGED_RULE_GROUPS.map((group, i) =>
          Match.objectLike({
            Name: group.name,
            Priority: i + 1,
            OverrideAction: { None: {} },
            Statement: { ManagedRuleGroupStatement: Match.objectLike({ VendorName: 'AWS', Name: group.name }) },
          }),
        ),
      ],
    });
    template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      ResourceArn: { 'Fn::Join': ['', Match.arrayWith([{ Ref: Match.stringLikeRegexp('^ApiDeploymentStage') }])] },
      WebACLArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Firewall'), 'Arn'] },
    });
  });

  it('counts instead of blocking the common rule set\'s 8 KB body limit, since the gateway enforces api.maxBodyBytes', () => {
    const { template } = buildStack(testConfig((raw) => (raw.api = { waf: { enabled: true } })));
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Rules: Match.arrayWith([
        Match.objectLike({
          Statement: {
            ManagedRuleGroupStatement: Match.objectLike({ Name: 'AWSManagedRulesCommonRuleSet', RuleActionOverrides: [{ Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } }] }),
          },
        }),
      ]),
    });
  });

  it('is absent unless the config enables it', () => {
    const { template } = buildStack(testConfig((raw) => (raw.api = { waf: { enabled: false } })));
    template.resourceCountIs('AWS::WAFv2::WebACL', 0);
    template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 0);
  });
});
