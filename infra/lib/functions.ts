import * as path from 'path';
import { CfnParameter, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { RustFunction } from 'cargo-lambda-cdk';
import { Construct } from 'constructs';

/** The workspace manifest at the repository root; every function is one `[[bin]]` of that workspace. */
export const WORKSPACE_MANIFEST = path.join(__dirname, '..', '..', 'Cargo.toml');

export interface ParticleFunctionProps {
  /** Cargo binary (and package) name, e.g. `ingest`; required because the manifest is a workspace. */
  readonly binaryName: string;
  readonly description: string;
  readonly memoryMb: number;
  readonly timeout: Duration;
  readonly environment: Record<string, string>;
  readonly logRetention: logs.RetentionDays;
  readonly tracing: boolean;
  readonly reservedConcurrentExecutions?: number;
  /** Async invocation settings (used by scheduled functions). */
  readonly retryAttempts?: number;
  readonly maxEventAge?: Duration;
  readonly onFailure?: lambda.IDestination;
  /**
   * No cargo-lambda build: the code location becomes two stack parameters without a default
   * (see `synthOnlyCode`), so the template can be checked but `cdk deploy` refuses it.
   */
  readonly skipBundling?: boolean;
}

/**
 * One Rust Lambda built by cargo-lambda (`cargo lambda build --release --arm64 --bin <binaryName>`)
 * on arm64 / provided.al2023, with its own log group (retention without the LogRetention custom
 * resource) and its own role that may write to that log group only, instead of the
 * AWSLambdaBasicExecutionRole managed policy (which allows every log group in the account).
 */
export class ParticleFunction extends Construct {
  readonly fn: lambda.Function;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: ParticleFunctionProps) {
    super(scope, id);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention,
      // Logs are operational data; the table is what keeps the events.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${props.binaryName} function`,
    });
    // logs:CreateLogStream and logs:PutLogEvents on this function's log group only.
    this.logGroup.grantWrite(this.role);

    const common: lambda.FunctionOptions = {
      architecture: lambda.Architecture.ARM_64,
      description: props.description,
      memorySize: props.memoryMb,
      timeout: props.timeout,
      environment: props.environment,
      logGroup: this.logGroup,
      role: this.role,
      tracing: props.tracing ? lambda.Tracing.ACTIVE : undefined,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      retryAttempts: props.retryAttempts,
      maxEventAge: props.maxEventAge,
      onFailure: props.onFailure,
    };
    this.fn = props.skipBundling
      ? new lambda.Function(this, 'Function', {
          ...common,
          runtime: lambda.Runtime.PROVIDED_AL2023,
          handler: 'bootstrap',
          code: synthOnlyCode(this, id),
        })
      : new RustFunction(this, 'Function', {
          ...common,
          manifestPath: WORKSPACE_MANIFEST,
          binaryName: props.binaryName,
          runtime: 'provided.al2023',
        });
  }
}

/**
 * Function code for a template-only synth (`-c skipBundling=true`).
 *
 * A RustFunction whose bundling is skipped points its asset at the bundling source, the whole
 * repository, which `cdk deploy` would zip and upload as function code. Instead the code comes
 * from two stack parameters that have no default and say what they are: the CDK CLI stops a
 * deploy before building or uploading anything ("The following CloudFormation Parameters are
 * missing a value: IngestCodeBucketSkipBundlingNotDeployable, ..."), and the template has no asset at all.
 */
function synthOnlyCode(scope: Construct, id: string): lambda.Code {
  const description =
    'Synthesized with -c skipBundling=true: this template is not deployable. Run cdk deploy without skipBundling.';
  // Stack-level ids, so the logical ids (what the CLI's message names) are exactly these.
  const stack = Stack.of(scope);
  return lambda.Code.fromCfnParameters({
    bucketNameParam: new CfnParameter(stack, `${id}CodeBucketSkipBundlingNotDeployable`, { type: 'String', description }),
    objectKeyParam: new CfnParameter(stack, `${id}CodeKeySkipBundlingNotDeployable`, { type: 'String', description }),
  });
}
