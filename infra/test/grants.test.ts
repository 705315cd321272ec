import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { grantSecretValue, grantTableActions } from '../lib/grants';

/** A bare stack with a table, a role and a secret, to check the grant helpers on their own. */
function fixture() {
  const stack = new Stack();
  const table = new dynamodb.Table(stack, 'T', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
  table.addGlobalSecondaryIndex({ indexName: 'gsi1', partitionKey: { name: 'g', type: dynamodb.AttributeType.STRING } });
  const role = new iam.Role(stack, 'R', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  return { stack, table, role };
}

function statements(stack: Stack): any[] {
  const policies = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'));
  expect(policies).toHaveLength(1);
  return (policies[0] as any).Properties.PolicyDocument.Statement;
}

describe('grant helpers', () => {
  test('table actions cover the table alone unless an index is named', () => {
    const { stack, table, role } = fixture();
    grantTableActions(role, table, ['dynamodb:PutItem']);
    const [s] = statements(stack);
    expect(s.Action).toBe('dynamodb:PutItem');
    expect(s.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^T/), 'Arn'] });
  });

  test('a named index adds exactly <table ARN>/index/<name>, never index/*', () => {
    const { stack, table, role } = fixture();
    grantTableActions(role, table, ['dynamodb:Query'], { indexes: ['gsi1'] });
    const [s] = statements(stack);
    expect(s.Action).toBe('dynamodb:Query');
    expect(s.Resource).toHaveLength(2);
    expect(s.Resource[1]).toEqual({
      'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^T/), 'Arn'] }, '/index/gsi1']],
    });
    expect(JSON.stringify(s.Resource)).not.toContain('*');
  });

  test('refuses an empty or repeated action list and a malformed index name', () => {
    const { table, role } = fixture();
    expect(() => grantTableActions(role, table, [])).toThrow(/no actions/);
    expect(() => grantTableActions(role, table, ['dynamodb:GetItem', 'dynamodb:GetItem'])).toThrow(/repeated/);
    expect(() => grantTableActions(role, table, ['dynamodb:Query'], { indexes: ['*'] })).toThrow(/index name/);
  });

  test('secret value: GetSecretValue only, on the complete ARN or on <name>-?????? for a name', () => {
    const { stack, role } = fixture();
    const created = new secretsmanager.Secret(stack, 'S');
    const byName = secretsmanager.Secret.fromSecretNameV2(stack, 'N', 'app/token');
    const byArn = secretsmanager.Secret.fromSecretCompleteArn(
      stack,
      'A',
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:app/other-AbC123',
    );
    for (const secret of [created, byName, byArn]) grantSecretValue(role, secret);
    const all = statements(stack);
    for (const s of all) expect(s.Action).toBe('secretsmanager:GetSecretValue');
    const resources = all.flatMap((s) => [s.Resource].flat());
    expect(resources).toHaveLength(3);
    expect(resources[0]).toEqual({ Ref: expect.stringMatching(/^S/) });
    expect(JSON.stringify(resources[1])).toContain(':secret:app/token-??????');
    expect(resources[2]).toBe('arn:aws:secretsmanager:eu-west-1:123456789012:secret:app/other-AbC123');
  });
});
