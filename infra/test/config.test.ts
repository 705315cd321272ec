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
  ])('rejects %p', (context, message) => {
    expect(() => synth(context)).toThrow(message);
  });

  test('empty strings mean "not set"', () => {
    const { stack } = synth({ sseEventPrefix: '', alarmEmail: '', particleTokenSecretName: '' });
    expect(stack.config.sseEventPrefix).toBeUndefined();
    expect(stack.config.alarmEmail).toBeUndefined();
    expect(stack.config.particleTokenSecretName).toBeUndefined();
  });
});
