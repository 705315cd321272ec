import { Annotations, CfnOutput, Duration, RemovalPolicy, SecretValue, Stack, StackProps } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as lambdaDestinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as lambdaEventSources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BackendAlarms, METRICS_NAMESPACE } from './alarms';
import { BackendConfig, readConfig, SSE_DRAIN_TIMEOUT_SECONDS } from './config';
import { LAMBDA_TASK_ROOT, ParticleFunction } from './functions';
import {
  FORWARD_TABLE_ACTIONS,
  GEOLOCATE_TABLE_ACTIONS,
  grantSecretValue,
  grantTableActions,
  INGEST_TABLE_ACTIONS,
  RESPOND_INDEXES,
  RESPOND_TABLE_ACTIONS,
  SSE_DRAIN_TABLE_ACTIONS,
} from './grants';
import { addNagSuppressions } from './nag-suppressions';

export interface ParticleBackendStackProps extends StackProps {
  /** Overrides for values otherwise read from CDK context (see README, "Context switches"). */
  readonly config?: Partial<BackendConfig>;
}

/** How long a scheduled drain event may wait in Lambda's async queue (60 s is the minimum). */
const SSE_DRAIN_MAX_EVENT_AGE = Duration.seconds(60);

/**
 * `geolocate` bounds a request at 10 s itself (providers at 4 s each, one retry) and Particle waits
 * 20 s for a webhook answer: 15 s leaves the function time to answer 504 itself before Lambda kills it.
 */
const GEOLOCATE_TIMEOUT = Duration.seconds(15);

/**
 * `forward`: one batch of stream records per invocation. A webhook target may take 20 s (Particle's
 * timeout, kept), and failed deliveries are retried with backoff inside the invocation, so a batch
 * needs well over one webhook's time; what is still undone near the deadline is reported as failed
 * records (partial batch response) and retried by the mapping.
 */
const FORWARD_TIMEOUT = Duration.seconds(60);
/**
 * Retries of a failing batch (on top of bisecting it): enough to ride out a short outage of a target
 * or of the table, few enough that a record that always fails reaches the dead-letter queue within
 * minutes instead of blocking its shard for the stream's 24 hours.
 */
const FORWARD_RETRY_ATTEMPTS = 5;
/**
 * Records older than this are not processed but sent to the dead-letter queue (with their shard
 * and sequence numbers; the events themselves stay in the table). Without it a backlog older than
 * the stream's 24-hour retention would be trimmed silently; 6 hours leaves room for a long outage.
 */
const FORWARD_MAX_RECORD_AGE = Duration.hours(6);
/**
 * `respond`: a function call waits at most 25 s for the device (API Gateway ends a request at 30 s);
 * 29 s leaves the function time to answer 504 device_timeout itself.
 */
const RESPOND_TIMEOUT = Duration.seconds(29);
/** The admin routes of `respond`: the path tells them from the webhook route (`POST /respond`). */
export const RESPOND_ADMIN_ROUTES: readonly { path: string; methods: apigwv2.HttpMethod[] }[] = [
  { path: '/replies', methods: [apigwv2.HttpMethod.ANY] },
  { path: '/replies/{proxy+}', methods: [apigwv2.HttpMethod.ANY] },
  { path: '/devices/{proxy+}', methods: [apigwv2.HttpMethod.ANY] },
  { path: '/events', methods: [apigwv2.HttpMethod.POST] },
];

/** `forward` is behind when its oldest record waits this long: deliveries (and device replies) are late. */
const FORWARD_ITERATOR_AGE_ALARM = Duration.minutes(5);
/** The repository folder of integration definitions, shipped with `forward` (`INTEGRATIONS_DIR`). */
const INTEGRATIONS_FOLDER = 'integrations';

/**
 * The whole backend in one env-agnostic stack: the events table, the webhook HTTP API with
 * `POST /ingest`, `POST /geolocate`, `POST /respond` and respond's admin routes, the `ingest`,
 * `sse-drain`, `geolocate`, `respond` and `forward` Rust functions, the optional one-minute schedule, the table stream that drives `forward` (unless
 * `forward=false`), the secrets (values never in the template), dead-letter queues and alarms.
 */
