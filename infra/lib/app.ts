import { App, AppProps, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ParticleBackendStack } from './particle-backend-stack';

export const STACK_NAME = 'ParticleBackendStack';

/** The CDK context key that holds the stacks to bundle; the CLI refuses `-c aws:...` keys. */
const BUNDLING_STACKS = 'aws:cdk:bundling-stacks';

/**
 * Builds the CDK app: one env-agnostic ParticleBackendStack (no account or region lookups, so
 * `cdk synth` runs offline) with cdk-nag's AwsSolutions pack applied to everything in it.
 * Unsuppressed AwsSolutions findings are errors, and errors fail `cdk synth`/`cdk deploy`.
 *
 * `-c skipBundling=true` skips the cargo-lambda builds (the asset then points at the source
 * tree and is NOT deployable): for checking the template quickly, with no Rust toolchain.
 */
export function createApp(props?: AppProps): { app: App; stack: ParticleBackendStack } {
  const app = new App(props);
  const skip: unknown = app.node.tryGetContext('skipBundling');
  if (skip === true || skip === 'true') {
    app.node.setContext(BUNDLING_STACKS, []);
  }
  const stack = new ParticleBackendStack(app, STACK_NAME);
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  return { app, stack };
}
