import type { DagNode } from '../store/dags-repo.ts';
import { validateDag } from './dag-validate.ts';

/** A named multi-step workflow of LLM calls (POST /api/workflows/execute). */
export interface WorkflowDefinition {
  id: string;
  description: string;
  /** Parameters the prompts use ({name} in a prompt is replaced by the parameter's value). */
  parameters: readonly string[];
  steps: readonly DagNode[];
}

const step = (id: string, prompt: string, dependsOn: string[] = [], maxTokens: number | null = null): DagNode => ({ id, prompt, agent: null, dependsOn, maxTokens });

export const WORKFLOWS: readonly WorkflowDefinition[] = [
  {
    id: 'faq_workflow',
    description: 'Answer a question: classify it, retrieve context, then answer.',
    parameters: ['query'],
    steps: [
      step('classify', 'Classify this question into a topic: {query}', [], 8),
      step('retrieve', 'List the facts needed to answer: {query}', ['classify']),
      step('answer', 'Answer the question using the facts: {query}', ['retrieve']),
    ],
  },
  {
    id: 'summarize_workflow',
    description: 'Summarise a text: extract the key points, then write the summary.',
    parameters: ['text'],
    steps: [step('extract', 'Extract the key points of: {text}'), step('summarize', 'Write a short summary from the key points.', ['extract'])],
  },
  {
    id: 'research_workflow',
    description: 'Research a topic: plan, search two sources at once, then synthesise.',
    parameters: ['topic'],
    steps: [
      step('plan', 'Plan research on: {topic}', [], 16),
      step('search_web', 'Search the web for: {topic}', ['plan']),
      step('search_docs', 'Search internal documents for: {topic}', ['plan']),
      step('synthesize', 'Synthesise the findings on: {topic}', ['search_web', 'search_docs']),
    ],
  },
  {
    id: 'code_review_workflow',
    description: 'Review code: analyse it, check security and style at once, then report.',
    parameters: ['code'],
    steps: [
      step('analyze', 'Analyse this change: {code}', [], 16),
      step('security', 'Review the change for security problems.', ['analyze']),
      step('style', 'Review the change for style problems.', ['analyze']),
      step('report', 'Write the review report.', ['security', 'style']),
    ],
  },
];

for (const w of WORKFLOWS) validateDag(w.steps);

export function findWorkflow(id: string): WorkflowDefinition | undefined {
  return WORKFLOWS.find((w) => w.id === id);
}

/** The workflow's steps with `{param}` replaced by the parameters' values (missing ones by an empty string). */
export function instantiate(w: WorkflowDefinition, parameters: Readonly<Record<string, unknown>>): DagNode[] {
  const fill = (text: string): string =>
    text.replace(/\{(\w+)\}/g, (_m, name: string) => {
      const v = parameters[name];
      return v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v);
    });
  return w.steps.map((s) => ({ ...s, prompt: s.prompt === null ? null : fill(s.prompt) }));
}
