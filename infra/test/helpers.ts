import { Template } from 'aws-cdk-lib/assertions';
import { createApp } from '../lib/app';
import { LAMBDA_CA_BUNDLE } from '../lib/functions';
import { ParticleBackendStack } from '../lib/particle-backend-stack';

/**
 * Builds the app exactly as bin/app.ts does (stack + cdk-nag aspect) with the given context,
 * skipping the cargo-lambda bundling so tests run offline in seconds.
 *
 * aws-cdk-lib's built-in CloudFormation schema validation is off here: its WebAssembly module
 * takes ~8 s to load in every test file. validation.test.ts runs it once per configuration.
 */
export function synth(
  context: Record<string, unknown> = {},
  options: { validate?: boolean } = {},
): { stack: ParticleBackendStack; template: Template } {
  const { stack } = createApp({
    context: { 'aws:cdk:bundling-stacks': [], ...context },
    builtinCloudFormationValidation: options.validate ?? false,
  });
  return { stack, template: Template.fromStack(stack) };
}

/** The single resource of a type whose logical id starts with `prefix`. */
export function resource(template: Template, type: string, prefix: string): { id: string; props: any } {
  const found = Object.entries(template.findResources(type)).filter(([id]) => id.startsWith(prefix));
  if (found.length !== 1) {
    throw new Error(`expected one ${type} starting with ${prefix}, found ${found.map(([id]) => id).join(', ') || 'none'}`);
  }
  const [id, body] = found[0];
  return { id, props: (body as any).Properties ?? {} };
}

export type FunctionPrefix = 'Ingest' | 'SseDrain' | 'Geolocate' | 'Respond' | 'Forward';

/** The logical-id prefixes of the functions the default stack deploys. */
export const ALL_FUNCTIONS: readonly FunctionPrefix[] = ['Ingest', 'SseDrain', 'Geolocate', 'Respond', 'Forward'];

/**
 * A function's environment without `SSL_CERT_FILE`, which every function has and which is checked here: the
 * Lambda runtime's CA bundle (one file read at cold start; see LAMBDA_CA_BUNDLE). Tests compare the rest exactly.
 */
export function functionEnv(template: Template, prefix: FunctionPrefix): Record<string, unknown> {
  const { SSL_CERT_FILE, ...rest } = resource(template, 'AWS::Lambda::Function', prefix).props.Environment.Variables;
  expect(SSL_CERT_FILE).toBe(LAMBDA_CA_BUNDLE);
  return rest;
}

/** Logical id of the events table, for `{ Ref: ... }` comparisons. */
export function tableId(template: Template): string {
  return resource(template, 'AWS::DynamoDB::Table', 'EventsTable').id;
}

/** The statements of one function's role policy, as `{ actions (sorted), resource }`; every one an unconditional Allow. */
export function statementsOf(template: Template, prefix: string): { actions: string[]; resource: unknown }[] {
  const entries = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([id]) => id.startsWith(`${prefix}Role`));
  if (entries.length !== 1) throw new Error(`expected one policy of ${prefix}Role, found ${entries.length}`);
  const statements = (entries[0][1] as any).Properties.PolicyDocument.Statement as any[];
  for (const s of statements) {
    expect(s.Effect).toBe('Allow');
    expect(s.Condition).toBeUndefined();
  }
  return statements.map((s) => ({ actions: [s.Action].flat().sort(), resource: s.Resource }));
}
