/**
 * Literal prefilter for the safety rules: one pass over the text tells which
 * rules have one of their trigger literals in it, so a rule whose regex
 * cannot match is never run.
 *
 * Each rule gives a list of trigger literals (lower-case ASCII) with the
 * promise that every string its regex matches contains at least one of them
 * (ASCII letters in any case). All lists are compiled into one Aho–Corasick
 * automaton over ASCII, folded to lower case: reading the text once, char by
 * char, finds every occurrence of every trigger, overlapping ones included,
 * and returns a bitmask of the rules with a trigger in the text.
 *
 * Why ASCII folding is enough: a trigger is cut from the literal part of a
 * pattern with the `i` flag and without `u`, and there an ASCII pattern char
 * only matches the same ASCII char or its other case (a non-ASCII char whose
 * upper case is ASCII, like ſ or the Kelvin sign, does not match: ECMA-262
 * Canonicalize). With `u`, simple case folding would match those, so
 * `compilePrefilter` refuses patterns with the `u` or `v` flag. Any char that
 * is in no trigger, non-ASCII included, sends the automaton back to its root.
 */

export interface PrefilterRule {
  name: string;
  pattern: RegExp;
  /** lower-case ASCII literals; every match of `pattern` contains one */
  triggers: readonly string[];
}

/** returns the bit set of rules (bit i = rules[i], see `hasRule`) with a trigger in the text */
export type Prefilter = (text: string) => Int32Array;

/** whether rule `i` is in bit set `set` */
export const hasRule = (set: Int32Array, i: number): boolean => (set[i >>> 5] & (1 << (i & 31))) !== 0;

/** the bit set holding every one of `n` rules (what a scan without the prefilter reads) */
export function allRules(n: number): Int32Array {
  const set = new Int32Array(Math.max(1, Math.ceil(n / 32)));
  for (let i = 0; i < n; i++) set[i >>> 5] |= 1 << (i & 31);
  return set;
}

export function compilePrefilter(rules: readonly PrefilterRule[]): Prefilter {
  const words = Math.max(1, Math.ceil(rules.length / 32));
  // chars that occur in some trigger get a class 1..k; class 0 is every other char
  const charClass = new Uint8Array(128);
  let classes = 1;
  for (const rule of rules) {
    if (/[uv]/.test(rule.pattern.flags)) throw new Error(`prefilter: ${rule.name}: the u/v flag folds non-ASCII chars to ASCII`);
    if (!rule.triggers.length) throw new Error(`prefilter: ${rule.name}: no triggers`);
    for (const t of rule.triggers) {
      if (!/^[\x20-\x40\x5b-\x7e]+$/.test(t)) throw new Error(`prefilter: ${rule.name}: trigger ${JSON.stringify(t)} is not lower-case printable ASCII`);
      for (const ch of t) if (!charClass[ch.charCodeAt(0)]) charClass[ch.charCodeAt(0)] = classes++;
    }
  }
  for (let c = 65; c <= 90; c++) charClass[c] = charClass[c + 32]; // A-Z read as a-z

  // the trie of all triggers; node 0 is the root
  const children: Map<number, number>[] = [new Map()];
  /** per node, the rules whose trigger ends there: `words` ints each */
  const output: number[][] = [new Array(words).fill(0)];
  rules.forEach((rule, i) => {
    for (const t of rule.triggers) {
      let node = 0;
      for (const ch of t) {
        const k = charClass[ch.charCodeAt(0)];
        let next = children[node].get(k);
        if (next === undefined) {
          next = children.length;
          children.push(new Map());
          output.push(new Array(words).fill(0));
          children[node].set(k, next);
        }
        node = next;
      }
      output[node][i >>> 5] |= 1 << (i & 31);
    }
  });

  // breadth-first: failure links folded into a full transition table, and
  // each node's output widened with the triggers that end at its failure node
  const nodes = children.length;
  const next = new Uint32Array(nodes * classes);
  const out = new Int32Array(nodes * words);
  /** whether any trigger ends at the node (most nodes: none; the scan skips them) */
  const emits = new Uint8Array(nodes);
  const fail = new Uint32Array(nodes);
  const queue: number[] = [];
  for (const [k, child] of children[0]) {
    next[k] = child;
    queue.push(child);
  }
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head];
    for (let w = 0; w < words; w++) {
      out[node * words + w] = output[node][w] | out[fail[node] * words + w];
      if (out[node * words + w]) emits[node] = 1;
    }
    for (let k = 0; k < classes; k++) {
      const child = children[node].get(k);
      if (child === undefined) {
        next[node * classes + k] = next[fail[node] * classes + k];
      } else {
        fail[child] = next[fail[node] * classes + k];
        next[node * classes + k] = child;
        queue.push(child);
      }
    }
  }

  return (text) => {
    const set = new Int32Array(words);
    let node = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      node = next[node * classes + (c < 128 ? charClass[c] : 0)];
      if (emits[node]) for (let w = 0; w < words; w++) set[w] |= out[node * words + w];
    }
    return set;
  };
}
