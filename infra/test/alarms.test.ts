import { resource, synth } from './helpers';

function metricNames(alarms: Record<string, any>): string[] {
  return Object.values(alarms)
    .map((a) => a.Properties.MetricName ?? a.Properties.Metrics?.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat.Metric.MetricName).join('+'))
    .sort();
}

describe('alarms', () => {
  test('errors and throttles per function, DLQ depth, table throttles, API 5xx; no topic by default', () => {
    const { template } = synth();
    const alarms = template.findResources('AWS::CloudWatch::Alarm');
    expect(metricNames(alarms)).toEqual(
      [
        '5xx',
        'ApproximateNumberOfMessagesVisible',
        'Errors',
        'Errors',
        'ReadThrottleEvents+WriteThrottleEvents',
        'Throttles',
        'Throttles',
      ].sort(),
    );
    for (const a of Object.values(alarms)) {
      expect(a.Properties).toMatchObject({
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
      expect(a.Properties.AlarmActions).toBeUndefined();
    }
    template.resourceCountIs('AWS::SNS::Topic', 0);

    const dlq = resource(template, 'AWS::SQS::Queue', 'DeadLetterQueue').id;
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlq, 'QueueName'] } }],
    });
    for (const prefix of ['Ingest', 'SseDrain']) {
      const fn = resource(template, 'AWS::Lambda::Function', prefix).id;
      for (const metric of ['Errors', 'Throttles']) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          MetricName: metric,
          Namespace: 'AWS/Lambda',
          Dimensions: [{ Name: 'FunctionName', Value: { Ref: fn } }],
        });
      }
    }
  });

  test('alarmEmail adds an SNS topic with an e-mail subscription as alarm and OK action', () => {
    const { template } = synth({ alarmEmail: 'ops@example.com' });
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    const topic = resource(template, 'AWS::SNS::Topic', 'AlarmsTopic').id;
    for (const a of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
      expect(a.Properties.AlarmActions).toEqual([{ Ref: topic }]);
      expect(a.Properties.OKActions).toEqual([{ Ref: topic }]);
    }
  });
});
