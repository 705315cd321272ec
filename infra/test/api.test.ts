import { resource, synth } from './helpers';

describe('HTTP API', () => {
  const { template } = synth();
  const api = resource(template, 'AWS::ApiGatewayV2::Api', 'HttpApi').id;

  test('one HTTP API with exactly one route: POST /ingest -> ingest, payload format 2.0', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    // No $default route and no catch-all: anything else is API Gateway's own 404.
    template.resourceCountIs('AWS::ApiGatewayV2::Route', 1);
    const route = resource(template, 'AWS::ApiGatewayV2::Route', 'HttpApi');
    expect(route.props.RouteKey).toBe('POST /ingest');
    expect(route.props.ApiId).toEqual({ Ref: api });

    template.resourceCountIs('AWS::ApiGatewayV2::Integration', 1);
    const integration = resource(template, 'AWS::ApiGatewayV2::Integration', 'HttpApi');
    expect(route.props.Target).toEqual({ 'Fn::Join': ['', ['integrations/', { Ref: integration.id }]] });
    const ingest = resource(template, 'AWS::Lambda::Function', 'Ingest').id;
    expect(integration.props).toMatchObject({
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: { 'Fn::GetAtt': [ingest, 'Arn'] },
    });
  });

  test('API Gateway may invoke ingest', () => {
    const ingest = resource(template, 'AWS::Lambda::Function', 'Ingest').id;
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'apigateway.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [ingest, 'Arn'] },
    });
  });

  test('$default stage: auto-deploy, throttled, access logs without headers', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    const { props } = resource(template, 'AWS::ApiGatewayV2::Stage', 'DefaultStage');
    expect(props.StageName).toBe('$default');
    expect(props.AutoDeploy).toBe(true);
    expect(props.DefaultRouteSettings).toEqual({ ThrottlingBurstLimit: 100, ThrottlingRateLimit: 50 });
    const logGroup = resource(template, 'AWS::Logs::LogGroup', 'HttpApiAccessLogs').id;
    expect(props.AccessLogSettings.DestinationArn).toEqual({ 'Fn::GetAtt': [logGroup, 'Arn'] });
    const format = JSON.parse(props.AccessLogSettings.Format);
    expect(format).toMatchObject({ requestId: '$context.requestId', routeKey: '$context.routeKey', status: '$context.status' });
    expect(props.AccessLogSettings.Format).not.toMatch(/header|authorization|requestBody/i);
  });

  test('no WAF resource: a web ACL cannot be associated with an HTTP API (README, "Floods")', () => {
    // Guards against a WebACLAssociation that CloudFormation would reject at deploy time.
    expect(Object.keys(template.toJSON().Resources).filter((id) => /WAF/i.test(template.toJSON().Resources[id].Type))).toEqual([]);
  });

  test('throttling comes from context', () => {
    const { template: t } = synth({ throttleRateLimit: '5', throttleBurstLimit: 10 });
    expect(resource(t, 'AWS::ApiGatewayV2::Stage', 'DefaultStage').props.DefaultRouteSettings).toEqual({
      ThrottlingBurstLimit: 10,
      ThrottlingRateLimit: 5,
    });
  });

  test('outputs: ingest URL, table name, webhook secret ARN and a CLI hint to read it', () => {
    const outputs = template.findOutputs('*');
    expect(outputs.IngestUrl.Value).toEqual({
      'Fn::Join': [
        '',
        ['https://', { Ref: api }, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, '/ingest'],
      ],
    });
    expect(outputs.TableName.Value).toEqual({ Ref: resource(template, 'AWS::DynamoDB::Table', 'EventsTable').id });
    const secret = resource(template, 'AWS::SecretsManager::Secret', 'WebhookSecret').id;
    expect(outputs.WebhookSecretArn.Value).toEqual({ Ref: secret });
    expect(outputs.ReadWebhookSecretCommand.Value).toEqual({
      'Fn::Join': [
        '',
        [
          'aws secretsmanager get-secret-value --region ',
          { Ref: 'AWS::Region' },
          ' --secret-id ',
          { Ref: secret },
          ' --query SecretString --output text',
        ],
      ],
    });
    expect(Object.keys(outputs).sort()).toEqual(
      [
        'AlarmSubscribers',
        'AlarmTopicArn',
        'SubscribeToAlarmsCommand',
        'DeadLetterQueueUrl',
        'IngestUrl',
        'ParticleTokenSecretArn',
        'ReadWebhookSecretCommand',
        'SetParticleTokenCommand',
        'TableName',
        'WebhookSecretArn',
      ].sort(),
    );
  });
});