export class ParticleBackendStack extends Stack {
  readonly config: BackendConfig;
  readonly table: dynamodb.Table;
  readonly webhookSecret: secretsmanager.Secret;
  /** `respond`'s admin API secret (Authorization: Bearer); separate from the webhook secret. */
  readonly adminSecret: secretsmanager.Secret;
  readonly particleTokenSecret: secretsmanager.ISecret;
  /** Google's Geolocation API key; only when `google` is one of the geolocation providers. */
  readonly googleApiKeySecret?: secretsmanager.Secret;
  /** Unwired Labs' LocationAPI token; only when `unwiredlabs` is one of the geolocation providers. */
  readonly unwiredLabsTokenSecret?: secretsmanager.Secret;
  /** `forward`'s JSON map of integration secret names to values; only with `forward`. */
  readonly integrationSecrets?: secretsmanager.Secret;
  readonly ingest: ParticleFunction;
  readonly sseDrain: ParticleFunction;
  readonly geolocate: ParticleFunction;
  readonly respond: ParticleFunction;
  readonly forward?: ParticleFunction;
  /** Where the stream event source mapping sends the records `forward` gave up on. */
  readonly forwardDeadLetterQueue?: sqs.Queue;
  readonly httpApi: apigwv2.HttpApi;
  readonly httpStage: apigwv2.HttpStage;
  readonly deadLetterQueue: sqs.Queue;
  readonly schedule?: events.Rule;
  readonly alarms: BackendAlarms;

