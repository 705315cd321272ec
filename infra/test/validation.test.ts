import * as fs from 'fs';
import * as path from 'path';
import { App, CfnResource } from 'aws-cdk-lib';
import { createApp } from '../lib/app';
import { ParticleBackendStack } from '../lib/particle-backend-stack';

/**
 * aws-cdk-lib's built-in CloudFormation validation (resource schemas, property types, required
 * properties): the same check `cdk synth` runs. Its findings are collected from the report.
 */
function violations(app: App, extend?: (stack: ParticleBackendStack) => void, stack?: ParticleBackendStack): any[] {
  if (extend && stack) extend(stack);
  const assembly = app.synth();
  const report = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'));
  return report.pluginReports.flatMap((r: any) => r.violations ?? []);
}

function build(context: Record<string, unknown>) {
  return createApp({ context: { 'aws:cdk:bundling-stacks': [], ...context }, builtinCloudFormationValidation: true });
}

describe('CloudFormation validation', () => {
  test.each([
    ['default', {}],
    [
      'everything on',
      {
        sseDrain: true,
        alarmEmail: 'ops@example.com',
        tracing: true,
        particleTokenSecretName: 'particle/token',
        geolocationProviders: 'google,unwiredlabs',
        geolocateResponseTemplate: '{{lat}},{{lng}}',
      },
    ],
    ['forward off', { forward: false }],
    ['template only (skipBundling)', { skipBundling: true, sseDrain: true }],
  ])('%s configuration has no findings', (_name, context) => {
    const { app } = build(context);
    expect(violations(app).map((v) => `${v.ruleName}: ${v.description}`)).toEqual([]);
  });

  test('the validator is live: a broken resource is reported', () => {
    const { app, stack } = build({});
    // The CDK prints the expected finding as a warning; keep the test output clean.
    const quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const found = violations(app, (s) => {
      new CfnResource(s, 'Broken', { type: 'AWS::SQS::Queue', properties: { MessageRetentionPeriod: 'abc' } });
    }, stack);
    quiet.mockRestore();
    expect(found.map((v) => v.ruleName)).toContain('F3012');
  });
});
