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

/** returns the bitmask of rules (bit i = rules[i]) with a trigger in the text */
export type Prefilter = (text: string) => number;

export function compilePrefilter(rules: readonly PrefilterRule[]): Prefilter {
  if (rules.length > 32) throw new Error("prefilter: at most 32 rules fit a bitmask");
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
  const output: number[] = [0];
  rules.forEach((rule, i) => {
    for (const t of rule.triggers) {
      let node = 0;
      for (const ch of t) {
        const k = charClass[ch.charCodeAt(0)];
        let next = children[node].get(k);
        if (next === undefined) {
          next = children.length;
          children.push(new Map());
          output.push(0);
          children[node].set(k, next);
        }
        node = next;
      }
      output[node] |= 1 << i;
    }
  });

  // breadth-first: failure links folded into a full transition table, and
  // each node's output widened with the triggers that end at its failure node
  const nodes = children.length;
  const next = new Uint32Array(nodes * classes);
  const out = new Int32Array(nodes);
  const fail = new Uint32Array(nodes);
  const queue: number[] = [];
  for (const [k, child] of children[0]) {
    next[k] = child;
    queue.push(child);
  }
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head];
    out[node] = output[node] | out[fail[node]];
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
    let node = 0;
    let mask = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      node = next[node * classes + (c < 128 ? charClass[c] : 0)];
      mask |= out[node];
    }
    return mask;
  };
}
