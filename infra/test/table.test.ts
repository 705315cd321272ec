import { Match } from 'aws-cdk-lib/assertions';
import { resource, synth } from './helpers';

describe('events table', () => {
  const { template } = synth();

  test('pk/sk string keys, on-demand, TTL on expires_at, PITR, AWS-managed encryption', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'gsi1pk', AttributeType: 'S' },
        { AttributeName: 'gsi1sk', AttributeType: 'S' },
      ]),
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      // SSEEnabled without SSEType = the AWS-managed key alias/aws/dynamodb (not the AWS-owned default).
      SSESpecification: { SSEEnabled: true },
    });
  });

  test('one GSI gsi1 (gsi1pk/gsi1sk) projecting ALL', () => {
    const { props } = resource(template, 'AWS::DynamoDB::Table', 'EventsTable');
    expect(props.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: 'gsi1',
        KeySchema: [
          { AttributeName: 'gsi1pk', KeyType: 'HASH' },
          { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ]);
    expect(props.AttributeDefinitions).toHaveLength(4);
    // On-demand: no provisioned throughput anywhere.
    expect(props.ProvisionedThroughput).toBeUndefined();
  });

  test('retained on stack deletion by default', () => {
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('tableRemovalPolicy=destroy deletes it', () => {
    synth({ tableRemovalPolicy: 'destroy' }).template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
    });
  });
});
