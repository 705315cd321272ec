import { Construct } from 'constructs';

/**
 * Everything the stack can be tuned with, read from CDK context (`cdk.json` or `-c key=value`).
 * The README's "Context switches" table documents every key; keep the two in sync.
 *
 * Values given on the command line arrive as strings (`-c sseDrain=true` is the string "true"),
 * values in cdk.json keep their JSON type, so every reader accepts both.
 */
export interface BackendConfig {
  /** `EVENT_TTL_DAYS`: days until stored events expire through DynamoDB TTL; 0 keeps them forever. */
  readonly eventTtlDays: number;
  /** Create the EventBridge schedule that runs `sse-drain` every minute. */
  readonly sseDrain: boolean;
  /** Name or ARN of an existing Secrets Manager secret holding the Particle access token. */
  readonly particleTokenSecretName?: string;
  /** `SSE_EVENT_PREFIX`: only stream events whose name starts with this prefix. */
  readonly sseEventPrefix?: string;
  /** `PARTICLE_EVENTS_PATH`: the SSE path, e.g. `/v1/products/<id>/events` for a product. */
  readonly particleEventsPath: string;
  /** `PARTICLE_API_URL`. */
  readonly particleApiUrl: string;
  /** `SSE_WINDOW_SECONDS`: how long one drain invocation keeps the stream open. */
  readonly sseWindowSeconds: number;
  /** `SSE_IDLE_TIMEOUT_SECONDS`: no byte for this long means the stream is dead. */
  readonly sseIdleTimeoutSeconds: number;
  /** Reserved concurrency of `sse-drain`; 0 leaves it unreserved. */
  readonly sseDrainReservedConcurrency: number;
  /** E-mail address subscribed to an SNS topic that every alarm notifies. */
  readonly alarmEmail?: string;
  /** Memory of every function, in MB. */
  readonly lambdaMemoryMb: number;
  /** Steady-state request rate limit of the HTTP API's default stage (requests per second). */
  readonly throttleRateLimit: number;
  /** Burst limit of the HTTP API's default stage (requests). */
  readonly throttleBurstLimit: number;
  /** Active X-Ray tracing on the functions. */
  readonly tracing: boolean;
  /** Retention of the function and access log groups, in days (a value CloudWatch Logs accepts). */
  readonly logRetentionDays: number;
  /** RETAIN (default) or DESTROY the table when the stack is deleted. */
  readonly tableRemovalPolicy: 'retain' | 'destroy';
  /**
   * Template only: no cargo-lambda build, and function code that `cdk deploy` refuses (see
   * `ParticleFunction`), so a template check needs no Rust toolchain and can never deploy.
   */
  readonly skipBundling: boolean;
  /** `GEOLOCATION_PROVIDERS` of `geolocate`: the providers asked, in order (`google`, `unwiredlabs`). */
  readonly geolocationProviders: readonly GeolocationProvider[];
  /** `GEOCACHE_TTL_HOURS` of `geolocate`: how long a located scan is answered from the cache. */
  readonly geocacheTtlHours: number;
  /** `GEOLOCATE_RESPONSE_TEMPLATE` of `geolocate`; unset = the function's `{{lat}},{{lng}},{{accuracy}}`. */
  readonly geolocateResponseTemplate?: string;
  /** Deploy `forward` (the table stream, its event source mapping, its queue and secret). */
  readonly forward: boolean;
  /** Stream records per `forward` invocation (the event source mapping's batch size). */
  readonly forwardBatchSize: number;
}

/** The geolocation providers `geolocate` knows (`GEOLOCATION_PROVIDERS` names). */
export const GEOLOCATION_PROVIDERS = ['google', 'unwiredlabs'] as const;
export type GeolocationProvider = (typeof GEOLOCATION_PROVIDERS)[number];

/** Lambda timeout of `sse-drain` in seconds; the drain window must end safely before it. */
export const SSE_DRAIN_TIMEOUT_SECONDS = 100;
/** Seconds the drain keeps between the end of its window and its deadline (flush, gap item). */
export const SSE_DRAIN_SAFETY_MARGIN_SECONDS = 15;

