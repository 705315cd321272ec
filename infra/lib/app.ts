import { App, AppProps, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ParticleBackendStack } from './particle-backend-stack';

export const STACK_NAME = 'ParticleBackendStack';

/**
 * Builds the CDK app: one env-agnostic ParticleBackendStack (no account or region lookups, so
 * `cdk synth` runs offline) with cdk-nag's AwsSolutions pack applied to everything in it.
 * Unsuppressed AwsSolutions findings are errors, and errors fail `cdk synth`/`cdk deploy`.
 *
 * `-c skipBundling=true` synthesizes the template without building the Rust functions; the
 * functions' code then comes from stack parameters without defaults, so `cdk deploy` refuses
 * that template instead of uploading the repository as code (see `ParticleFunction`).
 */
export function createApp(props?: AppProps): { app: App; stack: ParticleBackendStack } {
  const app = new App(props);
  const stack = new ParticleBackendStack(app, STACK_NAME);
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  return { app, stack };
}
