// We support Node 20 locally on purpose; the SDK's notice about its future Node 22 minimum is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';

export interface AwsEndpoints {
  region: string;
  dynamoEndpoint?: string;
  sqsEndpoint?: string;
}

// Local emulators accept any credentials; real AWS uses the default provider chain (instance or Lambda role).
const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };

export function createDynamo(e: AwsEndpoints): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region: e.region,
    ...(e.dynamoEndpoint ? { endpoint: e.dynamoEndpoint, credentials: localCredentials } : {}),
    maxAttempts: 5,
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

export function createSqs(e: AwsEndpoints): SQSClient {
  return new SQSClient({
    region: e.region,
    ...(e.sqsEndpoint ? { endpoint: e.sqsEndpoint, credentials: localCredentials } : {}),
    maxAttempts: 5,
  });
}
