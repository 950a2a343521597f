// The minimal app's one function: the least a Lambda handler can be.
export const handler = async (): Promise<{ statusCode: number; body: string }> => ({ statusCode: 200, body: 'ok' });
