/**
 * Pure helpers over a chat's message tree: the active branch and sibling navigation. A chat's
 * messages are the nodes; `parent_id` links them; `active_leaf_id` picks the branch shown.
 *
 * @module
 */
import type { Message } from "../../api/types.ts";

/** Children of each node (key null = roots), oldest first. */
export type ChildIndex = ReadonlyMap<string | null, readonly Message[]>;

/** Indexes `messages` by parent, each list sorted by creation time (then id, for ties). */
export function indexChildren(messages: Iterable<Message>): ChildIndex {
  const index = new Map<string | null, Message[]>();
  for (const message of messages) {
    const list = index.get(message.parent_id) ?? [];
    list.push(message);
    index.set(message.parent_id, list);
  }
  for (const list of index.values()) {
    list.sort((a, b) => a.created_at - b.created_at || (a.id < b.id ? -1 : 1));
  }
  return index;
}

/**
 * The branch from the root to `leafId`, root first. Without a leaf (or an unknown one) it
 * follows the newest child from the newest root, as a chat opened fresh should.
 */
export function activePath(
  byId: ReadonlyMap<string, Message>,
  children: ChildIndex,
  leafId: string | null,
): Message[] {
  let node = leafId ? byId.get(leafId) : undefined;
  if (!node) {
    const roots = children.get(null);
    if (!roots?.length) return [];
    node = byId.get(deepestLeaf(children, roots[roots.length - 1].id));
  }
  const path: Message[] = [];
  // The set guards against a malformed tree with a cycle.
  const seen = new Set<string>();
  while (node && !seen.has(node.id)) {
    seen.add(node.id);
    path.push(node);
    node = node.parent_id ? byId.get(node.parent_id) : undefined;
  }
  return path.reverse();
}

/** The leaf reached from `id` by always taking the newest child: where a switched branch ends. */
export function deepestLeaf(children: ChildIndex, id: string): string {
  let current = id;
  for (let depth = 0; depth < 100_000; depth++) {
    const kids = children.get(current);
    if (!kids?.length) break;
    current = kids[kids.length - 1].id;
  }
  return current;
}

/** Position of `message` among its siblings: `index` is 0-based, `count` ≥ 1. */
export function siblingPosition(
  children: ChildIndex,
  message: Message,
): { index: number; count: number; siblings: readonly Message[] } {
  const siblings = children.get(message.parent_id) ?? [message];
  const index = siblings.findIndex((m) => m.id === message.id);
  return { index: Math.max(0, index), count: siblings.length, siblings };
}
