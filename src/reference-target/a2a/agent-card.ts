// The reference agent's card (A2A v1.0 shape). The SDK serves it as is to
// v1.0 clients (`A2A-Version: 1.0`) and translates it to the v0.3 shape for
// clients that send no version header.
import type { AgentCard } from '@a2a-js/sdk';
import { VERSION } from '../../version.ts';

/** Path of the JSON-RPC endpoint, relative to the target's URL. */
export const A2A_JSONRPC_PATH = '/a2a/jsonrpc';

export function buildAgentCard(publicUrl: string): AgentCard {
  const base = publicUrl.replace(/\/+$/, '');
  const jsonRpc = `${base}${A2A_JSONRPC_PATH}`;
  return {
    name: 'agentload reference agent',
    description: 'A real A2A agent whose answers come from the agentload mock LLM: each task is one completion, '
      + 'streamed as artifact chunks with the mock LLM\'s timings (time to first token, inter-token latency, errors, queueing).',
    supportedInterfaces: [
      { url: jsonRpc, protocolBinding: 'JSONRPC', protocolVersion: '1.0', tenant: '' },
      { url: jsonRpc, protocolBinding: 'JSONRPC', protocolVersion: '0.3', tenant: '' },
    ],
    provider: { organization: 'agentload', url: base },
    version: VERSION,
    capabilities: { streaming: true, pushNotifications: false, extensions: [], extendedAgentCard: false },
    securitySchemes: {},
    securityRequirements: [],
    defaultInputModes: ['text/plain'],
    defaultOutputModes: ['text/plain'],
    skills: [{
      id: 'complete',
      name: 'Answer with the mock LLM',
      description: 'Answers the text of the message (and earlier turns of the task) with one mock LLM completion. '
        + 'Message metadata may set "model" and "maxTokens".',
      tags: ['llm', 'mock', 'load-testing'],
      examples: ['Summarise the status of run 42.'],
      inputModes: ['text/plain'],
      outputModes: ['text/plain'],
      securityRequirements: [],
    }],
    signatures: [],
  };
}