  constructor(scope: Construct, id: string, props: ParticleBackendStackProps = {}) {
    super(scope, id, {
      description: 'Self-hosted backend for Particle webhooks and SSE events (Rust on AWS Lambda)',
      ...props,
    });
    const config: BackendConfig = { ...readConfig(this), ...props.config };
    this.config = config;
    const logRetention = config.logRetentionDays as logs.RetentionDays;

    // ---- Storage -------------------------------------------------------------------------------
    this.table = new dynamodb.Table(this, 'EventsTable', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expires_at',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: config.tableRemovalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      // New images only, and only while `forward` reads them: with `forward` off there is no stream
      // to pay for, and turning it back on starts a fresh stream, so `forward` (TRIM_HORIZON) begins
      // with the events stored from then on instead of a day-old backlog.
      stream: config.forward ? dynamodb.StreamViewType.NEW_IMAGE : undefined,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: 'gsi1',
      partitionKey: { name: 'gsi1pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'gsi1sk', type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });
    const store = `dynamodb:${this.table.tableName}`;

    // ---- Secrets (values generated by Secrets Manager or set by the user, never in the template)
    this.webhookSecret = new secretsmanager.Secret(this, 'WebhookSecret', {
      description:
        'Shared secret Particle sends with each webhook (Authorization: Bearer <secret> or Basic auth password)',
      generateSecretString: {
        // Alphanumeric only: safe inside `Authorization: Bearer`, Basic auth and a Particle webhook JSON.
        excludePunctuation: true,
        includeSpace: false,
        passwordLength: 40,
      },
    });

    this.adminSecret = new secretsmanager.Secret(this, 'AdminSecret', {
      description:
        "Secret of respond's admin API (replies, function calls, publishes, deliveries), sent as " +
        'Authorization: Bearer <secret>; the webhook secret grants nothing there, and this one nothing on webhooks',
      generateSecretString: { excludePunctuation: true, includeSpace: false, passwordLength: 40 },
    });

    if (config.particleTokenSecretName) {
      this.particleTokenSecret = importSecret(this, 'ParticleTokenSecret', config.particleTokenSecretName);
    } else {
      this.particleTokenSecret = new secretsmanager.Secret(this, 'ParticleTokenSecret', {
        description:
          'Particle access token for the SSE drain. Holds a random placeholder until you run ' +
          '`aws secretsmanager put-secret-value --secret-id <arn> --secret-string <token>`',
        generateSecretString: {
          excludePunctuation: true,
          includeSpace: false,
          passwordLength: 40,
        },
      });
    }

    // Provider credentials of `geolocate`: random placeholders until the user stores the real
    // ones (the provider refuses the placeholder, so geolocate answers 502 until then).
    const providers = config.geolocationProviders;
    if (providers.includes('google')) {
      this.googleApiKeySecret = placeholderSecret(this, 'GoogleApiKeySecret', 'Google Geolocation API key for geolocate');
    }
    if (providers.includes('unwiredlabs')) {
      this.unwiredLabsTokenSecret = placeholderSecret(
        this,
        'UnwiredLabsTokenSecret',
        'Unwired Labs LocationAPI token for geolocate (fallback provider)',
      );
    }
    if (config.forward) {
      // A JSON map from the start, so forward can parse it before the user fills it in. `{}` holds
      // nothing secret; the real map is stored with put-secret-value and never comes from the template.
      this.integrationSecrets = new secretsmanager.Secret(this, 'IntegrationSecrets', {
        description:
          'Integration secrets for forward: a JSON object of names to values that integration templates use as ' +
          '{{{NAME}}}. Holds {} until you run `aws secretsmanager put-secret-value --secret-id <arn> ' +
          '--secret-string file://secrets.json`',
        secretStringValue: SecretValue.unsafePlainText('{}'),
      });
    }

    // ---- Dead-letter queue for the asynchronous (scheduled) path -------------------------------
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    // ---- Functions ------------------------------------------------------------------------------
    if (config.skipBundling) {
      Annotations.of(this).addWarningV2(
        'particle:skip-bundling',
        'skipBundling=true: no function code was built; this template is for checks only and cdk deploy refuses it ' +
          '(its code parameters have no value)',
      );
    }
    const common = { EVENT_TTL_DAYS: String(config.eventTtlDays), RUST_LOG: 'info', AWS_LAMBDA_LOG_FORMAT: 'JSON' };

    this.ingest = new ParticleFunction(this, 'Ingest', {
      binaryName: 'ingest',
      description: 'Particle webhook -> event store (POST /ingest)',
      memoryMb: config.lambdaMemoryMb,
      timeout: Duration.seconds(10),
      logRetention,
      tracing: config.tracing,
      skipBundling: config.skipBundling,
      environment: {
        STORE: store,
        WEBHOOK_SECRET_ARN: this.webhookSecret.secretArn,
        ...common,
      },
    });
    grantTableActions(this.ingest.fn, this.table, INGEST_TABLE_ACTIONS);
    grantSecretValue(this.ingest.fn, this.webhookSecret);

    const drainEnv: Record<string, string> = {
      STORE: store,
      PARTICLE_API_URL: config.particleApiUrl,
      PARTICLE_ACCESS_TOKEN_SECRET_ARN: this.particleTokenSecret.secretArn,
      PARTICLE_EVENTS_PATH: config.particleEventsPath,
      SSE_WINDOW_SECONDS: String(config.sseWindowSeconds),
      SSE_IDLE_TIMEOUT_SECONDS: String(config.sseIdleTimeoutSeconds),
      ...common,
    };
    if (config.sseEventPrefix) drainEnv.SSE_EVENT_PREFIX = config.sseEventPrefix;

    this.sseDrain = new ParticleFunction(this, 'SseDrain', {
      binaryName: 'sse-drain',
      description: 'Particle SSE stream -> event store, one bounded window per scheduled invocation',
      memoryMb: config.lambdaMemoryMb,
      timeout: Duration.seconds(SSE_DRAIN_TIMEOUT_SECONDS),
      logRetention,
      tracing: config.tracing,
      skipBundling: config.skipBundling,
      environment: drainEnv,
      // Nothing reserved by default (a new account cannot reserve any concurrency). The drainer
      // stays bounded without it: the schedule starts one invocation a minute, each ends by its
      // 100 s timeout, so at most two overlap (the ~10 s window overlap is by design); a late
      // scheduled event is dropped after 60 s and never retried, so invocations cannot pile up;
      // and every stream open takes a slot from the open budget shared in the table, so even
      // extra invocations (a manual one) cannot open streams faster than the budget allows.
      // A reservation (>= 2) only adds a hard cap for accounts that want one.
      reservedConcurrentExecutions:
        config.sseDrainReservedConcurrency > 0 ? config.sseDrainReservedConcurrency : undefined,
      // A late window is useless (the next one is a minute away): never retry, drop fast.
      retryAttempts: 0,
      maxEventAge: SSE_DRAIN_MAX_EVENT_AGE,
      onFailure: new lambdaDestinations.SqsDestination(this.deadLetterQueue),
    });
    grantTableActions(this.sseDrain.fn, this.table, SSE_DRAIN_TABLE_ACTIONS);
    grantSecretValue(this.sseDrain.fn, this.particleTokenSecret);

    const geolocateEnv: Record<string, string> = {
      STORE: store,
      // The same secret as ingest: one Particle webhook secret for every route.
      WEBHOOK_SECRET_ARN: this.webhookSecret.secretArn,
      GEOLOCATION_PROVIDERS: providers.join(','),
      GEOCACHE_TTL_HOURS: String(config.geocacheTtlHours),
      ...common,
    };
    if (this.googleApiKeySecret) geolocateEnv.GOOGLE_API_KEY_SECRET_ARN = this.googleApiKeySecret.secretArn;
    if (this.unwiredLabsTokenSecret) geolocateEnv.UNWIREDLABS_TOKEN_SECRET_ARN = this.unwiredLabsTokenSecret.secretArn;
    if (config.geolocateResponseTemplate !== undefined) {
      geolocateEnv.GEOLOCATE_RESPONSE_TEMPLATE = config.geolocateResponseTemplate;
    }
    this.geolocate = new ParticleFunction(this, 'Geolocate', {
      binaryName: 'geolocate',
      description: 'Particle deviceLocator webhook -> geolocation providers -> lat,lng,accuracy (POST /geolocate)',
      memoryMb: config.lambdaMemoryMb,
      timeout: GEOLOCATE_TIMEOUT,
      logRetention,
      tracing: config.tracing,
      skipBundling: config.skipBundling,
      environment: geolocateEnv,
    });
    grantTableActions(this.geolocate.fn, this.table, GEOLOCATE_TABLE_ACTIONS);
    for (const secret of [this.webhookSecret, this.googleApiKeySecret, this.unwiredLabsTokenSecret]) {
      if (secret) grantSecretValue(this.geolocate.fn, secret);
    }

    // ---- respond: webhook replies and the admin API ------------------------------------------
    this.respond = new ParticleFunction(this, 'Respond', {
      binaryName: 'respond',
      description: 'Device replies (POST /respond) and the admin API: replies, function calls, publishes, deliveries',
      memoryMb: config.lambdaMemoryMb,
      timeout: RESPOND_TIMEOUT,
      logRetention,
      tracing: config.tracing,
      skipBundling: config.skipBundling,
      environment: {
        STORE: store,
        WEBHOOK_SECRET_ARN: this.webhookSecret.secretArn,
        ADMIN_SECRET_ARN: this.adminSecret.secretArn,
        PARTICLE_API_URL: config.particleApiUrl,
        PARTICLE_ACCESS_TOKEN_SECRET_ARN: this.particleTokenSecret.secretArn,
        ...common,
      },
    });
    grantTableActions(this.respond.fn, this.table, RESPOND_TABLE_ACTIONS, { indexes: RESPOND_INDEXES });
    for (const secret of [this.webhookSecret, this.adminSecret, this.particleTokenSecret]) {
      grantSecretValue(this.respond.fn, secret);
    }

    // ---- forward: table stream -> integrations (optional, on by default) ------------------------
    if (config.forward && this.integrationSecrets) {
      this.forwardDeadLetterQueue = new sqs.Queue(this, 'ForwardDeadLetterQueue', {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      this.forward = new ParticleFunction(this, 'Forward', {
        binaryName: 'forward',
        description: 'New events from the table stream -> integrations (webhooks, Pub/Sub, Azure IoT Hub, Google Maps)',
        memoryMb: config.lambdaMemoryMb,
        timeout: FORWARD_TIMEOUT,
        logRetention,
        tracing: config.tracing,
        skipBundling: config.skipBundling,
        bundledFolders: [INTEGRATIONS_FOLDER],
        environment: {
          STORE: store,
          INTEGRATIONS_DIR: `${LAMBDA_TASK_ROOT}/${INTEGRATIONS_FOLDER}`,
          INTEGRATION_SECRETS_ARN: this.integrationSecrets.secretArn,
          PARTICLE_API_URL: config.particleApiUrl,
          PARTICLE_ACCESS_TOKEN_SECRET_ARN: this.particleTokenSecret.secretArn,
          ...common,
        },
      });
      grantTableActions(this.forward.fn, this.table, FORWARD_TABLE_ACTIONS);
      grantSecretValue(this.forward.fn, this.integrationSecrets);
      grantSecretValue(this.forward.fn, this.particleTokenSecret);
      // Grants the stream reads (DescribeStream, GetRecords, GetShardIterator on the stream ARN;
      // ListStreams, which has no resource-level permission) and SendMessage on the queue.
      this.forward.fn.addEventSource(
        new lambdaEventSources.DynamoEventSource(this.table, {
          // The stream exists only while forward does (see the table), so its horizon is the moment
          // forward was turned on: nothing stored since then is skipped, nothing older replayed.
          startingPosition: lambda.StartingPosition.TRIM_HORIZON,
          batchSize: config.forwardBatchSize,
          // Only newly inserted events: not location, delivery, cache or state items, not updates,
          // and not TTL deletions. A duplicate event is a failed conditional put: no record at all.
          filters: [
            lambda.FilterCriteria.filter({
              eventName: lambda.FilterRule.isEqual('INSERT'),
              dynamodb: { NewImage: { type: { S: lambda.FilterRule.isEqual('event') } } },
            }),
          ],
          reportBatchItemFailures: true,
          bisectBatchOnError: true,
          retryAttempts: FORWARD_RETRY_ATTEMPTS,
          maxRecordAge: FORWARD_MAX_RECORD_AGE,
          onFailure: new lambdaEventSources.SqsDlq(this.forwardDeadLetterQueue),
        }),
      );
    }

    // ---- HTTP API: POST /ingest, POST /geolocate, respond's routes; anything else is API Gateway's own 404
    // No AWS WAF: a web ACL cannot be associated with an HTTP API (AWS::WAFv2::WebACLAssociation
    // takes REST API stages, ALBs, AppSync, Cognito, App Runner, Verified Access and Amplify only).
    // The stage throttle below bounds what a flood costs; infra/README.md ("Floods") says why this
    // stack stays an HTTP API and how to put WAF in front of it.
    this.httpApi = new apigwv2.HttpApi(this, 'HttpApi', {
      description: 'Particle webhook endpoint',
      createDefaultStage: false,
    });
    const accessLogs = new logs.LogGroup(this, 'HttpApiAccessLogs', {
      retention: logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.httpStage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: config.throttleRateLimit, burstLimit: config.throttleBurstLimit },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        // No headers, no body: the Authorization header carries the webhook secret.
        format: apigw.AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            apiId: '$context.apiId',
            requestTime: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            method: '$context.httpMethod',
            path: '$context.path',
            routeKey: '$context.routeKey',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            responseLatency: '$context.responseLatency',
            integrationStatus: '$context.integrationStatus',
            integrationLatency: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
            errorMessage: '$context.error.message',
          }),
        ),
      },
    });
    // HTTP APIs publish no 429 metric (only Count, 4xx, 5xx, latencies): count the throttled
    // requests from the access log instead. The ApiId dimension keeps two stacks in one account apart.
    const throttledRequests = new logs.MetricFilter(this, 'HttpApiThrottledRequests', {
      logGroup: accessLogs,
      filterPattern: logs.FilterPattern.stringValue('$.status', '=', '429'),
      metricNamespace: METRICS_NAMESPACE,
      metricName: 'ApiThrottledRequests',
      metricValue: '1',
      dimensions: { ApiId: '$.apiId' },
      unit: cloudwatch.Unit.COUNT,
    });
    this.httpApi.addRoutes({
      path: '/ingest',
      methods: [apigwv2.HttpMethod.POST],
      integration: new HttpLambdaIntegration('IngestIntegration', this.ingest.fn, {
        payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
      }),
    });
    this.httpApi.addRoutes({
      path: '/geolocate',
      methods: [apigwv2.HttpMethod.POST],
      integration: new HttpLambdaIntegration('GeolocateIntegration', this.geolocate.fn, {
        payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
      }),
    });

