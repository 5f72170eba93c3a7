import type { Message } from '@aws-sdk/client-sqs';
import { JobMessageSchema, type JobMessage } from '../contract/index.ts';
import { parseMessageBody } from './message-body.ts';

export interface Received<T> {
  body: T;
  receiptHandle: string;
  receiveCount: number;
  messageId: string;
}

/** A message that failed validation: it is reported and removed, never retried forever. */
export interface Rejected {
  raw: string | undefined;
  error: string;
  receiptHandle: string;
}

type Parser<T> = { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { message: string } } };

/** A received SQS message's body, validated; the control plane and the runners read messages with this one decoder. */
export function decodeMessage<T>(m: Message, schema: Parser<T>): Received<T> | Rejected {
  const receiptHandle = m.ReceiptHandle ?? '';
  let json: unknown;
  try {
    json = parseMessageBody(m.Body ?? '');
  } catch {
    return { raw: m.Body, error: 'message body is not JSON', receiptHandle };
  }
  const r = schema.safeParse(json);
  if (!r.success) return { raw: m.Body, error: r.error.message, receiptHandle };
  return {
    body: r.data,
    receiptHandle,
    receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 1),
    messageId: m.MessageId ?? '',
  };
}

export const decodeJobMessage = (m: Message): Received<JobMessage> | Rejected => decodeMessage(m, JobMessageSchema);
export const isRejected = <T>(r: Received<T> | Rejected): r is Rejected => 'error' in r;