export const DEFAULTS = {
  eventTtlDays: 0,
  sseDrain: false,
  particleEventsPath: '/v1/devices/events',
  particleApiUrl: 'https://api.particle.io',
  sseWindowSeconds: 70,
  sseIdleTimeoutSeconds: 15,
  // Nothing reserved: a new account's concurrency limit can be 10, and Lambda keeps at least 10
  // unreserved there, so any reservation fails the first deploy. The drainer needs none to stay
  // bounded (see the stack, where it is created).
  sseDrainReservedConcurrency: 0,
  lambdaMemoryMb: 256,
  throttleRateLimit: 50,
  throttleBurstLimit: 100,
  tracing: false,
  logRetentionDays: 30,
  tableRemovalPolicy: 'retain',
  skipBundling: false,
  geolocationProviders: ['google'] as readonly GeolocationProvider[],
  geocacheTtlHours: 168,
  forward: true,
  forwardBatchSize: 25,
} as const;

/** The retention values CloudWatch Logs accepts (RetentionInDays). */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

class ConfigError extends Error {
  constructor(key: string, message: string) {
    super(`context '${key}': ${message}`);
    this.name = 'ConfigError';
  }
}

function raw(scope: Construct, key: string): unknown {
  const value: unknown = scope.node.tryGetContext(key);
  // `-c key=` gives an empty string: treat it as "not set".
  return value === '' || value === null ? undefined : value;
}

function readString(scope: Construct, key: string): string | undefined {
  const value = raw(scope, key);
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new ConfigError(key, `expected a string, got ${JSON.stringify(value)}`);
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function readBool(scope: Construct, key: string, fallback: boolean): boolean {
  const value = raw(scope, key);
  if (value === undefined) return fallback;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const v = value.trim().toLowerCase();
    if (v === 'true') return true;
    if (v === 'false') return false;
  }
  throw new ConfigError(key, `expected true or false, got ${JSON.stringify(value)}`);
}

