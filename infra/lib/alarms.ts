import { Duration } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface BackendAlarmsProps {
  /** Functions to watch for Errors and Throttles, keyed by a short name used in alarm ids. */
  readonly functions: Record<string, lambda.IFunction>;
  readonly deadLetterQueue: sqs.IQueue;
  readonly table: dynamodb.ITable;
  readonly httpStage: apigwv2.IHttpStage;
  /** When set, an SNS topic with an e-mail subscription receives every alarm and OK transition. */
  readonly alarmEmail?: string;
}

const PERIOD = Duration.minutes(5);

/**
 * The alarms an operator needs to notice that events are being lost:
 * function errors and throttles, anything in the dead-letter queue, DynamoDB throttling
 * and API Gateway 5xx answers (Particle retries those, then disables a failing webhook).
 */
export class BackendAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly topic?: sns.Topic;

  constructor(scope: Construct, id: string, props: BackendAlarmsProps) {
    super(scope, id);

    if (props.alarmEmail) {
      this.topic = new sns.Topic(this, 'Topic', {
        displayName: 'Particle backend alarms',
        enforceSSL: true,
      });
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    }

    for (const [name, fn] of Object.entries(props.functions)) {
      this.add(`${name}Errors`, {
        metric: fn.metricErrors({ period: PERIOD, statistic: cloudwatch.Stats.SUM }),
        alarmDescription: `The ${name} function reported errors (failed invocations).`,
      });
      this.add(`${name}Throttles`, {
        metric: fn.metricThrottles({ period: PERIOD, statistic: cloudwatch.Stats.SUM }),
        alarmDescription: `The ${name} function was throttled.`,
      });
    }

    this.add('DeadLetterQueueMessages', {
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: PERIOD,
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      alarmDescription: 'A scheduled invocation failed or expired and landed in the dead-letter queue.',
    });

    this.add('TableThrottles', {
      metric: new cloudwatch.MathExpression({
        expression: 'FILL(r, 0) + FILL(w, 0)',
        usingMetrics: {
          r: props.table.metric('ReadThrottleEvents', { period: PERIOD, statistic: cloudwatch.Stats.SUM }),
          w: props.table.metric('WriteThrottleEvents', { period: PERIOD, statistic: cloudwatch.Stats.SUM }),
        },
        label: 'Read + write throttle events',
        period: PERIOD,
      }),
      alarmDescription: 'DynamoDB throttled reads or writes on the events table.',
    });

    this.add('Api5xx', {
      metric: props.httpStage.metricServerError({ period: PERIOD, statistic: cloudwatch.Stats.SUM }),
      alarmDescription: 'The HTTP API answered 5xx (Particle retries, then disables a webhook that keeps failing).',
    });
  }

  private add(id: string, props: { metric: cloudwatch.IMetric; alarmDescription: string }): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric: props.metric,
      alarmDescription: props.alarmDescription,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (this.topic) {
      alarm.addAlarmAction(new cwActions.SnsAction(this.topic));
      alarm.addOkAction(new cwActions.SnsAction(this.topic));
    }
    this.alarms.push(alarm);
  }
}
