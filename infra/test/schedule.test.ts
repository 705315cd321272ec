import { Match } from 'aws-cdk-lib/assertions';
import { resource, synth } from './helpers';

describe('sse-drain schedule', () => {
  test('absent by default (it needs a Particle access token first)', () => {
    const { template } = synth();
    template.resourceCountIs('AWS::Events::Rule', 0);
    // Nothing else may invoke the drain either.
    const drain = resource(template, 'AWS::Lambda::Function', 'SseDrain').id;
    const perms = Object.values(template.findResources('AWS::Lambda::Permission')).filter((p: any) =>
      JSON.stringify(p.Properties.FunctionName).includes(drain),
    );
    expect(perms).toHaveLength(0);
  });

  test('explicit sseDrain=false keeps it absent', () => {
    synth({ sseDrain: 'false' }).template.resourceCountIs('AWS::Events::Rule', 0);
  });

  test.each([[true], ['true']])('present and enabled with sseDrain=%p: every minute, no retry, DLQ', (value) => {
    const { template } = synth({ sseDrain: value });
    template.resourceCountIs('AWS::Events::Rule', 1);
    const drain = resource(template, 'AWS::Lambda::Function', 'SseDrain').id;
    const dlq = resource(template, 'AWS::SQS::Queue', 'DeadLetterQueue').id;
    const { props } = resource(template, 'AWS::Events::Rule', 'SseDrainSchedule');
    expect(props.ScheduleExpression).toBe('rate(1 minute)');
    expect(props.State).toBe('ENABLED');
    expect(props.Targets).toHaveLength(1);
    expect(props.Targets[0]).toMatchObject({
      Arn: { 'Fn::GetAtt': [drain, 'Arn'] },
      RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlq, 'Arn'] } },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [drain, 'Arn'] },
    });
    // EventBridge may send undeliverable events to the DLQ.
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'sqs:SendMessage', Principal: { Service: 'events.amazonaws.com' } }),
        ]),
      },
    });
  });
});