function readInt(scope: Construct, key: string, fallback: number, min: number, max: number): number {
  const value = raw(scope, key);
  if (value === undefined) return fallback;
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(key, `expected an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return n;
}

/**
 * `geolocationProviders`: a comma-separated list (`google,unwiredlabs`) or, in cdk.json, a JSON array;
 * known names only, each once, at least one.
 */
function readProviders(scope: Construct): readonly GeolocationProvider[] {
  const key = 'geolocationProviders';
  const value = raw(scope, key);
  if (value === undefined) return DEFAULTS.geolocationProviders;
  let names: unknown[];
  if (typeof value === 'string') names = value.split(',').map((n) => n.trim().toLowerCase());
  else if (Array.isArray(value)) names = value.map((n) => (typeof n === 'string' ? n.trim().toLowerCase() : n));
  else throw new ConfigError(key, `expected a list like google,unwiredlabs, got ${JSON.stringify(value)}`);
  if (names.length === 0 || names.some((n) => !GEOLOCATION_PROVIDERS.includes(n as GeolocationProvider))) {
    throw new ConfigError(
      key,
      `expected providers from ${GEOLOCATION_PROVIDERS.join(', ')} separated by commas, got ${JSON.stringify(value)}`,
    );
  }
  if (new Set(names).size !== names.length) throw new ConfigError(key, `a provider is named twice: ${JSON.stringify(value)}`);
  return names as GeolocationProvider[];
}

/** Lambda keeps all environment variables of a function under 4 KB together; a template gets a quarter. */
const MAX_RESPONSE_TEMPLATE_LENGTH = 1024;

/** Reads and validates the context; throws a clear error on a bad value so synth fails early. */
export function readConfig(scope: Construct): BackendConfig {
  const particleEventsPath = readString(scope, 'particleEventsPath') ?? DEFAULTS.particleEventsPath;
  if (!particleEventsPath.startsWith('/')) {
    throw new ConfigError('particleEventsPath', `must start with '/', got ${JSON.stringify(particleEventsPath)}`);
  }
  const particleApiUrl = readString(scope, 'particleApiUrl') ?? DEFAULTS.particleApiUrl;
  if (!/^https:\/\/[^/\s]+\/?$/.test(particleApiUrl)) {
    throw new ConfigError('particleApiUrl', `expected an https:// origin, got ${JSON.stringify(particleApiUrl)}`);
  }
  const sseWindowSeconds = readInt(
    scope,
    'sseWindowSeconds',
    DEFAULTS.sseWindowSeconds,
    10,
    SSE_DRAIN_TIMEOUT_SECONDS - SSE_DRAIN_SAFETY_MARGIN_SECONDS,
  );
  const sseIdleTimeoutSeconds = readInt(scope, 'sseIdleTimeoutSeconds', DEFAULTS.sseIdleTimeoutSeconds, 1, 60);
  if (sseIdleTimeoutSeconds >= sseWindowSeconds) {
    throw new ConfigError('sseIdleTimeoutSeconds', `must be shorter than sseWindowSeconds (${sseWindowSeconds})`);
  }
  const logRetentionDays = readInt(scope, 'logRetentionDays', DEFAULTS.logRetentionDays, 1, 3653);
  if (!LOG_RETENTION_DAYS.includes(logRetentionDays)) {
    throw new ConfigError('logRetentionDays', `must be one of ${LOG_RETENTION_DAYS.join(', ')}`);
  }
  const tableRemovalPolicy = (readString(scope, 'tableRemovalPolicy') ?? DEFAULTS.tableRemovalPolicy).toLowerCase();
  if (tableRemovalPolicy !== 'retain' && tableRemovalPolicy !== 'destroy') {
    throw new ConfigError('tableRemovalPolicy', `expected retain or destroy, got ${JSON.stringify(tableRemovalPolicy)}`);
  }
  const alarmEmail = readString(scope, 'alarmEmail');
  if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(alarmEmail)) {
    throw new ConfigError('alarmEmail', `not an e-mail address: ${JSON.stringify(alarmEmail)}`);
  }
  const sseDrainReservedConcurrency = readInt(
    scope,
    'sseDrainReservedConcurrency',
    DEFAULTS.sseDrainReservedConcurrency,
    0,
    1000,
  );
  if (sseDrainReservedConcurrency === 1) {
    // Windows are longer than the one-minute schedule, so two invocations overlap by design;
    // with one slot every second invocation would be throttled.
    throw new ConfigError('sseDrainReservedConcurrency', 'must be 0 (unreserved) or at least 2');
  }
  const throttleRateLimit = readInt(scope, 'throttleRateLimit', DEFAULTS.throttleRateLimit, 1, 10_000);
  const throttleBurstLimit = readInt(scope, 'throttleBurstLimit', DEFAULTS.throttleBurstLimit, 1, 5_000);
  const geolocateResponseTemplate = readString(scope, 'geolocateResponseTemplate');
  if (geolocateResponseTemplate !== undefined && geolocateResponseTemplate.length > MAX_RESPONSE_TEMPLATE_LENGTH) {
    throw new ConfigError('geolocateResponseTemplate', `longer than ${MAX_RESPONSE_TEMPLATE_LENGTH} characters`);
  }

  return {
    eventTtlDays: readInt(scope, 'eventTtlDays', DEFAULTS.eventTtlDays, 0, 36_500),
    sseDrain: readBool(scope, 'sseDrain', DEFAULTS.sseDrain),
    particleTokenSecretName: readString(scope, 'particleTokenSecretName'),
    sseEventPrefix: readString(scope, 'sseEventPrefix'),
    particleEventsPath,
    particleApiUrl: particleApiUrl.replace(/\/$/, ''),
    sseWindowSeconds,
    sseIdleTimeoutSeconds,
    sseDrainReservedConcurrency,
    alarmEmail,
    lambdaMemoryMb: readInt(scope, 'lambdaMemoryMb', DEFAULTS.lambdaMemoryMb, 128, 10_240),
    throttleRateLimit,
    throttleBurstLimit,
    tracing: readBool(scope, 'tracing', DEFAULTS.tracing),
    logRetentionDays,
    tableRemovalPolicy,
    skipBundling: readBool(scope, 'skipBundling', DEFAULTS.skipBundling),
    geolocationProviders: readProviders(scope),
    // Up to a year; the cache key ignores signal strengths, so a week (the default) already spares most calls.
    geocacheTtlHours: readInt(scope, 'geocacheTtlHours', DEFAULTS.geocacheTtlHours, 1, 8_760),
    geolocateResponseTemplate,
    forward: readBool(scope, 'forward', DEFAULTS.forward),
    // 1000 at most: records of one batch share one 60 s invocation (DynamoDB streams would allow 10,000).
    forwardBatchSize: readInt(scope, 'forwardBatchSize', DEFAULTS.forwardBatchSize, 1, 1_000),
  };
}
