import { ALL_FUNCTIONS, functionEnv, resource, statementsOf, synth, tableId } from './helpers';

const STORE = (table: string) => ({ 'Fn::Join': ['', ['dynamodb:', { Ref: table }]] });

describe('Rust functions', () => {
  const { template } = synth();
  const table = tableId(template);
  const webhookSecret = resource(template, 'AWS::SecretsManager::Secret', 'WebhookSecret').id;
  const tokenSecret = resource(template, 'AWS::SecretsManager::Secret', 'ParticleTokenSecret').id;

  test('exactly five functions, all arm64 on provided.al2023 with the cargo-lambda bootstrap', () => {
    template.resourceCountIs('AWS::Lambda::Function', 5);
    for (const prefix of ALL_FUNCTIONS) {
      const { props } = resource(template, 'AWS::Lambda::Function', prefix);
      expect(props.Architectures).toEqual(['arm64']);
      expect(props.Runtime).toBe('provided.al2023');
      expect(props.Handler).toBe('bootstrap');
      expect(props.MemorySize).toBe(256);
      // Text log format (no LogFormat): stdout lines, the EMF metric lines among them, reach CloudWatch as written.
      expect(props.LoggingConfig).toEqual({ LogGroup: { Ref: expect.stringMatching(new RegExp(`^${prefix}LogGroup`)) } });
      expect(props.TracingConfig).toBeUndefined();
    }
  });

  test('ingest: 10 s timeout and exactly the documented environment', () => {
    const { props } = resource(template, 'AWS::Lambda::Function', 'Ingest');
    expect(props.Timeout).toBe(10);
    expect(props.ReservedConcurrentExecutions).toBeUndefined();
    expect(functionEnv(template, 'Ingest')).toEqual({
      STORE: STORE(table),
      WEBHOOK_SECRET_ARN: { Ref: webhookSecret },
      EVENT_TTL_DAYS: '0',
      RUST_LOG: 'info',
      AWS_LAMBDA_LOG_FORMAT: 'JSON',
    });
  });

  test('sse-drain: 100 s timeout, no reserved concurrency by default and exactly the documented environment', () => {
    const { props } = resource(template, 'AWS::Lambda::Function', 'SseDrain');
    expect(props.Timeout).toBe(100);
    // A new account (concurrency limit 10) cannot reserve any: a default reservation fails the first deploy.
    expect(props.ReservedConcurrentExecutions).toBeUndefined();
    expect(functionEnv(template, 'SseDrain')).toEqual({
      STORE: STORE(table),
      PARTICLE_API_URL: 'https://api.particle.io',
      PARTICLE_ACCESS_TOKEN_SECRET_ARN: { Ref: tokenSecret },
      PARTICLE_EVENTS_PATH: '/v1/devices/events',
      SSE_WINDOW_SECONDS: '70',
      SSE_IDLE_TIMEOUT_SECONDS: '15',
      EVENT_TTL_DAYS: '0',
      RUST_LOG: 'info',
      AWS_LAMBDA_LOG_FORMAT: 'JSON',
    });
  });

  test('respond: 29 s timeout (a function call waits at most 25 s) and exactly the documented environment', () => {
    const { props } = resource(template, 'AWS::Lambda::Function', 'Respond');
    expect(props.Timeout).toBe(29);
    const adminSecret = resource(template, 'AWS::SecretsManager::Secret', 'AdminSecret').id;
    expect(functionEnv(template, 'Respond')).toEqual({
      STORE: STORE(table),
      WEBHOOK_SECRET_ARN: { Ref: webhookSecret },
      ADMIN_SECRET_ARN: { Ref: adminSecret },
      PARTICLE_API_URL: 'https://api.particle.io',
      PARTICLE_ACCESS_TOKEN_SECRET_ARN: { Ref: tokenSecret },
      EVENT_TTL_DAYS: '0',
      RUST_LOG: 'info',
      AWS_LAMBDA_LOG_FORMAT: 'JSON',
    });
  });

  test('geolocate: 15 s timeout (it bounds a request at 10 s, Particle waits 20 s) and exactly the documented environment', () => {
    const { props } = resource(template, 'AWS::Lambda::Function', 'Geolocate');
    expect(props.Timeout).toBe(15);
    expect(props.ReservedConcurrentExecutions).toBeUndefined();
    const googleKey = resource(template, 'AWS::SecretsManager::Secret', 'GoogleApiKeySecret').id;
    expect(functionEnv(template, 'Geolocate')).toEqual({
      STORE: STORE(table),
      WEBHOOK_SECRET_ARN: { Ref: webhookSecret },
      GOOGLE_API_KEY_SECRET_ARN: { Ref: googleKey },
      GEOLOCATION_PROVIDERS: 'google',
      GEOCACHE_TTL_HOURS: '168',
      EVENT_TTL_DAYS: '0',
      RUST_LOG: 'info',
      AWS_LAMBDA_LOG_FORMAT: 'JSON',
    });
  });

  test('forward: 60 s timeout and exactly the documented environment', () => {
    const { props } = resource(template, 'AWS::Lambda::Function', 'Forward');
    expect(props.Timeout).toBe(60);
    expect(props.ReservedConcurrentExecutions).toBeUndefined();
    const integrationSecrets = resource(template, 'AWS::SecretsManager::Secret', 'IntegrationSecrets').id;
    expect(functionEnv(template, 'Forward')).toEqual({
      STORE: STORE(table),
      INTEGRATIONS_DIR: '/var/task/integrations',
      INTEGRATION_SECRETS_ARN: { Ref: integrationSecrets },
      PARTICLE_API_URL: 'https://api.particle.io',
      PARTICLE_ACCESS_TOKEN_SECRET_ARN: { Ref: tokenSecret },
      EVENT_TTL_DAYS: '0',
      RUST_LOG: 'info',
      AWS_LAMBDA_LOG_FORMAT: 'JSON',
    });
  });

  test('sse-drain async invocations: no retry, 60 s max age, failures to the dead-letter queue', () => {
    const dlq = resource(template, 'AWS::SQS::Queue', 'DeadLetterQueue').id;
    const fn = resource(template, 'AWS::Lambda::Function', 'SseDrain').id;
    template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 1);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fn },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 60,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlq, 'Arn'] } } },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1209600,
    });
  });

  const logGroupOf = (prefix: string) => ({ 'Fn::GetAtt': [expect.stringMatching(new RegExp(`^${prefix}LogGroup`)), 'Arn'] });
  const tableArn = { 'Fn::GetAtt': [table, 'Arn'] };

  test('ingest may only PutItem on the table (no index) and read its own secret', () => {
    expect(statementsOf(template, 'Ingest')).toEqual([
      // Logs go to the function's own log group, not through AWSLambdaBasicExecutionRole.
      { actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resource: logGroupOf('Ingest') },
      { actions: ['dynamodb:PutItem'], resource: tableArn },
      { actions: ['secretsmanager:GetSecretValue'], resource: { Ref: webhookSecret } },
    ]);
  });

  test('sse-drain may only GetItem/PutItem on the table (no index, no batch), read its secret, send to its DLQ', () => {
    const dlq = resource(template, 'AWS::SQS::Queue', 'DeadLetterQueue').id;
    expect(statementsOf(template, 'SseDrain')).toEqual([
      { actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resource: logGroupOf('SseDrain') },
      // The on-failure destination of async invocations is sent by the function's role.
      {
        actions: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
        resource: { 'Fn::GetAtt': [dlq, 'Arn'] },
      },
      { actions: ['dynamodb:GetItem', 'dynamodb:PutItem'], resource: tableArn },
      { actions: ['secretsmanager:GetSecretValue'], resource: { Ref: tokenSecret } },
    ]);
  });

  test('geolocate may only GetItem/PutItem on the table (no index) and read the webhook secret and the Google key', () => {
    const googleKey = resource(template, 'AWS::SecretsManager::Secret', 'GoogleApiKeySecret').id;
    expect(statementsOf(template, 'Geolocate')).toEqual([
      { actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resource: logGroupOf('Geolocate') },
      { actions: ['dynamodb:GetItem', 'dynamodb:PutItem'], resource: tableArn },
      { actions: ['secretsmanager:GetSecretValue'], resource: { Ref: webhookSecret } },
      { actions: ['secretsmanager:GetSecretValue'], resource: { Ref: googleKey } },
    ]);
  });

  test('respond may Get/Put/Query on the table and query gsi1 only, and read exactly its three secrets', () => {
    const adminSecret = resource(template, 'AWS::SecretsManager::Secret', 'AdminSecret').id;
    expect(statementsOf(template, 'Respond')).toEqual([
      { actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resource: logGroupOf('Respond') },
      {
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'],
        resource: [tableArn, { 'Fn::Join': ['', [tableArn, '/index/gsi1']] }],
      },
      { actions: ['secretsmanager:GetSecretValue'], resource: { Ref: webhookSecret } },
      { actions: ['secretsmanager:GetSecretValue'], resource: { Ref: adminSecret } },
      { actions: ['secretsmanager:GetSecretValue'], resource: { Ref: tokenSecret } },
    ]);
  });

  test('forward may Get/Put/Query/DeleteItem on the table (no index), read the stream, two secrets, send to its DLQ', () => {
    const integrationSecrets = resource(template, 'AWS::SecretsManager::Secret', 'IntegrationSecrets').id;
    const dlq = resource(template, 'AWS::SQS::Queue', 'ForwardDeadLetterQueue').id;
    expect(statementsOf(template, 'Forward')).toEqual([
      { actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resource: logGroupOf('Forward') },
      {
        actions: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'],
        resource: tableArn,
      },
      { actions: ['secretsmanager:GetSecretValue'], resource: { Ref: integrationSecrets } },
      { actions: ['secretsmanager:GetSecretValue'], resource: { Ref: tokenSecret } },
      // The event source mapping's on-failure destination is sent with the function's role.
      {
        actions: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
        resource: { 'Fn::GetAtt': [dlq, 'Arn'] },
      },
      // Granted by the event source mapping: ListStreams (stream ARNs, no data) has no resource-level
      // permission in the CDK's grant; the data reads are on this table's stream only.
      { actions: ['dynamodb:ListStreams'], resource: '*' },
      {
        actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
        resource: { 'Fn::GetAtt': [table, 'StreamArn'] },
      },
    ]);
  });

  test('no role has a managed policy, an index grant, a table wildcard or a write beyond its list', () => {
    const roles = Object.values(template.findResources('AWS::IAM::Role'));
    expect(roles).toHaveLength(5);
    for (const role of roles) {
      expect((role as any).Properties.ManagedPolicyArns).toBeUndefined();
      expect((role as any).Properties.Policies).toBeUndefined();
    }
    const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(policies).not.toMatch(/dynamodb:\*|UpdateItem|Batch|Scan|Transact/);
    // The one index grant: respond's gsi1 (GET /replies), asserted above.
    expect(policies.match(/\/index\/[^"]*/g)).toEqual(['/index/gsi1']);
    // The only "*" resource anywhere is forward's ListStreams (asserted statement by statement above).
    const wildcards = ALL_FUNCTIONS.flatMap((prefix) =>
      statementsOf(template, prefix)
        .filter((st) => JSON.stringify(st.resource).includes('*'))
        .map((st) => `${prefix}: ${st.actions.join(',')}`),
    );
    expect(wildcards).toEqual(['Forward: dynamodb:ListStreams']);
  });

  test('a token secret imported by name is granted as <name>-?????? and nothing wider (sse-drain and forward)', () => {
    const { template: t } = synth({ particleTokenSecretName: 'particle/token' });
    const secret = statementsOf(t, 'SseDrain').filter((s) => s.actions.some((a) => a.startsWith('secretsmanager:')));
    expect(secret).toHaveLength(1);
    expect(secret[0].actions).toEqual(['secretsmanager:GetSecretValue']);
    expect(JSON.stringify(secret[0].resource)).toMatch(/:secret:particle\/token-\?\?\?\?\?\?"\]\]\}$/);
    const forward = statementsOf(t, 'Forward').filter((s) => JSON.stringify(s.resource).includes('particle/token'));
    expect(forward).toEqual([{ actions: ['secretsmanager:GetSecretValue'], resource: secret[0].resource }]);
  });

  test('log groups keep one month by default', () => {
    const groups = template.findResources('AWS::Logs::LogGroup');
    expect(Object.keys(groups)).toHaveLength(6); // five functions + API access logs
    for (const g of Object.values(groups)) expect((g as any).Properties.RetentionInDays).toBe(30);
  });

  test('context overrides: memory, TTL, prefix, events path, window, tracing, concurrency', () => {
    const { template: t } = synth({
      lambdaMemoryMb: '512',
      eventTtlDays: 30,
      sseEventPrefix: 'tracker/',
      particleEventsPath: '/v1/products/12345/events',
      particleApiUrl: 'https://api.example.test/',
      sseWindowSeconds: 80,
      sseIdleTimeoutSeconds: 20,
      tracing: 'true',
      sseDrainReservedConcurrency: 3,
      logRetentionDays: 7,
    });
    for (const prefix of ALL_FUNCTIONS) {
      const { props } = resource(t, 'AWS::Lambda::Function', prefix);
      expect(props.MemorySize).toBe(512);
      expect(props.TracingConfig).toEqual({ Mode: 'Active' });
      expect(functionEnv(t, prefix).EVENT_TTL_DAYS).toBe('30');
    }
    expect(resource(t, 'AWS::Lambda::Function', 'SseDrain').props.ReservedConcurrentExecutions).toBe(3);
    expect(resource(t, 'AWS::Lambda::Function', 'Ingest').props.ReservedConcurrentExecutions).toBeUndefined();
    expect(functionEnv(t, 'SseDrain')).toMatchObject({
      SSE_EVENT_PREFIX: 'tracker/',
      PARTICLE_EVENTS_PATH: '/v1/products/12345/events',
      PARTICLE_API_URL: 'https://api.example.test',
      SSE_WINDOW_SECONDS: '80',
      SSE_IDLE_TIMEOUT_SECONDS: '20',
    });
    expect(functionEnv(t, 'Ingest').SSE_EVENT_PREFIX).toBeUndefined();
    expect(functionEnv(t, 'Forward').PARTICLE_API_URL).toBe('https://api.example.test');
    for (const g of Object.values(t.findResources('AWS::Logs::LogGroup'))) {
      expect((g as any).Properties.RetentionInDays).toBe(7);
    }
  });
});
