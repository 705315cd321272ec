import { synth } from './helpers';

describe('context validation', () => {
  test.each([
    [{ eventTtlDays: -1 }, /eventTtlDays/],
    [{ eventTtlDays: '1.5' }, /eventTtlDays/],
    [{ sseDrain: 'yes' }, /sseDrain/],
    [{ lambdaMemoryMb: 64 }, /lambdaMemoryMb/],
    [{ particleEventsPath: 'v1/events' }, /particleEventsPath/],
    [{ particleApiUrl: 'http://api.particle.io' }, /particleApiUrl/],
    [{ sseWindowSeconds: 90 }, /sseWindowSeconds/],
    [{ sseIdleTimeoutSeconds: 70 }, /sseIdleTimeoutSeconds/],
    [{ sseDrainReservedConcurrency: 1 }, /sseDrainReservedConcurrency/],
    [{ logRetentionDays: 31 }, /logRetentionDays/],
    [{ tableRemovalPolicy: 'snapshot' }, /tableRemovalPolicy/],
    [{ alarmEmail: 'not-an-address' }, /alarmEmail/],
    [{ skipBundling: 'maybe' }, /skipBundling/],
    [{ geolocationProviders: 'here' }, /geolocationProviders/],
    [{ geolocationProviders: 'google,google' }, /geolocationProviders.*twice/],
    [{ geolocationProviders: 'google,' }, /geolocationProviders/],
    [{ geolocationProviders: [] }, /geolocationProviders/],
    [{ geolocationProviders: 7 }, /geolocationProviders/],
    [{ geocacheTtlHours: 0 }, /geocacheTtlHours/],
    [{ geocacheTtlHours: 8761 }, /geocacheTtlHours/],
    [{ geolocateResponseTemplate: 'x'.repeat(1025) }, /geolocateResponseTemplate/],
    [{ forward: 'off' }, /forward/],
    [{ forwardBatchSize: 0 }, /forwardBatchSize/],
    [{ forwardBatchSize: 1001 }, /forwardBatchSize/],
  ])('rejects %p', (context, message) => {
    expect(() => synth(context)).toThrow(message);
  });

  test('defaults deployable on a new account: no reserved concurrency, bundling on', () => {
    const { stack } = synth();
    expect(stack.config.sseDrainReservedConcurrency).toBe(0);
    expect(stack.config.skipBundling).toBe(false);
    expect(synth({ sseDrainReservedConcurrency: '2' }).stack.config.sseDrainReservedConcurrency).toBe(2);
  });

  test('geolocation providers: a comma list or a JSON array, any case, in the order given', () => {
    expect(synth().stack.config.geolocationProviders).toEqual(['google']);
    expect(synth({ geolocationProviders: ' Google , unwiredlabs ' }).stack.config.geolocationProviders).toEqual([
      'google',
      'unwiredlabs',
    ]);
    expect(synth({ geolocationProviders: ['unwiredlabs', 'google'] }).stack.config.geolocationProviders).toEqual([
      'unwiredlabs',
      'google',
    ]);
  });

  test('forward on by default with batches of 25; geocache a week; no response template', () => {
    const { config } = synth().stack;
    expect(config.forward).toBe(true);
    expect(config.forwardBatchSize).toBe(25);
    expect(config.geocacheTtlHours).toBe(168);
    expect(config.geolocateResponseTemplate).toBeUndefined();
  });

  test('empty strings mean "not set"', () => {
    const { stack } = synth({
      sseEventPrefix: '',
      alarmEmail: '',
      particleTokenSecretName: '',
      geolocateResponseTemplate: '',
      geolocationProviders: '',
    });
    expect(stack.config.geolocateResponseTemplate).toBeUndefined();
    expect(stack.config.geolocationProviders).toEqual(['google']);
    expect(stack.config.sseEventPrefix).toBeUndefined();
    expect(stack.config.alarmEmail).toBeUndefined();
    expect(stack.config.particleTokenSecretName).toBeUndefined();
  });
});
