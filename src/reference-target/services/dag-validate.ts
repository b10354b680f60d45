import { badRequest } from '../http/errors.ts';
import type { DagNode } from '../store/dags-repo.ts';

/**
 * Check a DAG's nodes: ids unique, dependencies known, no cycle. Throws a 400
 * naming the field (`nodes[2].dependsOn[0]`); returns the nodes in an order
 * where every node comes after its dependencies.
 */
export function validateDag(nodes: readonly DagNode[]): DagNode[] {
  const index = new Map<string, number>();
  nodes.forEach((n, i) => {
    if (index.has(n.id)) throw badRequest(`nodes[${i}].id`, `duplicate node id "${n.id}" (also nodes[${index.get(n.id) as number}])`);
    index.set(n.id, i);
  });
  nodes.forEach((n, i) => {
    const seen = new Set<string>();
    n.dependsOn.forEach((d, j) => {
      if (!index.has(d)) throw badRequest(`nodes[${i}].dependsOn[${j}]`, `unknown node "${d}"`);
      if (d === n.id) throw badRequest(`nodes[${i}].dependsOn[${j}]`, `node "${d}" cannot depend on itself`);
      if (seen.has(d)) throw badRequest(`nodes[${i}].dependsOn[${j}]`, `"${d}" is listed twice`);
      seen.add(d);
    });
  });
  // Kahn's algorithm; whatever is left over sits on a cycle.
  const indegree = new Map(nodes.map((n) => [n.id, n.dependsOn.length]));
  const dependents = new Map<string, string[]>();
  for (const n of nodes) for (const d of n.dependsOn) dependents.set(d, [...(dependents.get(d) ?? []), n.id]);
  const ready = nodes.filter((n) => n.dependsOn.length === 0).map((n) => n.id);
  const order: DagNode[] = [];
  while (ready.length > 0) {
    const id = ready.shift() as string;
    order.push(nodes[index.get(id) as number] as DagNode);
    for (const m of dependents.get(id) ?? []) {
      const left = (indegree.get(m) as number) - 1;
      indegree.set(m, left);
      if (left === 0) ready.push(m);
    }
  }
  if (order.length < nodes.length) {
    const cyclic = nodes.filter((n) => (indegree.get(n.id) as number) > 0).map((n) => n.id);
    throw badRequest('nodes', `the dependencies form a cycle through ${cyclic.map((c) => `"${c}"`).join(', ')}`);
  }
  return order;
}
