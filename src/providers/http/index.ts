export { DEFAULT_PROVIDER_TIMEOUT_MS, createProviderAgent } from './agent.ts';
export { classifyTransportError, describeTransportError, type TransportFailureKind } from './errors.ts';
export { createHttpTransport, type HttpRequest, type HttpResponse, type HttpResult, type HttpTransport } from './transport.ts';
export { silentLogger, type ProviderLogger } from './logger.ts';
