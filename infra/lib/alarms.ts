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

/**
 * Namespace of the functions' Embedded Metric Format metrics (`particle_lambda::metrics::NAMESPACE`)
 * and of the metrics this stack derives from logs. Each function's metrics carry one dimension,
 * `Function`, whose value is the binary name (`ingest`, `sse-drain`, `geolocate`, `respond`, `forward`).
 *
 * The functions log in Lambda's text format (no `LoggingConfig.LogFormat`), so each EMF line reaches
 * CloudWatch Logs as written and its metrics are extracted.
 */
export const METRICS_NAMESPACE = 'ParticleIntegrations';

/** A function whose EMF metrics are alarmed on: its construct and its `Function` dimension value. */
export interface MetricsFunction {
  readonly fn: lambda.IFunction;
  readonly metricsName: string;
}

/** A function fed by an event source mapping with an on-failure queue. */
export interface StreamConsumer {
  readonly fn: lambda.IFunction;
  readonly deadLetterQueue: sqs.IQueue;
  /** Age of the oldest record of a batch above which the consumer is late. */
  readonly iteratorAgeThreshold: Duration;
  /** The mapping's maximum record age: older records go to the queue unprocessed. */
  readonly maxRecordAge: Duration;
}

export interface BackendAlarmsProps {
  /** Functions to watch for Errors and Throttles, keyed by a short name used in alarm ids. */
  readonly functions: Record<string, lambda.IFunction>;
  /** The webhook function, for its EMF answer counts and its invocations. */
  readonly ingest: MetricsFunction;
  /** The geolocation webhook, for its EMF 5xx answer count. */
  readonly geolocate: MetricsFunction;
  /** The reply webhook and admin API, for its EMF 5xx answer count. */
  readonly respond: MetricsFunction;
  /** The stream consumer, when deployed: how far behind it is and what it gave up on. */
  readonly forward?: StreamConsumer;
  /** The scheduled drainer; its stream alarms exist only when the schedule does. */
  readonly drain?: MetricsFunction;
  readonly deadLetterQueue: sqs.IQueue;
  readonly table: dynamodb.ITable;
  readonly httpStage: apigwv2.IHttpStage;
  /** Requests the HTTP API answered 429 (from its access log; the API publishes no such metric). */
  readonly throttledRequests: cloudwatch.IMetric;
  /** When set, this address is subscribed to the alarm topic. */
  readonly alarmEmail?: string;
}

const PERIOD = Duration.minutes(5);

/**
 * A share of failing requests worth waking someone for: half of them, in two of three 5-minute
 * periods (so one burst of scanner noise does not fire it, a stale webhook secret does).
 */
const FAILURE_SHARE_PERCENT = 50;
/** Requests per 5 minutes below which the API's 4xx share is not judged (a scanner's few 404s). */
const API_MIN_REQUESTS = 10;

/**
 * ConnectedPercent (the share of a window the stream was connected) below which a period counts as
 * disconnected. One 5-minute period holds about five windows; a 529 backoff (5 minutes by default)
 * or a short outage empties one period and heals itself, so only three disconnected periods in a row
 * (15 minutes) alarm: then the drainer is persistently locked out, refused or offline, and every
 * event published meanwhile that no webhook delivers is lost (gap items say when).
 */
const DISCONNECTED_PERCENT = 50;
const DISCONNECTED_PERIODS = 3;

interface AlarmSpec {
  readonly metric: cloudwatch.IMetric;
  readonly alarmDescription: string;
  readonly threshold?: number;
  readonly comparisonOperator?: cloudwatch.ComparisonOperator;
  readonly evaluationPeriods?: number;
  readonly datapointsToAlarm?: number;
  readonly treatMissingData?: cloudwatch.TreatMissingData;
}

