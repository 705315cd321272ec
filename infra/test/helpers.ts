import { Template } from 'aws-cdk-lib/assertions';
import { createApp } from '../lib/app';
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

export function functionEnv(template: Template, prefix: 'Ingest' | 'SseDrain'): Record<string, unknown> {
  return resource(template, 'AWS::Lambda::Function', prefix).props.Environment.Variables;
}

/** Logical id of the events table, for `{ Ref: ... }` comparisons. */
export function tableId(template: Template): string {
  return resource(template, 'AWS::DynamoDB::Table', 'EventsTable').id;
}
