/**
 * What a free-text signal is about, as opposed to how it says it failed: the
 * subject words of a ticket, a chat message or an issue are its content words
 * less the phrases that name a failure class ("white screen", "times out"),
 * the words any complaint uses (page, shows, keeps, tried, customers, Chrome)
 * and the labels of identifiers (order #, account id). Two customer messages
 * about different parts of a product often share a whole sentence of
 * complaint ("it keeps saying too many requests, I only tried twice") and
 * nothing else; such a match is not evidence that one pull request fixes
 * both. The offline grouping joins a free-text signal to a report only when
 * the two share a subject word (assign.ts). Linear time: a word split and a
 * bounded set of failure patterns.
 */
import { FAILURE_VOCABULARY, withoutFailurePhrases } from "./failure-classes";
import { GENERIC, stem, words } from "./text";

/** Words any complaint about any part of a product uses: where people look, what they did and saw, who and on what. */
export const COMPLAINT = new Set(
  (
    // where on screen, in general
    "page pages screen screens site website app apps button buttons form forms field fields tab tabs dialog modal window popup " +
    "view link links menu section part thing things stuff option settings setting " +
    // what happened and what people did
    "show shows showing shown render renders rendering rendered load loads loading loaded keep keeps keeping kept " +
    "go goes going gone come comes came happen happens happened happening stop stops stopped start starts started " +
    "open opens opened close closes closed click clicks clicked press pressed tap tapped type typed use uses using used " +
    "see sees seeing saw seen make makes made take takes took give gives gave need needs needed want wants wanted " +
    "know think look looks looking find found help helps turn turns turned appear appears appeared " +
    "blank empty nothing anything everything forever spin spins spinning hang hangs stuck freeze freezes frozen " +
    "slow slowly fast quick instead anymore always never sometimes ever constantly randomly suddenly completely " +
    "time minute minutes hour hours second seconds day days month months year years ago later since now " +
    "twice once first last new old same different whole entire lot lots bit " +
    // how big: "fails for our big account, small ones work" is said of anything
    "one ones big bigger biggest large larger largest small smaller smallest tiny huge few " +
    "urgent asap blocking blocked please help support team hope note update updates " +
    "report reports reported say says said tell told mention mentioned notice noticed try tries tried trying attempt " +
    "clear cleared back change changed side around data input value values text work worked break breaks broke " +
    "cheers regards best thanks greetings sorry " +
    // how people greet: "Good morning, …", "Hey there, …" open tickets about anything
    "hello hey hiya good morning afternoon evening dear folks guys " +
    // exclamations and how soon: "Oops, something broke", "crashes as soon as it loads"
    "oops oop whoops soon " +
    // how it went: "it dies on large files", "should be able to", "says the input is invalid"
    "die dies died dying able unable invalid valid " +
    // who and on what
    "customer customers client clients enterprise account accounts people person everyone someone somebody nobody " +
    "our their mine yours colleague colleagues teammate owner owners admin admins role roles " +
    // "permission denied even though I'm the account owner"
    "though although even " +
    "chrome firefox safari edge browser browsers mac macos windows linux ios android iphone ipad desktop laptop " +
    "cache cookies incognito refresh refreshed reload reloaded logged " +
    // labels of identifiers quoted in a ticket
    "order id ids number ref reference case ticket acct"
  ).split(/\s+/),
);

/**
 * The plumbing any failure anywhere carries: HTTP and runtime words
 * (`requests.exceptions.HTTPError`, "returned 429 Too Many Requests", "for
 * url", "server responded"). Two reports that share only these share nothing.
 */
const PLUMBING = new Set(
  (
    "request requests response responses respond responded returned return exception exceptions client server url uri " +
    "call calls internal int many status code http https api handler throw thrown raise raised caught " +
    // the verbs of a permission scope (billing:write, web:read)
    "read write"
  ).split(/\s+/),
);

/** A trailing signature ("— Dana", "-- Priya S.") and a chat prefix ("#support — Ravi: ") name people, not problems. */
const SIGNATURE = /(?:^|\s)(?:—|–|--)\s*[A-Z][\p{L}.'-]{0,30}(?:\s+[A-Z][\p{L}.'-]{0,30})?\s*$/u;
const CHAT_PREFIX = /^#[\w-]{1,80}\s+[—–-]\s+[^:\n]{1,60}:\s*/;

/** "instead of my name": the writer's own name, not a name field of the product */
const OWN_NAME = /\b(?:my|your|his|her|our|their) (?:own |full |real )?names?\b/gi;

/** letters and digits in one word */
const MIXED = /^(?=[a-z]*\d)(?=\d*[a-z])/;

/** `text` less who wrote it: a chat prefix ("#support — Noah: ") and a trailing signature ("— Dana"). */
export function withoutPeople(text: string): string {
  return text.replace(CHAT_PREFIX, "").replace(SIGNATURE, "");
}

/** The stemmed subject words of `text`. */
export function subjectWords(text: string): Set<string> {
  const body = withoutFailurePhrases(withoutPeople(text.slice(0, 4096)).replace(OWN_NAME, " "));
  const out = new Set<string>();
  for (const w of words(body)) {
    // an identifier or a time quoted in passing (acct_7f3k2x, 5pm) is not what the message is about
    if (w.length < 3 || GENERIC.has(w) || COMPLAINT.has(w) || FAILURE_VOCABULARY.has(w) || PLUMBING.has(w) || MIXED.test(w)) continue;
    const s = stem(w);
    if (!COMPLAINT.has(s) && !GENERIC.has(s) && !PLUMBING.has(s)) out.add(s);
  }
  return out;
}

/** A report's queries come back with every lookup that finds them: their subjects, read once (bounded). */
const known = new Map<string, Set<string>>();
const KNOWN_MAX = 4096;

function querySubject(query: string): Set<string> {
  let s = known.get(query);
  if (!s) {
    if (known.size >= KNOWN_MAX) known.clear();
    known.set(query, (s = subjectWords(query)));
  }
  return s;
}

/** Whether `subject` shares a word with the subject of any of a report's `queries` (none to compare with: no evidence against). */
export function sharesSubject(subject: Set<string>, queries: readonly string[]): boolean {
  if (queries.length === 0) return true;
  for (const q of queries) for (const w of querySubject(q)) if (subject.has(w)) return true;
  return false;
}
