import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { createApp } from '../lib/app';

const CONFIGS: Record<string, Record<string, unknown>> = {
  default: {},
  'everything on, token imported by name': {
    sseDrain: true,
    alarmEmail: 'ops@example.com',
    tracing: true,
    particleTokenSecretName: 'particle/token',
    sseEventPrefix: 'tracker/',
    geolocationProviders: 'google,unwiredlabs',
    geolocateResponseTemplate: '{{lat}},{{lng}}',
  },
  'forward off, Unwired Labs only': {
    forward: false,
    geolocationProviders: 'unwiredlabs',
    tracing: 'true',
  },
  'token imported by complete ARN': {
    sseDrain: 'true',
    particleTokenSecretName: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:particle/token-AbC123',
  },
};

describe.each(Object.entries(CONFIGS))('cdk-nag AwsSolutions (%s)', (_name, context) => {
  const { stack } = createApp({
    context: { 'aws:cdk:bundling-stacks': [], ...context },
    builtinCloudFormationValidation: false,
  });
  const annotations = Annotations.fromStack(stack);

  test('no unsuppressed errors', () => {
    const errors = annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*'));
    expect(errors.map((e) => `${e.id}: ${String(e.entry.data).split(':')[0]}`)).toEqual([]);
  });

  test('no unsuppressed warnings', () => {
    const warnings = annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'));
    expect(warnings.map((w) => `${w.id}: ${String(w.entry.data).split(':')[0]}`)).toEqual([]);
  });

  test('every suppression states a concrete reason', () => {
    const template = stack.resolve((stack as any)._toCloudFormation()) as any;
    const suppressions = Object.values(template.Resources).flatMap(
      (r: any) => r.Metadata?.cdk_nag?.rules_to_suppress ?? [],
    ) as { id: string; reason: string }[];
    expect(suppressions.length).toBeGreaterThan(0);
    for (const s of suppressions) {
      expect(s.id).toMatch(/^AwsSolutions-/);
      expect(s.reason.length).toBeGreaterThan(60);
    }
  });
});
