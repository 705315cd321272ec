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
  ])('rejects %p', (context, message) => {
    expect(() => synth(context)).toThrow(message);
  });

  test('defaults deployable on a new account: no reserved concurrency, bundling on', () => {
    const { stack } = synth();
    expect(stack.config.sseDrainReservedConcurrency).toBe(0);
    expect(stack.config.skipBundling).toBe(false);
    expect(synth({ sseDrainReservedConcurrency: '2' }).stack.config.sseDrainReservedConcurrency).toBe(2);
  });

  test('empty strings mean "not set"', () => {
    const { stack } = synth({ sseEventPrefix: '', alarmEmail: '', particleTokenSecretName: '' });
    expect(stack.config.sseEventPrefix).toBeUndefined();
    expect(stack.config.alarmEmail).toBeUndefined();
    expect(stack.config.particleTokenSecretName).toBeUndefined();
  });
});