    // One integration for every respond route: the function tells the webhook from the admin routes by path.
    const respondIntegration = new HttpLambdaIntegration('RespondIntegration', this.respond.fn, {
      payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
    });
    this.httpApi.addRoutes({ path: '/respond', methods: [apigwv2.HttpMethod.POST], integration: respondIntegration });
    for (const route of RESPOND_ADMIN_ROUTES) {
      this.httpApi.addRoutes({ path: route.path, methods: route.methods, integration: respondIntegration });
    }

    // ---- Schedule (opt-in: it needs a Particle access token in the secret first) ---------------
    if (config.sseDrain) {
      this.schedule = new events.Rule(this, 'SseDrainSchedule', {
        description: 'Runs sse-drain every minute (each run drains one bounded SSE window)',
        schedule: events.Schedule.rate(Duration.minutes(1)),
        targets: [
          new targets.LambdaFunction(this.sseDrain.fn, {
            retryAttempts: 0,
            maxEventAge: SSE_DRAIN_MAX_EVENT_AGE,
            deadLetterQueue: this.deadLetterQueue,
          }),
        ],
      });
    }

    // ---- Alarms ---------------------------------------------------------------------------------
    const watched: Record<string, lambda.IFunction> = {
      Ingest: this.ingest.fn,
      SseDrain: this.sseDrain.fn,
      Geolocate: this.geolocate.fn,
      Respond: this.respond.fn,
    };
    if (this.forward) watched.Forward = this.forward.fn;
    this.alarms = new BackendAlarms(this, 'Alarms', {
      functions: watched,
      ingest: { fn: this.ingest.fn, metricsName: 'ingest' },
      geolocate: { fn: this.geolocate.fn, metricsName: 'geolocate' },
      respond: { fn: this.respond.fn, metricsName: 'respond' },
      forward:
        this.forward && this.forwardDeadLetterQueue
          ? {
              fn: this.forward.fn,
              deadLetterQueue: this.forwardDeadLetterQueue,
              iteratorAgeThreshold: FORWARD_ITERATOR_AGE_ALARM,
              maxRecordAge: FORWARD_MAX_RECORD_AGE,
            }
          : undefined,
      // The drainer's stream alarms only mean something while the schedule runs it.
      drain: this.schedule ? { fn: this.sseDrain.fn, metricsName: 'sse-drain' } : undefined,
      deadLetterQueue: this.deadLetterQueue,
      table: this.table,
      httpStage: this.httpStage,
      throttledRequests: throttledRequests.metric({
        dimensionsMap: { ApiId: this.httpApi.apiId },
        period: Duration.minutes(5),
        statistic: cloudwatch.Stats.SUM,
      }),
      alarmEmail: config.alarmEmail,
    });
    if (!config.alarmEmail) {
      Annotations.of(this).addWarningV2(
        'particle:no-alarm-email',
        'No alarmEmail context: the alarms notify nobody. Subscribe to the AlarmTopicArn output ' +
          '(SubscribeToAlarmsCommand) or deploy with -c alarmEmail=you@example.com.',
      );
    }

