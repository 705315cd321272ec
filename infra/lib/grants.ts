import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';

/**
 * Least-privilege grants: each function gets exactly the API actions its code calls, on exactly
 * the resources it calls them on, instead of `grantReadWriteData` (every read and write action on
 * the table and `index/*`) or `grantRead` (GetSecretValue and DescribeSecret).
 *
 * When a function's code starts calling another action, add it to that function's list below
 * (the jest tests assert the lists), and name the call site in the comment next to it.
 */

/** DynamoDB item actions, granted on the table ARN (and named index ARNs). */
export type DynamoAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:PutItem'
  | 'dynamodb:Query'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:BatchGetItem'
  | 'dynamodb:BatchWriteItem'
  | 'dynamodb:ConditionCheckItem'
  | 'dynamodb:TransactWriteItems';
// Stream reads (`forward`) are granted on the stream ARN by the event source mapping, not here.

/**
 * `ingest`: the webhook path stores one event with `ItemStore::put_new`, a PutItem conditional on
 * `attribute_not_exists(pk)`; a duplicate is the failed condition, so nothing is ever read.
 */
export const INGEST_TABLE_ACTIONS: readonly DynamoAction[] = ['dynamodb:PutItem'];

/**
 * `sse-drain`:
 * - GetItem: the stream state item (`STREAM#...`/`STATE`: open budget, 529 backoff) is read before
 *   every stream open (`budget.rs`, `ItemStore::get`);
 * - PutItem: the stream state is written back conditionally on its version (`ItemStore::put` with
 *   `IntEquals`), gap items unconditionally, and events with a PutItem conditional on
 *   `attribute_not_exists(pk)` (`put_new_batch` as conditional puts, never an unconditional
 *   BatchWriteItem that could overwrite a webhook-stored event).
 * No Query: nothing in the drainer's code path lists items (`Gaps::list` serves tests and tools).
 */
export const SSE_DRAIN_TABLE_ACTIONS: readonly DynamoAction[] = ['dynamodb:GetItem', 'dynamodb:PutItem'];

/**
 * `geolocate` (issue 9):
 * - GetItem: the geolocation cache entry of a scan (`GEOCACHE#<hash>`), and the stored location of
 *   an event Particle retried (answered again without a provider call);
 * - PutItem: the locator event (conditional on being new, like `ingest`), cache entries (positive
 *   and negative), the location item, and the latest location of the device (conditional on being
 *   newer).
 * No Query: nothing lists items on the request path (a device's track is read by tools).
 */
export const GEOLOCATE_TABLE_ACTIONS: readonly DynamoAction[] = ['dynamodb:GetItem', 'dynamodb:PutItem'];

/**
 * `forward` (issue 11), for each new event the stream hands it:
 * - GetItem: the delivery record of an (event, integration) before sending, so a delivery that
 *   succeeded is not sent again when the stream retries a batch; the geolocation cache and stored
 *   locations for GoogleMaps integrations; reply templates;
 * - PutItem: delivery records, and for GoogleMaps the cache, location and latest-location items;
 * - Query: the device's pending commands (`DEVICE#<coreid>`, `PENDING#` prefix), delivered on its next event;
 * - DeleteItem: a pending command once delivered.
 * The stream itself is read through the event source mapping (its own grant, on the stream ARN).
 */
export const FORWARD_TABLE_ACTIONS: readonly DynamoAction[] = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Query',
  'dynamodb:DeleteItem',
];

/**
 * `respond` (issue 10):
 * - GetItem: reply templates (device, product, default scope) on every webhook and admin read, and
 *   the logged reply of a retried webhook (its delivery record, keyed by the event);
 * - PutItem: the request event (conditional on being new, like `ingest`), replies (a delete writes the
 *   reply back already expired), delivery records, pending commands and their claims (conditional
 *   on the command's version);
 * - Query: `GET /replies` on the `gsi1` index (`REPLIES` partition), a device's deliveries and
 *   pending commands (`DEVICE#<coreid>` with the `DELIVERY#` / `PENDING#` prefixes).
 */
export const RESPOND_TABLE_ACTIONS: readonly DynamoAction[] = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'];
/** The one index `respond` queries. */
export const RESPOND_INDEXES: readonly string[] = ['gsi1'];

export interface TableGrantOptions {
  /**
   * Global secondary indexes the grantee queries, by name: each adds `<table ARN>/index/<name>`.
   * Never a wildcard, so a grant covers only indexes that code actually reads.
   */
  readonly indexes?: readonly string[];
}

/**
 * Grants `actions` on `table` (and on the named `indexes` only). The table is encrypted with the
 * AWS-managed key, so no KMS grant is needed; a customer-managed key would need `kms:Decrypt` and
 * `kms:GenerateDataKey` added here.
 */
export function grantTableActions(
  grantee: iam.IGrantable,
  table: dynamodb.ITable,
  actions: readonly DynamoAction[],
  options: TableGrantOptions = {},
): iam.Grant {
  if (actions.length === 0) throw new Error('grantTableActions: no actions given');
  if (new Set(actions).size !== actions.length) throw new Error(`grantTableActions: repeated action in ${actions}`);
  const indexes = options.indexes ?? [];
  for (const index of indexes) {
    if (!/^[A-Za-z0-9_.-]{3,255}$/.test(index)) throw new Error(`grantTableActions: not an index name: ${index}`);
  }
  return iam.Grant.addToPrincipal({
    grantee,
    actions: [...actions],
    resourceArns: [table.tableArn, ...indexes.map((index) => `${table.tableArn}/index/${index}`)],
  });
}

/**
 * Grants `secretsmanager:GetSecretValue` (the only Secrets Manager call the functions make) on one
 * secret. The secret's key is the AWS-managed `aws/secretsmanager`, which needs no KMS grant.
 *
 * A secret imported by name has no complete ARN at synth time: Secrets Manager appends `-` and six
 * random characters, so the grant is `<partial ARN>-??????`, as the CDK's own `grantRead` does.
 */
export function grantSecretValue(grantee: iam.IGrantable, secret: secretsmanager.ISecret): iam.Grant {
  const arn = secret.secretFullArn ?? `${secret.secretArn}-??????`;
  return iam.Grant.addToPrincipal({
    grantee,
    actions: ['secretsmanager:GetSecretValue'],
    resourceArns: [arn],
  });
}
