import { Template } from 'aws-cdk-lib/assertions';
import { resource, synth, tableId } from './helpers';

/** Logical ids of every resource whose id starts with one of these prefixes. */
function idsStartingWith(template: Template, ...prefixes: string[]): string[] {
  return Object.keys(template.toJSON().Resources).filter((id) => prefixes.some((p) => id.startsWith(p)));
}

describe('forward: the table stream -> integrations', () => {
  const { template } = synth();
  const table = tableId(template);

  test('the table streams new images (forward reads the stored event, nothing older)', () => {
    expect(resource(template, 'AWS::DynamoDB::Table', 'EventsTable').props.StreamSpecification).toEqual({
      StreamViewType: 'NEW_IMAGE',
    });
  });

  test('one event source mapping: stream -> forward, new event items only, partial failures, bisect, retries, DLQ', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    const { props } = resource(template, 'AWS::Lambda::EventSourceMapping', 'Forward');
    const fn = resource(template, 'AWS::Lambda::Function', 'Forward').id;
    const dlq = resource(template, 'AWS::SQS::Queue', 'ForwardDeadLetterQueue').id;
    expect(props).toEqual({
      EventSourceArn: { 'Fn::GetAtt': [table, 'StreamArn'] },
      FunctionName: { Ref: fn },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 25,
      FilterCriteria: { Filters: [{ Pattern: expect.any(String) }] },
      // Only the failed records (and those after them) are retried, not the whole batch.
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 5,
      MaximumRecordAgeInSeconds: 6 * 3600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlq, 'Arn'] } } },
    });
    // Exactly: newly inserted items whose `type` is "event" (not locations, deliveries, cache or
    // state items, not updates, not TTL deletions).
    expect(JSON.parse(props.FilterCriteria.Filters[0].Pattern)).toEqual({
      eventName: ['INSERT'],
      dynamodb: { NewImage: { type: { S: ['event'] } } },
    });
  });

  test('the stream mapping is the only trigger: no API route, schedule or async config for forward', () => {
    const fn = resource(template, 'AWS::Lambda::Function', 'Forward').id;
    const perms = Object.values(template.findResources('AWS::Lambda::Permission')).filter((p: any) =>
      JSON.stringify(p.Properties.FunctionName).includes(fn),
    );
    expect(perms).toEqual([]);
    const invokeConfigs = Object.values(template.findResources('AWS::Lambda::EventInvokeConfig')).filter((c: any) =>
      JSON.stringify(c.Properties.FunctionName).includes(fn),
    );
    expect(invokeConfigs).toEqual([]);
  });

  test('its dead-letter queue: SSE-SQS encrypted, TLS only, 14 days', () => {
    const { id, props } = resource(template, 'AWS::SQS::Queue', 'ForwardDeadLetterQueue');
    expect(props).toEqual({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    const policy = Object.values(template.findResources('AWS::SQS::QueuePolicy')).find((p: any) =>
      JSON.stringify(p.Properties.Queues).includes(id),
    ) as any;
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 'sqs:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
  });

  test('outputs: integration secrets ARN, a put-secret-value command, the DLQ URL', () => {
    const outputs = template.findOutputs('*');
    const secret = resource(template, 'AWS::SecretsManager::Secret', 'IntegrationSecrets').id;
    expect(outputs.IntegrationSecretsArn.Value).toEqual({ Ref: secret });
    expect(JSON.stringify(outputs.SetIntegrationSecretsCommand.Value)).toContain('aws secretsmanager put-secret-value');
    expect(JSON.stringify(outputs.SetIntegrationSecretsCommand.Value)).toContain('file://');
    expect(outputs.ForwardDeadLetterQueueUrl.Value).toEqual({
      Ref: resource(template, 'AWS::SQS::Queue', 'ForwardDeadLetterQueue').id,
    });
  });

  test.each([
    ['1', 1],
    [1000, 1000],
  ])('forwardBatchSize=%p sets the batch size', (value, expected) => {
    const { template: t } = synth({ forwardBatchSize: value });
    expect(resource(t, 'AWS::Lambda::EventSourceMapping', 'Forward').props.BatchSize).toBe(expected);
  });

  test.each([[false], ['false']])('forward=%p leaves out forward and everything only it needs', (value) => {
    const { template: t } = synth({ forward: value });
    expect(resource(t, 'AWS::DynamoDB::Table', 'EventsTable').props.StreamSpecification).toBeUndefined();
    t.resourceCountIs('AWS::Lambda::EventSourceMapping', 0);
    t.resourceCountIs('AWS::Lambda::Function', 4);
    expect(idsStartingWith(t, 'Forward', 'IntegrationSecrets', 'AlarmsForward')).toEqual([]);
    const outputs = Object.keys(t.findOutputs('*'));
    expect(outputs.filter((o) => /Forward|IntegrationSecrets/.test(o))).toEqual([]);
    // The rest of the stack is untouched.
    t.resourceCountIs('AWS::ApiGatewayV2::Route', 7);
    expect(t.findOutputs('*').GeolocateUrl).toBeDefined();
  });
});
