import { NagPackSuppression, NagSuppressions } from 'cdk-nag';
import type { ParticleBackendStack } from './particle-backend-stack';

/**
 * Every cdk-nag AwsSolutions finding this stack accepts, each with the reason it is accepted.
 * The README lists the same table; jest asserts that nothing else is reported.
 */
export function addNagSuppressions(stack: ParticleBackendStack): void {
  NagSuppressions.addResourceSuppressions(stack.httpApi, [
    {
      id: 'AwsSolutions-APIG4',
      reason:
        'Particle webhooks cannot sign requests (no SigV4, no JWT/Cognito): the ingest, geolocate and respond functions ' +
        'authenticate every request themselves against the shared webhook secret in Secrets Manager ' +
        '(Authorization: Bearer or Basic), compared in constant time, and answer 401 otherwise; respond\'s admin ' +
        'routes do the same against the separate admin secret. A Lambda authorizer would only move the same check ' +
        'into a second function.',
    },
  ], true);

  NagSuppressions.addResourceSuppressions(stack.webhookSecret, [
    {
      id: 'AwsSolutions-SMG4',
      reason:
        'Static shared secret that is also stored in the Particle webhook definition; a rotation Lambda cannot ' +
        'update Particle at the same time, so rotation is a documented manual step (README: rotate the webhook ' +
        'secret).',
    },
  ], true);

  NagSuppressions.addResourceSuppressions(stack.adminSecret, [
    {
      id: 'AwsSolutions-SMG4',
      reason:
        "Static bearer secret of respond's admin API, held by the operator's tools; a rotation Lambda cannot " +
        'update those, so rotation is a manual step (put-secret-value; respond accepts AWSCURRENT and AWSPREVIOUS ' +
        'and re-reads them after an unknown secret).',
    },
  ], true);

  // Only a secret this stack creates can be flagged (an imported one has no resource here).
  if (stack.particleTokenSecret.node.tryFindChild('Resource')) {
    NagSuppressions.addResourceSuppressions(stack.particleTokenSecret, [
      {
        id: 'AwsSolutions-SMG4',
        reason:
          'Holds a Particle access token issued by Particle (particle token create); AWS cannot mint a new one, ' +
          'so the user rotates it with put-secret-value (README: set the Particle token).',
      },
    ], true);
  }

  const providerKey = (issuer: string) => ({
    id: 'AwsSolutions-SMG4',
    reason:
      `Holds an API credential issued by ${issuer} to the user's account there; AWS cannot mint a new one, so ` +
      'the user rotates it with put-secret-value (infra/README.md: secrets to fill after deploy).',
  });
  if (stack.googleApiKeySecret) {
    NagSuppressions.addResourceSuppressions(stack.googleApiKeySecret, [providerKey('Google Cloud (Geolocation API key)')], true);
  }
  if (stack.unwiredLabsTokenSecret) {
    NagSuppressions.addResourceSuppressions(stack.unwiredLabsTokenSecret, [providerKey('Unwired Labs (LocationAPI token)')], true);
  }
  if (stack.integrationSecrets) {
    NagSuppressions.addResourceSuppressions(stack.integrationSecrets, [
      {
        id: 'AwsSolutions-SMG4',
        reason:
          'A JSON map of credentials that third parties issue (webhook tokens, an Azure IoT Hub policy key, a ' +
          'Google service-account key) and that the integrations use; no rotation Lambda can mint them, so the ' +
          'user rotates entries with put-secret-value.',
      },
    ], true);
  }

  NagSuppressions.addResourceSuppressions(stack.deadLetterQueue, [
    {
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue IS the dead-letter queue (Lambda on-failure destination of sse-drain and DLQ of the ' +
        'EventBridge target); a DLQ of a DLQ would add nothing. Messages in it raise an alarm.',
    },
  ], true);

  if (stack.forwardDeadLetterQueue) {
    NagSuppressions.addResourceSuppressions(stack.forwardDeadLetterQueue, [
      {
        id: 'AwsSolutions-SQS3',
        reason:
          "This queue IS a dead-letter queue: the on-failure destination of forward's stream event source " +
          'mapping. A DLQ of a DLQ would add nothing. Every message sent to it raises an alarm.',
      },
    ], true);
  }

  const xray: NagPackSuppression = {
    id: 'AwsSolutions-IAM5',
    reason:
      'Active X-Ray tracing (context tracing=true) needs xray:PutTraceSegments and xray:PutTelemetryRecords, ' +
      'which do not support resource-level permissions (Resource "*").',
    appliesTo: ['Resource::*'],
  };
  const secretName: NagPackSuppression = {
    id: 'AwsSolutions-IAM5',
    reason:
      'A secret imported by name (context particleTokenSecretName) has an ARN ending in six random characters ' +
      'unknown at synth time, so the grant is <name>-?????? and matches only that secret name.',
    appliesTo: [{ regex: '/^Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:.+-\\?\\?\\?\\?\\?\\?$/g' }],
  };
  // Suppress only what this configuration produces, so a new wildcard elsewhere is still reported.
  // No table wildcard to accept: functions are granted named actions on the table ARN and on
  // named indexes only (lib/grants.ts).
  const functions = [stack.ingest, stack.sseDrain, stack.geolocate, stack.respond, ...(stack.forward ? [stack.forward] : [])];
  if (stack.config.tracing) {
    for (const fn of functions) {
      NagSuppressions.addResourceSuppressions(fn.role, [xray], true);
    }
  }
  if (stack.forward) {
    // test/forward.test.ts asserts that ListStreams is the only action granted on "*" to this role.
    NagSuppressions.addResourceSuppressions(stack.forward.role, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'dynamodb:ListStreams on "*", added by the DynamoDB event source mapping grant (DynamoEventSource): it ' +
          'returns stream ARNs only, no data. The stream data actions (DescribeStream, GetRecords, ' +
          'GetShardIterator) are granted on the table stream ARN alone.',
        appliesTo: ['Resource::*'],
      },
    ], true);
  }
  const importedByName =
    stack.config.particleTokenSecretName !== undefined && !stack.config.particleTokenSecretName.startsWith('arn:');
  if (importedByName) {
    // Every function that reads the Particle token.
    for (const fn of [stack.sseDrain, stack.respond, ...(stack.forward ? [stack.forward] : [])]) {
      NagSuppressions.addResourceSuppressions(fn.role, [secretName], true);
    }
  }
}
