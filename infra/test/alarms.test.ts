import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { resource, synth } from './helpers';

type Alarm = { id: string; props: any };

function alarms(template: Template): Alarm[] {
  return Object.entries(template.findResources('AWS::CloudWatch::Alarm')).map(([id, a]) => ({
    id,
    props: (a as any).Properties,
  }));
}

/** The alarm whose logical id starts with `Alarms<name>`. */
function alarm(template: Template, name: string): any {
  return resource(template, 'AWS::CloudWatch::Alarm', `Alarms${name}`).props;
}

/** The metric of a math-expression alarm with query id `id`. */
function mathMetric(props: any, id: string): any {
  const found = props.Metrics.find((m: any) => m.Id === id);
  if (!found) throw new Error(`no metric ${id} in ${JSON.stringify(props.Metrics)}`);
  return found.MetricStat;
}

const EMF = 'ParticleIntegrations';

describe('alarms', () => {
  const { template, stack } = synth();
  const topic = resource(template, 'AWS::SNS::Topic', 'AlarmsTopic').id;
  const fnId = (prefix: string) => resource(template, 'AWS::Lambda::Function', prefix).id;

  test('the default stack has these alarms, and no drainer alarm while the schedule is off', () => {
    expect(alarms(template).map((a) => a.id.replace(/^Alarms/, '').replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(
      [
        'Api4xxShare',
        'Api5xx',
        'ApiThrottled',
        'DeadLetterQueueMessagesSent',
        'ForwardDeadLetterQueueMessagesSent',
        'ForwardErrors',
        'ForwardIteratorAge',
        'ForwardThrottles',
        'GeolocateErrors',
        'GeolocateServerErrors',
        'GeolocateThrottles',
        'IngestErrors',
        'IngestServerErrors',
        'IngestThrottles',
        'IngestUnauthorizedShare',
        'RespondErrors',
        'RespondServerErrors',
        'RespondThrottles',
        'SseDrainErrors',
        'SseDrainThrottles',
        'TableThrottles',
      ].sort(),
    );
  });

  test('every alarm notifies the topic on alarm and on OK; the topic exists without an e-mail', () => {
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    for (const a of alarms(template)) {
      expect(a.props.AlarmActions).toEqual([{ Ref: topic }]);
      expect(a.props.OKActions).toEqual([{ Ref: topic }]);
      expect(a.props.AlarmDescription.length).toBeGreaterThan(20);
    }
  });

  test('without alarmEmail the deploy says that nobody is notified (warning and outputs)', () => {
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('notify nobody'));
    expect(warnings).toHaveLength(1);
    const outputs = template.findOutputs('*');
    expect(outputs.AlarmSubscribers.Value).toMatch(/^NOBODY/);
    expect(outputs.AlarmTopicArn.Value).toEqual({ Ref: topic });
    expect(JSON.stringify(outputs.SubscribeToAlarmsCommand.Value)).toContain('aws sns subscribe');
  });

  test('alarmEmail subscribes that address, and the warning goes away', () => {
    const { template: t, stack: s } = synth({ alarmEmail: 'ops@example.com' });
    t.resourceCountIs('AWS::SNS::Topic', 1);
    t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    expect(Annotations.fromStack(s).findWarning('*', Match.stringLikeRegexp('notify nobody'))).toHaveLength(0);
    expect(t.findOutputs('*').AlarmSubscribers.Value).toMatch(/^ops@example\.com/);
  });

  test('dead-letter queue: alarms on messages sent (each failure), not on messages visible (stuck in ALARM)', () => {
    const dlq = resource(template, 'AWS::SQS::Queue', 'DeadLetterQueue').id;
    expect(alarm(template, 'DeadLetterQueueMessagesSent')).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'NumberOfMessagesSent',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlq, 'QueueName'] } }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(JSON.stringify(template.findResources('AWS::CloudWatch::Alarm'))).not.toContain('ApproximateNumberOf');
  });

  test('errors and throttles of each function', () => {
    for (const prefix of ['Ingest', 'SseDrain', 'Geolocate', 'Forward']) {
      for (const metric of ['Errors', 'Throttles']) {
        expect(alarm(template, `${prefix}${metric}`)).toMatchObject({
          MetricName: metric,
          Namespace: 'AWS/Lambda',
          Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId(prefix) } }],
          Threshold: 1,
        });
      }
    }
  });

  test('API 4xx: share of requests over 50% in 2 of 3 periods, ignoring quiet periods', () => {
    const props = alarm(template, 'Api4xxShare');
    expect(props).toMatchObject({
      Threshold: 50,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
    });
    const expr = props.Metrics.find((m: any) => m.Expression);
    expect(expr.Expression).toBe('IF(c >= 10, 100 * FILL(e, 0) / c, 0)');
    expect(mathMetric(props, 'e').Metric).toMatchObject({ Namespace: 'AWS/ApiGateway', MetricName: '4xx' });
    expect(mathMetric(props, 'c').Metric).toMatchObject({ Namespace: 'AWS/ApiGateway', MetricName: 'Count' });
  });

  test('API 429: counted from the access log (HTTP APIs publish no 429 metric) per API id', () => {
    const api = resource(template, 'AWS::ApiGatewayV2::Api', 'HttpApi').id;
    const logs = resource(template, 'AWS::Logs::LogGroup', 'HttpApiAccessLogs').id;
    const filter = resource(template, 'AWS::Logs::MetricFilter', 'HttpApiThrottledRequests').props;
    expect(filter).toEqual({
      LogGroupName: { Ref: logs },
      FilterPattern: '{ $.status = "429" }',
      MetricTransformations: [
        {
          MetricNamespace: EMF,
          MetricName: 'ApiThrottledRequests',
          MetricValue: '1',
          Unit: 'Count',
          Dimensions: [{ Key: 'ApiId', Value: '$.apiId' }],
        },
      ],
    });
    // The access log carries the two fields the filter reads.
    const format = JSON.parse(resource(template, 'AWS::ApiGatewayV2::Stage', 'DefaultStage').props.AccessLogSettings.Format);
    expect(format).toMatchObject({ status: '$context.status', apiId: '$context.apiId' });
    expect(alarm(template, 'ApiThrottled')).toMatchObject({
      Namespace: EMF,
      MetricName: 'ApiThrottledRequests',
      Dimensions: [{ Name: 'ApiId', Value: { Ref: api } }],
      Statistic: 'Sum',
      Threshold: 1,
    });
  });

  test("ingest: 401 share of invocations (a stale secret after rotation) and 5xx answers, from ingest's EMF metrics", () => {
    const share = alarm(template, 'IngestUnauthorizedShare');
    expect(share).toMatchObject({ Threshold: 50, EvaluationPeriods: 3, DatapointsToAlarm: 2 });
    expect(share.Metrics.find((m: any) => m.Expression).Expression).toBe('IF(n >= 1, 100 * FILL(u, 0) / n, 0)');
    expect(mathMetric(share, 'u').Metric).toEqual({
      Namespace: EMF,
      MetricName: 'Unauthorized',
      Dimensions: [{ Name: 'Function', Value: 'ingest' }],
    });
    expect(mathMetric(share, 'n').Metric).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Invocations',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId('Ingest') } }],
    });
    expect(alarm(template, 'IngestServerErrors')).toMatchObject({
      Namespace: EMF,
      MetricName: 'ServerErrors',
      Dimensions: [{ Name: 'Function', Value: 'ingest' }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  test('respond: 5xx answers from its EMF metric (Function=respond), at the first one', () => {
    expect(alarm(template, 'RespondServerErrors')).toMatchObject({
      Namespace: EMF,
      MetricName: 'ServerErrors',
      Dimensions: [{ Name: 'Function', Value: 'respond' }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  test('geolocate: 5xx answers from its EMF metric (Function=geolocate), at the first one', () => {
    expect(alarm(template, 'GeolocateServerErrors')).toMatchObject({
      Namespace: EMF,
      MetricName: 'ServerErrors',
      Dimensions: [{ Name: 'Function', Value: 'geolocate' }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  test('forward: behind the stream when its iterator age (maximum) exceeds 5 minutes', () => {
    expect(alarm(template, 'ForwardIteratorAge')).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'IteratorAge',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId('Forward') } }],
      Statistic: 'Maximum',
      Period: 300,
      Threshold: 300_000, // milliseconds
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
  });

  test("forward's dead-letter queue: alarms on each message sent, like the drainer's", () => {
    const dlq = resource(template, 'AWS::SQS::Queue', 'ForwardDeadLetterQueue').id;
    expect(alarm(template, 'ForwardDeadLetterQueueMessagesSent')).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'NumberOfMessagesSent',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlq, 'QueueName'] } }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  test('forward=false: no forward alarm at all', () => {
    const { template: t } = synth({ forward: 'false' });
    expect(alarms(t).filter((a) => a.id.startsWith('AlarmsForward'))).toEqual([]);
    expect(alarms(t).map((a) => a.id).some((id) => id.startsWith('AlarmsGeolocateServerErrors'))).toBe(true);
  });

  describe('with the drainer scheduled', () => {
    const { template: t } = synth({ sseDrain: true });
    const drain = resource(t, 'AWS::Lambda::Function', 'SseDrain').id;

    test('the schedule stopping is an alarm: no invocation in 10 minutes, missing data breaching', () => {
      expect(alarm(t, 'SseDrainNotInvoked')).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: 'Invocations',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: drain } }],
        Statistic: 'Sum',
        Period: 600,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        EvaluationPeriods: 1,
        TreatMissingData: 'breaching',
      });
    });

    test('disconnected for most of 15 minutes: average ConnectedPercent under 50 in 3 periods of 3', () => {
      expect(alarm(t, 'SseDrainDisconnected')).toMatchObject({
        Namespace: EMF,
        MetricName: 'ConnectedPercent',
        Dimensions: [{ Name: 'Function', Value: 'sse-drain' }],
        Statistic: 'Average',
        Period: 300,
        Threshold: 50,
        ComparisonOperator: 'LessThanThreshold',
        EvaluationPeriods: 3,
        DatapointsToAlarm: 3,
        TreatMissingData: 'notBreaching',
      });
    });

    test('events received but not stored (Unflushed) alarm at the first one', () => {
      expect(alarm(t, 'SseDrainUnflushed')).toMatchObject({
        Namespace: EMF,
        MetricName: 'Unflushed',
        Dimensions: [{ Name: 'Function', Value: 'sse-drain' }],
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    });
  });
});