/**
 * The alarms an operator needs to notice that events are being lost or will be: failed and throttled
 * invocations, failed scheduled deliveries, DynamoDB throttling, API 5xx, webhooks refused (4xx,
 * 401 after a secret rotation, 429 from the stage throttle), and a drainer that stopped running,
 * stays disconnected or could not store what it received.
 *
 * Every alarm notifies one SNS topic, on alarm and on OK. The topic always exists; without
 * `alarmEmail` nobody is subscribed, which the stack says at synth (a warning) and in its outputs.
 */
export class BackendAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: BackendAlarmsProps) {
    super(scope, id);

    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'Particle backend alarms',
      enforceSSL: true,
    });
    if (props.alarmEmail) {
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

    // Messages SENT, not messages visible: the first failure would keep "visible" above zero for
    // 14 days, so the alarm would stay in ALARM and every later failure would raise nothing. Lambda's
    // on-failure destination and EventBridge's DLQ both send with SendMessage, which this counts.
    this.add('DeadLetterQueueMessagesSent', {
      metric: props.deadLetterQueue.metricNumberOfMessagesSent({ period: PERIOD, statistic: cloudwatch.Stats.SUM }),
      alarmDescription:
        'A scheduled sse-drain invocation failed or expired and was sent to the dead-letter queue ' +
        '(DeadLetterQueueUrl output).',
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

    this.add('Api4xxShare', {
      metric: new cloudwatch.MathExpression({
        expression: `IF(c >= ${API_MIN_REQUESTS}, 100 * FILL(e, 0) / c, 0)`,
        usingMetrics: {
          e: props.httpStage.metricClientError({ period: PERIOD, statistic: cloudwatch.Stats.SUM }),
          c: props.httpStage.metricCount({ period: PERIOD, statistic: cloudwatch.Stats.SUM }),
        },
        label: '4xx answers, % of requests',
        period: PERIOD,
      }),
      threshold: FAILURE_SHARE_PERCENT,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      alarmDescription:
        `At least ${FAILURE_SHARE_PERCENT}% of the HTTP API's answers were 4xx (with ${API_MIN_REQUESTS} or more ` +
        'requests per 5 minutes). Particle counts 4xx against the webhook and skips, then disables, a webhook that ' +
        'keeps failing: check the webhook definition, its secret, and the access log.',
    });

    this.add('ApiThrottled', {
      metric: props.throttledRequests,
      alarmDescription:
        'The HTTP API answered 429: the stage throttle (context throttleRateLimit/throttleBurstLimit) was reached, ' +
        "by your fleet's own webhooks (raise the limits) or by a flood (then Particle's webhooks are refused too).",
    });

    const ingest = (metricName: string, statistic: string = cloudwatch.Stats.SUM) =>
      emfMetric(props.ingest.metricsName, metricName, statistic);

    this.add('IngestUnauthorizedShare', {
      metric: new cloudwatch.MathExpression({
        expression: 'IF(n >= 1, 100 * FILL(u, 0) / n, 0)',
        usingMetrics: {
          u: ingest('Unauthorized'),
          n: props.ingest.fn.metricInvocations({ period: PERIOD, statistic: cloudwatch.Stats.SUM }),
        },
        label: '401 answers, % of ingest invocations',
        period: PERIOD,
      }),
      threshold: FAILURE_SHARE_PERCENT,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      alarmDescription:
        `At least ${FAILURE_SHARE_PERCENT}% of the requests ingest handled were refused with 401. After a webhook ` +
        'secret rotation this means the Particle webhook still sends the old secret (update it before Particle ' +
        'disables the webhook); otherwise someone is posting to /ingest without the secret.',
    });

    this.add('IngestServerErrors', {
      metric: ingest('ServerErrors'),
      alarmDescription:
        'ingest answered 5xx (the store failed; Particle retries, the cause is in the ingest log).',
    });

    this.add('GeolocateServerErrors', {
      metric: emfMetric(props.geolocate.metricsName, 'ServerErrors', cloudwatch.Stats.SUM),
      alarmDescription:
        'geolocate answered 5xx: the store failed, or every provider failed (502 provider_error: a refused or ' +
        'placeholder key, a used-up quota; 504 provider_timeout). The device gets hook-error; the reason is in ' +
        'the geolocate log.',
    });

    this.add('RespondServerErrors', {
      metric: emfMetric(props.respond.metricsName, 'ServerErrors', cloudwatch.Stats.SUM),
      alarmDescription:
        'respond answered 5xx: the store failed, a reply was over REPLY_MAX_BYTES (500 reply_too_large, logged ' +
        'with its topic and size) or did not render, or Particle failed a function call or publish (502, 503 rate ' +
        'limited, 504 device_timeout). The reason is in the respond log and the delivery log.',
    });

    const forward = props.forward;
    if (forward) {
      const ageMs = forward.iteratorAgeThreshold.toMilliseconds();
      this.add('ForwardIteratorAge', {
        metric: forward.fn.metric('IteratorAge', { period: PERIOD, statistic: cloudwatch.Stats.MAXIMUM }),
        threshold: ageMs,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        alarmDescription:
          `forward is more than ${forward.iteratorAgeThreshold.toHumanString()} behind the table stream ` +
          '(a batch failing and being retried, throttling, or slow integration targets): deliveries and device ' +
          `replies are late. Records older than ${forward.maxRecordAge.toHumanString()} go to the forward dead-letter queue.`,
      });
      this.add('ForwardDeadLetterQueueMessagesSent', {
        metric: forward.deadLetterQueue.metricNumberOfMessagesSent({ period: PERIOD, statistic: cloudwatch.Stats.SUM }),
        alarmDescription:
          'forward gave up on stream records (still failing after its retries, or too old) and the mapping sent ' +
          'their shard and sequence numbers to its dead-letter queue (ForwardDeadLetterQueueUrl output): those events were not ' +
          'delivered to every integration. They are still in the table; the delivery log says which failed.',
      });
    }

    const drainer = props.drain;
    if (drainer) {
      const drain = (metricName: string, statistic: string = cloudwatch.Stats.SUM) =>
        emfMetric(drainer.metricsName, metricName, statistic);

      // Lambda publishes no Invocations datapoint for a period without invocations, so missing data
      // is what "the schedule stopped" looks like: it breaches.
      this.add('SseDrainNotInvoked', {
        metric: drainer.fn.metricInvocations({ period: Duration.minutes(10), statistic: cloudwatch.Stats.SUM }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        alarmDescription:
          'sse-drain was not invoked for 10 minutes although the schedule should run it every minute ' +
          '(rule disabled or deleted, or invocations failing before they start): the event stream is not drained.',
      });

      this.add('SseDrainDisconnected', {
        metric: drain('ConnectedPercent', cloudwatch.Stats.AVERAGE),
        threshold: DISCONNECTED_PERCENT,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: DISCONNECTED_PERIODS,
        datapointsToAlarm: DISCONNECTED_PERIODS,
        alarmDescription:
          `The Particle event stream was connected less than ${DISCONNECTED_PERCENT}% of the time for ` +
          `${DISCONNECTED_PERIODS * 5} minutes (529 lockout, exhausted open budget, refused token, network): ` +
          'events that no webhook delivers are being missed; gap items record the spans.',
      });

      this.add('SseDrainUnflushed', {
        metric: drain('Unflushed'),
        alarmDescription:
          'sse-drain received events it could not store before its window ended (store failing): they are lost ' +
          'unless a webhook also delivered them.',
      });
    }
  }

  private add(id: string, spec: AlarmSpec): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric: spec.metric,
      alarmDescription: spec.alarmDescription,
      threshold: spec.threshold ?? 1,
      evaluationPeriods: spec.evaluationPeriods ?? 1,
      datapointsToAlarm: spec.datapointsToAlarm,
      comparisonOperator: spec.comparisonOperator ?? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: spec.treatMissingData ?? cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new cwActions.SnsAction(this.topic));
    alarm.addOkAction(new cwActions.SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}

/** One EMF metric of one function, per 5-minute period. */
function emfMetric(functionName: string, metricName: string, statistic: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { Function: functionName },
    period: PERIOD,
    statistic,
  });
}
