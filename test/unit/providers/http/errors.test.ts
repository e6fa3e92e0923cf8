import { errors } from 'undici';
import { describe, expect, it } from 'vitest';
import { classifyTransportError, describeTransportError } from '../../../../src/providers/http/errors.ts';

function systemError(code: string, message = 'some text'): Error {
  return Object.assign(new Error(message), { code });
}

describe('classifyTransportError', () => {
  it.each([
    ['ECONNREFUSED', systemError('ECONNREFUSED')],
    ['ENOTFOUND', systemError('ENOTFOUND')],
    ['EAI_AGAIN', systemError('EAI_AGAIN')],
    ['UND_ERR_CONNECT_TIMEOUT', new errors.ConnectTimeoutError()],
  ])('%s: the request never left → not_sent', (_name, err) => {
    expect(classifyTransportError(err)).toBe('not_sent');
  });

  it.each([
    ['UND_ERR_HEADERS_TIMEOUT', new errors.HeadersTimeoutError()],
    ['UND_ERR_BODY_TIMEOUT', new errors.BodyTimeoutError()],
    ['UND_ERR_SOCKET', new errors.SocketError('other side closed')],
    ['ECONNRESET', systemError('ECONNRESET')],
    ['EPIPE', systemError('EPIPE')],
    ['EHOSTUNREACH', systemError('EHOSTUNREACH')],
    ['UND_ERR_ABORTED', new errors.RequestAbortedError()],
    ['UND_ERR_RES_CONTENT_LENGTH_MISMATCH', new errors.ResponseContentLengthMismatchError()],
    ['TimeoutError (AbortSignal.timeout)', new DOMException('timed out', 'TimeoutError')],
    ['no code', new Error('ECONNREFUSED')],
    ['a string', 'ECONNREFUSED'],
    ['null', null],
    ['code that is not a string', Object.assign(new Error('x'), { code: 111 })],
  ])('%s: may have been written → unknown', (_name, err) => {
    expect(classifyTransportError(err)).toBe('unknown');
  });

  it('never reads the message: a "refused" message with a reset code is unknown', () => {
    expect(classifyTransportError(systemError('ECONNRESET', 'connect ECONNREFUSED 127.0.0.1:1'))).toBe('unknown');
  });

  it('AggregateError (happy eyeballs): not_sent only when every address was refused', () => {
    const allRefused = Object.assign(new AggregateError([systemError('ECONNREFUSED'), systemError('ECONNREFUSED')]), {
      code: 'ECONNREFUSED',
    });
    const mixed = Object.assign(new AggregateError([systemError('ECONNREFUSED'), systemError('ECONNRESET')]), {
      code: 'ECONNREFUSED',
    });
    expect(classifyTransportError(allRefused)).toBe('not_sent');
    expect(classifyTransportError(mixed)).toBe('unknown');
  });
});

describe('describeTransportError', () => {
  it('names the error and code, never the message', () => {
    const err = systemError('ECONNREFUSED', 'connect ECONNREFUSED with secret sk_live_123');
    expect(describeTransportError(err)).toBe('Error (ECONNREFUSED)');
    expect(describeTransportError(new errors.HeadersTimeoutError())).toBe('HeadersTimeoutError (UND_ERR_HEADERS_TIMEOUT)');
    expect(describeTransportError('boom')).toBe('string');
  });
});
