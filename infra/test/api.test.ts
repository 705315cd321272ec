import { resource, synth } from './helpers';

describe('HTTP API', () => {
  const { template } = synth();
  const api = resource(template, 'AWS::ApiGatewayV2::Api', 'HttpApi').id;

  /** The route with this key and the integration it targets. */
  function route(key: string) {
    const found = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).filter(
      (r: any) => r.Properties.RouteKey === key,
    ) as any[];
    expect(found).toHaveLength(1);
    const target = found[0].Properties.Target['Fn::Join'][1][1].Ref as string;
    return { props: found[0].Properties, integration: (template.toJSON().Resources[target] as any).Properties };
  }

  test('one HTTP API with exactly these routes: ingest, geolocate, the respond webhook and admin routes, payload 2.0', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    // No $default route and no catch-all: anything else is API Gateway's own 404.
    template.resourceCountIs('AWS::ApiGatewayV2::Route', 7);
    // One integration per function: respond tells its webhook from its admin routes by path.
    template.resourceCountIs('AWS::ApiGatewayV2::Integration', 3);
    for (const [key, prefix] of [
      ['POST /ingest', 'Ingest'],
      ['POST /geolocate', 'Geolocate'],
      ['POST /respond', 'Respond'],
      ['ANY /replies', 'Respond'],
      ['ANY /replies/{proxy+}', 'Respond'],
      ['ANY /devices/{proxy+}', 'Respond'],
      ['POST /events', 'Respond'],
    ]) {
      const { props, integration } = route(key);
      expect(props.ApiId).toEqual({ Ref: api });
      expect(props.Target).toEqual({ 'Fn::Join': ['', ['integrations/', { Ref: expect.any(String) }]] });
      expect(props.AuthorizationType).toBe('NONE'); // the functions check the webhook secret themselves
      const fn = resource(template, 'AWS::Lambda::Function', prefix).id;
      expect(integration).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
        IntegrationUri: { 'Fn::GetAtt': [fn, 'Arn'] },
      });
    }
  });

  test('API Gateway may invoke respond on its routes only', () => {
    const fn = resource(template, 'AWS::Lambda::Function', 'Respond').id;
    const perms = Object.values(template.findResources('AWS::Lambda::Permission')).filter(
      (p: any) => JSON.stringify(p.Properties.FunctionName) === JSON.stringify({ 'Fn::GetAtt': [fn, 'Arn'] }),
    ) as any[];
    const paths = perms.map((p) => JSON.stringify(p.Properties.SourceArn).match(/\/\*\/\*([^"]*)"/)![1]).sort();
    // The route's path template, as API Gateway names the invoking route in the source ARN.
    expect(paths).toEqual(['/devices/{proxy+}', '/events', '/replies', '/replies/{proxy+}', '/respond']);
    for (const p of perms) expect(p.Properties.Principal).toBe('apigateway.amazonaws.com');
  });

  test('API Gateway may invoke ingest and geolocate, on their own route only', () => {
    for (const [prefix, path] of [
      ['Ingest', '/ingest'],
      ['Geolocate', '/geolocate'],
    ]) {
      const fn = resource(template, 'AWS::Lambda::Function', prefix).id;
      const perms = Object.values(template.findResources('AWS::Lambda::Permission')).filter(
        (p: any) => JSON.stringify(p.Properties.FunctionName) === JSON.stringify({ 'Fn::GetAtt': [fn, 'Arn'] }),
      ) as any[];
      expect(perms).toHaveLength(1);
      expect(perms[0].Properties).toMatchObject({ Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com' });
      expect(JSON.stringify(perms[0].Properties.SourceArn)).toContain(`/*/*${path}"`);
    }
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

  test('outputs: ingest and geolocate URLs, table name, webhook secret ARN and a CLI hint to read it', () => {
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
    expect(outputs.GeolocateUrl.Value).toEqual({
      'Fn::Join': [
        '',
        ['https://', { Ref: api }, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, '/geolocate'],
      ],
    });
    const admin = resource(template, 'AWS::SecretsManager::Secret', 'AdminSecret').id;
    expect(outputs.AdminSecretArn.Value).toEqual({ Ref: admin });
    expect(JSON.stringify(outputs.ReadAdminSecretCommand.Value)).toContain('get-secret-value');
    expect(JSON.stringify(outputs.RespondUrl.Value)).toContain('/respond');
    expect(Object.keys(outputs).sort()).toEqual(
      [
        'AdminApiUrl',
        'AdminSecretArn',
        'ReadAdminSecretCommand',
        'RespondUrl',
        'AlarmSubscribers',
        'AlarmTopicArn',
        'SubscribeToAlarmsCommand',
        'DeadLetterQueueUrl',
        'ForwardDeadLetterQueueUrl',
        'GeolocateUrl',
        'GoogleApiKeySecretArn',
        'IngestUrl',
        'IntegrationSecretsArn',
        'SetGoogleApiKeyCommand',
        'SetIntegrationSecretsCommand',
        'ParticleTokenSecretArn',
        'ReadWebhookSecretCommand',
        'SetParticleTokenCommand',
        'TableName',
        'WebhookSecretArn',
      ].sort(),
    );
  });
});
