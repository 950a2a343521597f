// Optional AWS WAF in front of the API stage: AWS managed rule groups plus a per-IP rate limit answered with 429.
import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import { CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { PROBLEMS, problemTypeUri } from '../../contract/problems.js';

export interface GatewayFirewallProps {
  /** Prefix of the web ACL's name and metrics. */
  readonly name: string;
  /** The API stage to protect. */
  readonly stage: Stage;
  /**
   * Requests one IP may send in any 5 minutes before WAF answers 429.
   * @default 2000 (config `api.waf.rateLimitPer5Minutes`)
   */
  readonly rateLimitPer5Minutes: number;
}

/** AWS managed rule groups, in evaluation order, with the rules we count instead of block (and why). */
export const MANAGED_RULE_GROUPS: readonly { readonly name: string; readonly countOnly?: readonly string[] }[] = [
  { name: 'AWSManagedRulesAmazonIpReputationList' },
  // The gateway enforces its own body limit (`api.maxBodyBytes`); the common set's 8 KB cap would reject valid job requests.
  { name: 'AWSManagedRulesCommonRuleSet', countOnly: ['SizeRestrictions_BODY'] },
  { name: 'AWSManagedRulesKnownBadInputsRuleSet' },
];

const TOO_MANY_REQUESTS_BODY = 'TooManyRequests';

export class GatewayFirewall extends Construct {
  readonly webAcl: CfnWebACL;

  constructor(scope: Construct, id: string, props: GatewayFirewallProps) {
    super(scope, id);
    const visibility = (metric: string): CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName: `${props.name}-${metric}`,
    });

    this.webAcl = new CfnWebACL(this, 'Resource', {
      name: `${props.name}-api`,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('api'),
      customResponseBodies: {
        [TOO_MANY_REQUESTS_BODY]: {
          contentType: 'APPLICATION_JSON',
          content: JSON.stringify({
            type: problemTypeUri('too-many-requests'),
            title: PROBLEMS['too-many-requests'].title,
            status: 429,
            detail: 'Too many requests from this address; retry later.',
          }),
        },
      },
      rules: [
        {
          name: 'RateLimitPerIp',
          priority: 0,
          statement: { rateBasedStatement: { limit: props.rateLimitPer5Minutes, aggregateKeyType: 'IP', evaluationWindowSec: 300 } },
          action: {
            block: {
              customResponse: {
                responseCode: 429,
                customResponseBodyKey: TOO_MANY_REQUESTS_BODY,
                responseHeaders: [{ name: 'Retry-After', value: '60' }],
              },
            },
          },
          visibilityConfig: visibility('rate-limit'),
        },
        ...MANAGED_RULE_GROUPS.map((group, i) => ({
          name: group.name,
          priority: i + 1,
          overrideAction: { none: {} },
          statement: {
            managedRuleGroupStatement: {
              vendorName: 'AWS',
              name: group.name,
              ruleActionOverrides: group.countOnly?.map((rule) => ({ name: rule, actionToUse: { count: {} } })),
            },
          },
          visibilityConfig: visibility(group.name),
        })),
      ],
    });

    new CfnWebACLAssociation(this, 'Association', { resourceArn: props.stage.stageArn, webAclArn: this.webAcl.attrArn });
  }
}
