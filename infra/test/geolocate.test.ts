import * as fs from 'fs';
import * as path from 'path';
import { functionEnv, resource, statementsOf, synth } from './helpers';

const WEBHOOKS = path.resolve(__dirname, '..', '..', 'webhooks');

describe('geolocate', () => {
  test('with Unwired Labs as fallback: its own secret, its ARN in the env, the provider order kept', () => {
    const { template } = synth({ geolocationProviders: 'google,unwiredlabs' });
    const google = resource(template, 'AWS::SecretsManager::Secret', 'GoogleApiKeySecret').id;
    const unwired = resource(template, 'AWS::SecretsManager::Secret', 'UnwiredLabsTokenSecret').id;
    expect(functionEnv(template, 'Geolocate')).toMatchObject({
      GEOLOCATION_PROVIDERS: 'google,unwiredlabs',
      GOOGLE_API_KEY_SECRET_ARN: { Ref: google },
      UNWIREDLABS_TOKEN_SECRET_ARN: { Ref: unwired },
    });
    const secretGrants = statementsOf(template, 'Geolocate').filter((s) => s.actions[0].startsWith('secretsmanager:'));
    expect(secretGrants.map((s) => s.resource)).toEqual([
      { Ref: resource(template, 'AWS::SecretsManager::Secret', 'WebhookSecret').id },
      { Ref: google },
      { Ref: unwired },
    ]);
    for (const s of secretGrants) expect(s.actions).toEqual(['secretsmanager:GetSecretValue']);
    expect(template.findOutputs('*').UnwiredLabsTokenSecretArn.Value).toEqual({ Ref: unwired });
  });

  test('by default no Unwired Labs secret, variable or output', () => {
    const { template } = synth();
    expect(Object.keys(template.findResources('AWS::SecretsManager::Secret')).filter((id) => id.startsWith('Unwired'))).toEqual(
      [],
    );
    expect(functionEnv(template, 'Geolocate').UNWIREDLABS_TOKEN_SECRET_ARN).toBeUndefined();
    expect(template.findOutputs('*').UnwiredLabsTokenSecretArn).toBeUndefined();
  });

  test('Unwired Labs alone: no Google secret, variable or output', () => {
    const { template } = synth({ geolocationProviders: 'unwiredlabs' });
    expect(Object.keys(template.findResources('AWS::SecretsManager::Secret')).filter((id) => id.startsWith('Google'))).toEqual(
      [],
    );
    const env = functionEnv(template, 'Geolocate');
    expect(env.GEOLOCATION_PROVIDERS).toBe('unwiredlabs');
    expect(env.GOOGLE_API_KEY_SECRET_ARN).toBeUndefined();
    expect(env.UNWIREDLABS_TOKEN_SECRET_ARN).toBeDefined();
    const outputs = template.findOutputs('*');
    expect(outputs.GoogleApiKeySecretArn).toBeUndefined();
    expect(outputs.SetGoogleApiKeyCommand).toBeUndefined();
  });

  test('cache TTL and response template come from context; the template is passed verbatim', () => {
    const template = '{{lat}},{{lng}},{{accuracy}},{{provider}}';
    const { template: t } = synth({ geocacheTtlHours: '24', geolocateResponseTemplate: template });
    expect(functionEnv(t, 'Geolocate')).toMatchObject({ GEOCACHE_TTL_HOURS: '24', GEOLOCATE_RESPONSE_TEMPLATE: template });
    expect(functionEnv(synth().template, 'Geolocate').GEOLOCATE_RESPONSE_TEMPLATE).toBeUndefined();
  });

  test('the Google key output stores the key from a shell variable, never from the template', () => {
    const { template } = synth();
    const outputs = template.findOutputs('*');
    const google = resource(template, 'AWS::SecretsManager::Secret', 'GoogleApiKeySecret').id;
    expect(outputs.GoogleApiKeySecretArn.Value).toEqual({ Ref: google });
    expect(outputs.SetGoogleApiKeyCommand.Value).toEqual({
      'Fn::Join': [
        '',
        [
          'aws secretsmanager put-secret-value --region ',
          { Ref: 'AWS::Region' },
          ' --secret-id ',
          { Ref: google },
          ' --secret-string "$GOOGLE_API_KEY"',
        ],
      ],
    });
  });
});

describe('webhooks/geolocate.json', () => {
  const hook = JSON.parse(fs.readFileSync(path.join(WEBHOOKS, 'geolocate.json'), 'utf8'));
  const ingest = JSON.parse(fs.readFileSync(path.join(WEBHOOKS, 'ingest.json'), 'utf8'));

  test("fires on the device library's deviceLocator event and posts to /geolocate", () => {
    expect(hook.event).toBe('deviceLocator');
    expect(hook.url).toBe('https://REPLACE-WITH-API-ID.execute-api.REPLACE-WITH-REGION.amazonaws.com/geolocate');
    expect(hook.requestType).toBe('POST');
    expect(hook.mydevices).toBe(true);
  });

  test('answers on the topic google-maps-device-locator subscribes to; errors on hook-error', () => {
    expect(hook.responseTopic).toBe('hook-response/{{PARTICLE_EVENT_NAME}}/{{PARTICLE_DEVICE_ID}}');
    expect(hook.errorResponseTopic).toBe('hook-error/{{PARTICLE_EVENT_NAME}}/{{PARTICLE_DEVICE_ID}}');
    // The function renders the answer itself: a responseTemplate here would re-template its text.
    expect(hook.responseTemplate).toBeUndefined();
  });

  test("sends the event as ingest.json does: same JSON body, same secret header, no Particle defaults", () => {
    expect(hook.json).toEqual(ingest.json);
    expect(hook.json.data).toBe('{{{PARTICLE_EVENT_VALUE}}}'); // triple braces: the scan's JSON unescaped
    expect(hook.headers).toEqual({ Authorization: 'Bearer REPLACE-WITH-WEBHOOK-SECRET' });
    expect(hook.noDefaults).toBe(true);
    expect(hook.rejectUnauthorized).toBe(true);
  });

  test('every placeholder is one of the documented REPLACE-WITH-… markers', () => {
    const placeholders = JSON.stringify(hook).match(/REPLACE-WITH-[A-Z-]+/g) ?? [];
    expect([...new Set(placeholders)].sort()).toEqual(
      ['REPLACE-WITH-API-ID', 'REPLACE-WITH-REGION', 'REPLACE-WITH-WEBHOOK-SECRET'].sort(),
    );
  });
});
