import * as path from 'path';
import { CfnParameter, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { ICommandHooks, RustFunction } from 'cargo-lambda-cdk';
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
   * Folders of the repository root shipped in the function's asset next to `bootstrap`, so the
   * function finds `<folder>` under `/var/task` (`LAMBDA_TASK_ROOT`). See `copyFoldersHooks`.
   */
  readonly bundledFolders?: readonly string[];
  /**
   * No cargo-lambda build: the code location becomes two stack parameters without a default
   * (see `synthOnlyCode`), so the template can be checked but `cdk deploy` refuses it.
   */
  readonly skipBundling?: boolean;
}

/**
 * The CA bundle of the Lambda runtime (provided.al2023), as `SSL_CERT_FILE` of every function: the TLS clients
 * (rustls-native-certs) then read this one file at cold start instead of the bundle plus every file of the
 * certificate directories. The functions refuse to start when it names no file (`particle_lambda::startup`).
 */
export const LAMBDA_CA_BUNDLE = '/etc/pki/tls/certs/ca-bundle.crt';

/** Flags of every function's `cargo lambda build` (also what `make build` passes). */
export const LAMBDA_BUILD_FLAGS = ['--no-default-features'];

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
      environment: { SSL_CERT_FILE: LAMBDA_CA_BUNDLE, ...props.environment },
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
          bundling: {
            // Deployed functions open DynamoDB only: leaving out the default `sqlite` feature (local runs and
            // tests) makes each bootstrap about 2 MB (17 %) smaller. See the README's data model section.
            // `--package`: with `--bin` alone cargo selects every workspace member, and a test or bench package's
            // dependencies would switch the SQLite feature back on (features are unified across selected packages).
            cargoLambdaFlags: [...LAMBDA_BUILD_FLAGS, '--package', props.binaryName],
            ...(props.bundledFolders?.length ? { commandHooks: copyFoldersHooks(props.bundledFolders) } : {}),
          },
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

/** Where Lambda unpacks a function's asset (`LAMBDA_TASK_ROOT`): a bundled folder is `<this>/<folder>`. */
export const LAMBDA_TASK_ROOT = '/var/task';

/**
 * cargo-lambda-cdk builds one asset per function from the `cargo lambda build --flatten` output
 * directory, which holds `bootstrap` only. These hooks copy each folder of the repository root
 * (`inputDir`) into that directory after the build, so the folder ships in the same zip and its
 * contents take part in the asset hash (a changed file redeploys the function).
 *
 * The commands run in bash, on the host (local bundling) or in the cargo-lambda container (Docker
 * bundling, where `inputDir` is the mounted repository). A missing folder fails the build with a
 * message rather than deploying a function without its files.
 */
export function copyFoldersHooks(folders: readonly string[]): ICommandHooks {
  for (const folder of folders) {
    // A plain relative name: nothing that climbs out of the repository or needs more quoting.
    if (!/^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/.test(folder)) throw new Error(`bundledFolders: not a folder name: ${folder}`);
  }
  return {
    beforeBundling: () => [],
    afterBundling: (inputDir: string, outputDir: string) =>
      folders.flatMap((folder) => {
        const from = shellQuote(path.posix.join(inputDir, folder));
        const to = shellQuote(path.posix.join(outputDir, folder));
        return [
          `{ test -d ${from} || { echo "bundling: folder ${folder}/ is missing at the repository root" >&2; false; }; }`,
          `mkdir -p ${to}`,
          `cp -R ${from}/. ${to}/`,
        ];
      }),
  };
}

/** One word for bash: single-quoted, with single quotes inside escaped. */
function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
