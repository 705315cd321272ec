import * as fs from 'fs';
import * as path from 'path';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { createApp } from '../lib/app';

const REPOSITORY = path.resolve(__dirname, '..', '..');

/** Synthesizes the whole app as `cdk synth -c skipBundling=true` does (no test-only context). */
function synthSkipped() {
  const { app, stack } = createApp({ context: { skipBundling: 'true' }, builtinCloudFormationValidation: false });
  const assembly = app.synth();
  return { stack, assembly, artifact: assembly.getStackByName(stack.stackName) };
}

describe('-c skipBundling=true (template checks, never a deploy)', () => {
  const { stack, assembly, artifact } = synthSkipped();
  const template = Template.fromJSON(artifact.template);

  test('nothing but the template is uploaded: no function asset, least of all the repository', () => {
    // Before: the skipped RustFunction assets pointed at the repository root, packaged as zip.
    const manifest = assembly.artifacts.find((a) => a instanceof cxapi.AssetManifestArtifact) as cxapi.AssetManifestArtifact;
    const files = JSON.parse(fs.readFileSync(manifest.file, 'utf8')).files as Record<string, any>;
    expect(Object.values(files).map((f) => f.source)).toEqual([
      { path: `${stack.stackName}.template.json`, packaging: 'file' },
    ]);
    expect(fs.readFileSync(manifest.file, 'utf8')).not.toContain(REPOSITORY);
    expect(artifact.assets).toEqual([]);
  });

  test('function code comes from parameters without a default, which cdk deploy refuses to leave empty', () => {
    const params = template.toJSON().Parameters as Record<string, any>;
    for (const prefix of ['Ingest', 'SseDrain', 'Geolocate', 'Forward']) {
      const bucket = `${prefix}CodeBucketSkipBundlingNotDeployable`;
      const key = `${prefix}CodeKeySkipBundlingNotDeployable`;
      for (const name of [bucket, key]) {
        expect(params[name]).toMatchObject({ Type: 'String', Description: expect.stringMatching(/not deployable/) });
        expect(params[name].Default).toBeUndefined();
      }
      const fn = Object.entries(template.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith(prefix));
      expect((fn![1] as any).Properties.Code).toEqual({ S3Bucket: { Ref: bucket }, S3Key: { Ref: key } });
      expect((fn![1] as any).Properties).toMatchObject({ Runtime: 'provided.al2023', Handler: 'bootstrap', Architectures: ['arm64'] });
    }
  });

  test('synth warns that the template is not deployable', () => {
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('skipBundling'));
    expect(warnings.length).toBeGreaterThan(0);
  });

  test('everything else is the deployable template: same resources as a normal synth', () => {
    const { stack: normal } = createApp({
      context: { 'aws:cdk:bundling-stacks': [] },
      builtinCloudFormationValidation: false,
    });
    const types = (t: any) => Object.values(t.Resources).map((r: any) => r.Type).sort();
    expect(types(template.toJSON())).toEqual(types(Template.fromStack(normal).toJSON()));
  });
});