    // ---- Outputs --------------------------------------------------------------------------------
    new CfnOutput(this, 'IngestUrl', {
      description: 'Webhook URL for the Particle integration (POST)',
      value: `${this.httpStage.url}ingest`,
    });
    new CfnOutput(this, 'GeolocateUrl', {
      description: 'Webhook URL for the deviceLocator event (POST; webhooks/geolocate.json)',
      value: `${this.httpStage.url}geolocate`,
    });
    new CfnOutput(this, 'RespondUrl', {
      description: 'Webhook URL for request events that get a reply (POST; webhooks/respond.json)',
      value: `${this.httpStage.url}respond`,
    });
    new CfnOutput(this, 'AdminApiUrl', {
      description: "Base URL of respond's admin API (/replies, /devices/{coreid}/..., /events), Bearer admin secret",
      value: this.httpStage.url,
    });
    new CfnOutput(this, 'AdminSecretArn', {
      description: "Secrets Manager secret of respond's admin API",
      value: this.adminSecret.secretArn,
    });
    new CfnOutput(this, 'ReadAdminSecretCommand', {
      description: 'Prints the admin secret (treat the output as a password)',
      value:
        `aws secretsmanager get-secret-value --region ${this.region} ` +
        `--secret-id ${this.adminSecret.secretArn} --query SecretString --output text`,
    });
    new CfnOutput(this, 'TableName', {
      description: 'DynamoDB table holding events (STORE=dynamodb:<this>)',
      value: this.table.tableName,
    });
    new CfnOutput(this, 'WebhookSecretArn', {
      description: 'Secrets Manager secret Particle must send with each webhook',
      value: this.webhookSecret.secretArn,
    });
    new CfnOutput(this, 'ReadWebhookSecretCommand', {
      description: 'Prints the webhook secret (treat the output as a password)',
      value:
        `aws secretsmanager get-secret-value --region ${this.region} ` +
        `--secret-id ${this.webhookSecret.secretArn} --query SecretString --output text`,
    });
    new CfnOutput(this, 'ParticleTokenSecretArn', {
      description: 'Secret the SSE drain reads the Particle access token from',
      value: this.particleTokenSecret.secretArn,
    });
    new CfnOutput(this, 'SetParticleTokenCommand', {
      description: 'Stores your Particle access token: run `read -rs PARTICLE_TOKEN` first, then this',
      value:
        `aws secretsmanager put-secret-value --region ${this.region} ` +
        `--secret-id ${this.particleTokenSecret.secretArn} --secret-string "$PARTICLE_TOKEN"`,
    });
    if (this.googleApiKeySecret) {
      new CfnOutput(this, 'GoogleApiKeySecretArn', {
        description: 'Secret geolocate reads the Google Geolocation API key from (holds a placeholder until set)',
        value: this.googleApiKeySecret.secretArn,
      });
      new CfnOutput(this, 'SetGoogleApiKeyCommand', {
        description: 'Stores your Google API key: run `read -rs GOOGLE_API_KEY` first, then this',
        value:
          `aws secretsmanager put-secret-value --region ${this.region} ` +
          `--secret-id ${this.googleApiKeySecret.secretArn} --secret-string "$GOOGLE_API_KEY"`,
      });
    }
    if (this.unwiredLabsTokenSecret) {
      new CfnOutput(this, 'UnwiredLabsTokenSecretArn', {
        description: 'Secret geolocate reads the Unwired Labs token from (holds a placeholder until set)',
        value: this.unwiredLabsTokenSecret.secretArn,
      });
    }
    if (this.integrationSecrets && this.forwardDeadLetterQueue) {
      new CfnOutput(this, 'IntegrationSecretsArn', {
        description: 'Secret forward reads integration secrets from: a JSON object of names to values (holds {})',
        value: this.integrationSecrets.secretArn,
      });
      new CfnOutput(this, 'SetIntegrationSecretsCommand', {
        description: 'Stores your integration secrets from a JSON file (an object of names to string values)',
        value:
          `aws secretsmanager put-secret-value --region ${this.region} ` +
          `--secret-id ${this.integrationSecrets.secretArn} --secret-string file://integration-secrets.json`,
      });
      new CfnOutput(this, 'ForwardDeadLetterQueueUrl', {
        description: 'Stream records forward gave up on (failed after its retries, or too old), with the reason',
        value: this.forwardDeadLetterQueue.queueUrl,
      });
    }
    new CfnOutput(this, 'AlarmTopicArn', {
      description: 'SNS topic every alarm notifies (alarm and OK); subscribe e-mail, SMS, chat or a pager to it',
      value: this.alarms.topic.topicArn,
    });
    new CfnOutput(this, 'AlarmSubscribers', {
      description: 'Who the alarms notify as deployed (subscriptions added outside the stack are not listed)',
      value: config.alarmEmail
        ? `${config.alarmEmail} (confirm the subscription e-mail AWS sends)`
        : 'NOBODY: no alarmEmail given; run SubscribeToAlarmsCommand or deploy with -c alarmEmail=you@example.com',
    });
    new CfnOutput(this, 'SubscribeToAlarmsCommand', {
      description: 'Subscribes an e-mail address to the alarm topic (confirm the e-mail AWS sends)',
      value:
        `aws sns subscribe --region ${this.region} --topic-arn ${this.alarms.topic.topicArn} ` +
        '--protocol email --notification-endpoint you@example.com',
    });
    new CfnOutput(this, 'DeadLetterQueueUrl', {
      description: 'Failed or expired scheduled sse-drain invocations',
      value: this.deadLetterQueue.queueUrl,
    });

    addNagSuppressions(this);
  }
}

/**
 * A secret the user fills in after deploy, created with a random placeholder generated by Secrets
 * Manager (never a value in the template), like the Particle token secret.
 */
function placeholderSecret(scope: Construct, id: string, what: string): secretsmanager.Secret {
  return new secretsmanager.Secret(scope, id, {
    description:
      `${what}. Holds a random placeholder until you run ` +
      '`aws secretsmanager put-secret-value --secret-id <arn> --secret-string <value>`',
    generateSecretString: { excludePunctuation: true, includeSpace: false, passwordLength: 40 },
  });
}

/**
 * Imports an existing secret by name or by complete ARN (the one ending in `-` plus six
 * characters, as the console and `describe-secret` show it). For a name, IAM grants cover
 * `<name>-??????` because Secrets Manager appends six random characters to every ARN.
 */
function importSecret(scope: Construct, id: string, nameOrArn: string): secretsmanager.ISecret {
  return nameOrArn.startsWith('arn:')
    ? secretsmanager.Secret.fromSecretCompleteArn(scope, id, nameOrArn)
    : secretsmanager.Secret.fromSecretNameV2(scope, id, nameOrArn);
}
