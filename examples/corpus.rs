//! Generate a large, deterministic mend project for benchmarks.
//!
//! Writes `DIR/mend.yaml` (8 to 12 themes) and `DIR/articles/<slug>.md`: one
//! article each, 900 to 1,600 words of varied English built from a relationship
//! vocabulary, 4 to 8 `##` sections and some `###` ones tagged with theme
//! classes, lists, block quotes, emphasis, now and then a fenced code block, and
//! 2 to 5 links to other articles (`[t](slug.md)`, `[t](slug.md#section)`,
//! `[[slug]]`, `[[slug|t]]`) that all resolve, sections included. No drafts.
//! The same seed and arguments always give byte-identical output.
//!
//! ```text
//! cargo run --release --example corpus -- --articles 10000 --out DIR [--seed 42] [--themes 10]
//! ```
//!
//! `--themes N` is clamped to 8..=12. An existing, non-empty `DIR` is refused
//! unless `--force` is given, which replaces `DIR/mend.yaml` and `DIR/articles/`.
//! `--stats` also prints the words-per-article distribution.

use std::error::Error;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The id mend gives a heading, so links with `#id` point at real sections.
use mend::parse::heading_id;
use std::time::Instant;

use rayon::prelude::*;

type BoxError = Box<dyn Error + Send + Sync>;

const USAGE: &str =
    "usage: corpus --articles N --out DIR [--seed S] [--themes 8..12] [--force] [--stats]";

/// Soft line width of paragraphs, list items and block quotes.
const WIDTH: usize = 78;

/// Word-count range each article's target is drawn from (inside 900..=1600).
const TARGET_WORDS: (usize, usize) = (960, 1480);

// ---------------------------------------------------------------------------
// Arguments

pub(crate) struct Args {
    articles: usize,
    out: PathBuf,
    seed: u64,
    themes: usize,
    force: bool,
    stats: bool,
}

pub(crate) fn parse_args(mut it: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut articles = None;
    let mut out = None;
    let mut seed = 42;
    let mut themes = 10;
    let mut force = false;
    let mut stats = false;
    while let Some(arg) = it.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| it.next())
                .ok_or_else(|| format!("`{name}` needs a value"))
        };
        match name.as_str() {
            "--articles" => articles = Some(number(&value()?, &name)?),
            "--out" => out = Some(PathBuf::from(value()?)),
            "--seed" => seed = number(&value()?, &name)?,
            "--themes" => themes = number::<usize>(&value()?, &name)?.clamp(8, THEMES.len()),
            "--force" | "--stats" if inline.is_some() => {
                return Err(format!("`{name}` takes no value"));
            }
            "--force" => force = true,
            "--stats" => stats = true,
            "-h" | "--help" => return Ok(None),
            _ => return Err(format!("unknown argument `{arg}`")),
        }
    }
    let articles = articles.ok_or("`--articles N` is required")?;
    if articles < 2 {
        return Err("`--articles` must be at least 2 (articles link to each other)".into());
    }
    let out = out.ok_or("`--out DIR` is required")?;
    Ok(Some(Args {
        articles,
        out,
        seed,
        themes,
        force,
        stats,
    }))
}

fn number<T: std::str::FromStr>(s: &str, name: &str) -> Result<T, String> {
    s.parse()
        .map_err(|_| format!("`{name}` needs a whole number, not `{s}`"))
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("corpus: error: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("corpus: error: {e}");
            ExitCode::FAILURE
        }
    }
}

pub(crate) fn run(args: &Args) -> Result<(), BoxError> {
    let start = Instant::now();
    prepare_dir(&args.out, args.force)?;
    let themes = &THEMES[..args.themes];
    let config = args.out.join("mend.yaml");
    fs::write(&config, config_yaml(themes)).map_err(|e| io_error(&config, e))?;

    let plans: Vec<Plan> = (0..args.articles)
        .into_par_iter()
        .map(|i| Plan::new(args.seed, i, themes.len()))
        .collect();
    let dir = args.out.join("articles");
    let words: Vec<usize> = (0..plans.len())
        .into_par_iter()
        .map(|i| {
            let (text, words) = article(&plans, i, args.seed, themes);
            let path = dir.join(format!("{}.md", plans[i].slug));
            fs::write(&path, text).map_err(|e| io_error(&path, e))?;
            Ok(words)
        })
        .collect::<Result<_, BoxError>>()?;

    let total: usize = words.iter().sum();
    eprintln!(
        "wrote {} articles ({total} words) to {} in {} ms",
        plans.len(),
        args.out.display(),
        start.elapsed().as_millis()
    );
    if args.stats {
        let mut sorted = words;
        sorted.sort_unstable();
        let at = |q: usize| sorted[(sorted.len() - 1) * q / 100];
        eprintln!(
            "words per article: min {}, p10 {}, median {}, p90 {}, max {}, mean {}",
            at(0),
            at(10),
            at(50),
            at(90),
            at(100),
            total / sorted.len()
        );
    }
    Ok(())
}

fn io_error(path: &Path, e: io::Error) -> BoxError {
    format!("{}: {e}", path.display()).into()
}

/// Create `out/articles`; refuse a non-empty `out` unless `force`, which
/// removes the old `out/articles` so no stale article survives.
fn prepare_dir(out: &Path, force: bool) -> Result<(), BoxError> {
    match fs::read_dir(out) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                if !force {
                    return Err(format!(
                        "{} exists and is not empty (pass --force to replace its mend.yaml and articles/)",
                        out.display()
                    )
                    .into());
                }
                let articles = out.join("articles");
                match fs::symlink_metadata(&articles) {
                    Ok(meta) if meta.is_dir() => {
                        fs::remove_dir_all(&articles).map_err(|e| io_error(&articles, e))?
                    }
                    Ok(_) => fs::remove_file(&articles).map_err(|e| io_error(&articles, e))?,
                    Err(_) => {}
                }
            }
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_error(out, e)),
    }
    let articles = out.join("articles");
    fs::create_dir_all(&articles).map_err(|e| io_error(&articles, e))
}

// ---------------------------------------------------------------------------
// Random numbers: splitmix64, one independent stream per article and stage.

struct Rng(u64);

impl Rng {
    fn new(seed: u64, index: u64, stream: u64) -> Rng {
        let mixed = mix(seed ^ mix(index.wrapping_add(mix(stream.wrapping_add(0x5eed)))));
        Rng(mixed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next()) * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `percent`/100.
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    /// An index drawn with the given weights.
    fn weighted(&mut self, weights: &[usize]) -> usize {
        let mut r = self.below(weights.iter().sum());
        for (i, &w) in weights.iter().enumerate() {
            if r < w {
                return i;
            }
            r -= w;
        }
        weights.len() - 1
    }
}

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

// ---------------------------------------------------------------------------
// Vocabulary. Every word is lowercase ASCII letters, so titles and summaries
// need no YAML escaping.

/// Countable nouns: singular and plural.
const NOUNS: &[(&str, &str)] = &[
    ("partner", "partners"),
    ("apology", "apologies"),
    ("promise", "promises"),
    ("boundary", "boundaries"),
    ("habit", "habits"),
    ("conversation", "conversations"),
    ("question", "questions"),
    ("answer", "answers"),
    ("feeling", "feelings"),
    ("memory", "memories"),
    ("wound", "wounds"),
    ("routine", "routines"),
    ("agreement", "agreements"),
    ("commitment", "commitments"),
    ("decision", "decisions"),
    ("mistake", "mistakes"),
    ("pattern", "patterns"),
    ("moment", "moments"),
    ("evening", "evenings"),
    ("step", "steps"),
    ("sign", "signs"),
    ("signal", "signals"),
    ("story", "stories"),
    ("detail", "details"),
    ("explanation", "explanations"),
    ("excuse", "excuses"),
    ("choice", "choices"),
    ("need", "needs"),
    ("request", "requests"),
    ("limit", "limits"),
    ("expectation", "expectations"),
    ("journal", "journals"),
    ("letter", "letters"),
    ("message", "messages"),
    ("walk", "walks"),
    ("argument", "arguments"),
    ("pause", "pauses"),
    ("reminder", "reminders"),
    ("milestone", "milestones"),
    ("setback", "setbacks"),
    ("trigger", "triggers"),
    ("friend", "friends"),
    ("counselor", "counselors"),
    ("plan", "plans"),
    ("ritual", "rituals"),
    ("goal", "goals"),
    ("worry", "worries"),
    ("wish", "wishes"),
    ("value", "values"),
    ("secret", "secrets"),
    ("gesture", "gestures"),
    ("word", "words"),
    ("response", "responses"),
    ("reaction", "reactions"),
    ("session", "sessions"),
    ("calendar", "calendars"),
    ("touch", "touches"),
    ("rule", "rules"),
    ("day", "days"),
    ("week", "weeks"),
    ("month", "months"),
    ("season", "seasons"),
    ("lapse", "lapses"),
    ("confession", "confessions"),
    ("admission", "admissions"),
    ("insight", "insights"),
    ("lesson", "lessons"),
    ("practice", "practices"),
    ("silence", "silences"),
    ("check", "checks"),
];

/// Uncountable, abstract nouns.
const ABSTRACT: &[&str] = &[
    "trust",
    "honesty",
    "patience",
    "kindness",
    "curiosity",
    "anger",
    "grief",
    "shame",
    "guilt",
    "resentment",
    "forgiveness",
    "accountability",
    "transparency",
    "vulnerability",
    "consistency",
    "closeness",
    "distance",
    "reassurance",
    "empathy",
    "attention",
    "presence",
    "respect",
    "safety",
    "comfort",
    "warmth",
    "space",
    "time",
    "progress",
    "healing",
    "repair",
    "remorse",
    "regret",
    "silence",
    "openness",
    "tenderness",
    "courage",
    "humility",
    "clarity",
    "calm",
    "connection",
    "intimacy",
    "security",
    "stability",
    "understanding",
    "compassion",
    "hurt",
    "pain",
    "betrayal",
    "recovery",
    "growth",
    "change",
    "hope",
    "doubt",
    "listening",
    "reliability",
    "gratitude",
    "integrity",
    "goodwill",
    "belonging",
    "acceptance",
    "responsibility",
    "loyalty",
    "faith",
    "confidence",
    "friendship",
    "affection",
];

const ADJECTIVES: &[&str] = &[
    "honest",
    "patient",
    "gentle",
    "steady",
    "quiet",
    "careful",
    "small",
    "slow",
    "clear",
    "calm",
    "painful",
    "difficult",
    "hard",
    "real",
    "sincere",
    "open",
    "hidden",
    "daily",
    "weekly",
    "simple",
    "shared",
    "private",
    "fragile",
    "tender",
    "awkward",
    "uncomfortable",
    "hopeful",
    "anxious",
    "defensive",
    "curious",
    "kind",
    "firm",
    "warm",
    "brief",
    "long",
    "specific",
    "vague",
    "concrete",
    "practical",
    "realistic",
    "consistent",
    "predictable",
    "reliable",
    "generous",
    "humble",
    "raw",
    "heavy",
    "familiar",
    "new",
    "early",
    "ordinary",
    "sudden",
    "gradual",
    "lasting",
    "genuine",
    "respectful",
    "safe",
    "guarded",
    "willing",
    "grateful",
    "spoken",
    "unspoken",
    "modest",
    "thoughtful",
    "deliberate",
    "mutual",
];

/// Adjectives that follow "feels".
const FEELINGS: &[&str] = &[
    "fragile",
    "awkward",
    "uncomfortable",
    "heavy",
    "raw",
    "distant",
    "hopeful",
    "safe",
    "unsafe",
    "steady",
    "uncertain",
    "tense",
    "new",
    "strange",
    "slow",
    "impossible",
    "close",
    "real",
    "hard",
    "lighter",
    "tender",
    "quiet",
    "confusing",
    "familiar",
];

/// Transitive verbs: base, third person, gerund, past.
const VERBS: &[(&str, &str, &str, &str)] = &[
    ("rebuild", "rebuilds", "rebuilding", "rebuilt"),
    ("repair", "repairs", "repairing", "repaired"),
    ("notice", "notices", "noticing", "noticed"),
    ("name", "names", "naming", "named"),
    ("share", "shares", "sharing", "shared"),
    ("offer", "offers", "offering", "offered"),
    ("explain", "explains", "explaining", "explained"),
    ("admit", "admits", "admitting", "admitted"),
    ("honor", "honors", "honoring", "honored"),
    ("protect", "protects", "protecting", "protected"),
    ("accept", "accepts", "accepting", "accepted"),
    (
        "acknowledge",
        "acknowledges",
        "acknowledging",
        "acknowledged",
    ),
    ("practice", "practices", "practicing", "practiced"),
    ("keep", "keeps", "keeping", "kept"),
    ("restore", "restores", "restoring", "restored"),
    ("earn", "earns", "earning", "earned"),
    ("carry", "carries", "carrying", "carried"),
    ("hold", "holds", "holding", "held"),
    ("express", "expresses", "expressing", "expressed"),
    ("invite", "invites", "inviting", "invited"),
    ("choose", "chooses", "choosing", "chose"),
    ("respect", "respects", "respecting", "respected"),
    ("welcome", "welcomes", "welcoming", "welcomed"),
    ("soften", "softens", "softening", "softened"),
    ("follow", "follows", "following", "followed"),
    ("build", "builds", "building", "built"),
    ("test", "tests", "testing", "tested"),
    ("question", "questions", "questioning", "questioned"),
    ("review", "reviews", "reviewing", "reviewed"),
    ("revisit", "revisits", "revisiting", "revisited"),
    ("discuss", "discusses", "discussing", "discussed"),
    ("describe", "describes", "describing", "described"),
    ("support", "supports", "supporting", "supported"),
    ("repeat", "repeats", "repeating", "repeated"),
    ("remember", "remembers", "remembering", "remembered"),
    ("forgive", "forgives", "forgiving", "forgave"),
    ("show", "shows", "showing", "showed"),
    ("hide", "hides", "hiding", "hid"),
    ("plan", "plans", "planning", "planned"),
    ("set", "sets", "setting", "set"),
    ("break", "breaks", "breaking", "broke"),
    ("mend", "mends", "mending", "mended"),
    ("nurture", "nurtures", "nurturing", "nurtured"),
    ("strengthen", "strengthens", "strengthening", "strengthened"),
    ("ease", "eases", "easing", "eased"),
    ("clarify", "clarifies", "clarifying", "clarified"),
    ("confirm", "confirms", "confirming", "confirmed"),
    ("track", "tracks", "tracking", "tracked"),
    ("value", "values", "valuing", "valued"),
    ("seek", "seeks", "seeking", "sought"),
    ("face", "faces", "facing", "faced"),
    ("avoid", "avoids", "avoiding", "avoided"),
    ("own", "owns", "owning", "owned"),
    ("prepare", "prepares", "preparing", "prepared"),
    ("schedule", "schedules", "scheduling", "scheduled"),
    ("receive", "receives", "receiving", "received"),
    ("validate", "validates", "validating", "validated"),
];

/// Intransitive verbs: base, third person, gerund.
const INTRANSITIVE: &[(&str, &str, &str)] = &[
    ("listen", "listens", "listening"),
    ("wait", "waits", "waiting"),
    ("heal", "heals", "healing"),
    ("pause", "pauses", "pausing"),
    ("return", "returns", "returning"),
    ("grow", "grows", "growing"),
    ("settle", "settles", "settling"),
    ("soften", "softens", "softening"),
    ("change", "changes", "changing"),
    ("breathe", "breathes", "breathing"),
    ("rest", "rests", "resting"),
    ("struggle", "struggles", "struggling"),
    ("try", "tries", "trying"),
    ("speak", "speaks", "speaking"),
    ("stay", "stays", "staying"),
    ("agree", "agrees", "agreeing"),
    ("hesitate", "hesitates", "hesitating"),
    ("withdraw", "withdraws", "withdrawing"),
    ("recover", "recovers", "recovering"),
    ("improve", "improves", "improving"),
    ("slip", "slips", "slipping"),
    ("reflect", "reflects", "reflecting"),
    ("apologize", "apologizes", "apologizing"),
];

const ADVERBS: &[&str] = &[
    "slowly",
    "gently",
    "honestly",
    "quietly",
    "patiently",
    "carefully",
    "openly",
    "clearly",
    "calmly",
    "often",
    "rarely",
    "steadily",
    "gradually",
    "deliberately",
    "consistently",
    "genuinely",
    "simply",
    "fully",
    "together",
    "again",
    "softly",
    "firmly",
    "kindly",
];

const SUBJECTS_SINGULAR: &[&str] = &[
    "your partner",
    "the hurt partner",
    "the partner who broke the trust",
    "a good counselor",
    "a therapist",
    "each partner",
    "one partner",
    "the relationship",
    "every apology",
    "a steady routine",
    "the person who was hurt",
    "a trusted friend",
    "the other person",
    "everyone",
];

const SUBJECTS_PLURAL: &[&str] = &[
    "you",
    "we",
    "many couples",
    "both partners",
    "some people",
    "most couples",
    "the two of you",
    "partners",
    "they",
    "small gestures",
    "honest answers",
    "counselors",
];

const PREPOSITIONS: &[&str] = &[
    "with", "after", "before", "around", "about", "through", "during", "without", "beyond",
    "within", "between", "toward", "across",
];

const TIMES: &[&str] = &[
    "each evening",
    "every week",
    "in the first months",
    "over time",
    "after a hard day",
    "on quiet mornings",
    "once a week",
    "at the end of the day",
    "during the first year",
    "in small doses",
    "before bed",
    "on the weekend",
];

const OPENERS: &[&str] = &[
    "in practice",
    "over time",
    "at first",
    "for many couples",
    "sometimes",
    "in the early weeks",
    "more often than not",
    "even so",
    "later",
    "above all",
    "still",
    "for now",
    "in the end",
    "on hard days",
    "honestly",
    "in most cases",
    "by contrast",
    "meanwhile",
    "either way",
];

const SHORT: &[&str] = &[
    "that matters",
    "this takes time",
    "go slowly",
    "nothing changes overnight",
    "both things can be true",
    "small steps count",
    "keep it simple",
    "say less and mean more",
    "listen first",
    "be patient with yourself",
    "progress is rarely a straight line",
    "healing has its own pace",
    "silence is also an answer",
    "trust returns in pieces",
    "that is enough for today",
];

const NUMBERS: &[&str] = &["two", "three", "four", "five"];

/// Words that stay lowercase inside a title.
const SMALL_WORDS: &[&str] = &[
    "a", "an", "the", "and", "or", "of", "to", "for", "in", "on", "at", "by", "with", "after",
    "before", "without", "from", "into", "through", "toward",
];

/// The fixed theme list: id, title, description.
const THEMES: &[(&str, &str, &str)] = &[
    (
        "apology",
        "Apology",
        "How to say sorry so that it is heard. Sections here cover naming what happened, owning its effect without excuses, and the difference between regret and remorse.",
    ),
    (
        "accountability",
        "Accountability",
        "Owning your part without blame or minimising. These sections look at following through on promises, and at repairing the small things as well as the large ones.",
    ),
    (
        "transparency",
        "Transparency",
        "Openness that lets a hurt partner see instead of guess. Here you will find routines for sharing plans, answering questions and keeping no hidden corners.",
    ),
    (
        "forgiveness",
        "Forgiveness",
        "Letting go of resentment at your own pace. Forgiveness is not forgetting, and these sections treat it as a choice that can be made slowly, or not at all.",
    ),
    (
        "therapy",
        "Therapy",
        "When and how to bring in a counselor. These sections describe what couples work looks like, how to find help, and what to expect from the first sessions.",
    ),
    (
        "communication",
        "Communication",
        "Talking and listening when feelings run high. Sections here offer ways to slow a conversation down, ask better questions and really hear the answer.",
    ),
    (
        "patience",
        "Patience",
        "Healing keeps its own calendar. These sections are about waiting without withdrawing. They measure progress in months rather than days.",
    ),
    (
        "boundaries",
        "Boundaries",
        "Clear limits that protect both partners. Here are sections on naming what you need, holding a line kindly, and revisiting agreements as trust returns.",
    ),
    (
        "reconnection",
        "Reconnection",
        "Finding closeness again after distance. These sections gather small rituals, shared time and the slow return of warmth and play.",
    ),
    (
        "vulnerability",
        "Vulnerability",
        "Letting yourself be seen, even when it feels risky. Sections here explore honest feelings and tender conversations. Both partners need courage for this.",
    ),
    (
        "consistency",
        "Consistency",
        "Trust grows from many small promises kept. These sections cover routines, reliability and what to do after a setback.",
    ),
    (
        "honesty",
        "Honesty",
        "Telling the truth, including the uncomfortable parts. Here you will find sections on full disclosure, everyday candour and answering hard questions plainly.",
    ),
];

fn config_yaml(themes: &[(&str, &str, &str)]) -> String {
    let mut s = String::from(
        "title: Generated Knowledge Base\n\
         description: A generated corpus for benchmarks.\n\
         base_url: https://example.org/\n\
         themes:\n",
    );
    for (id, title, description) in themes {
        s.push_str(&format!(
            "  {id}: {{ title: \"{title}\", description: \"{description}\" }}\n"
        ));
    }
    s
}

// ---------------------------------------------------------------------------
// Small text helpers

fn a_or_an(next: &str) -> &'static str {
    let vowel = next.starts_with(['a', 'e', 'i', 'o', 'u']) || next.starts_with("honest");
    if vowel { "an" } else { "a" }
}

fn push_capitalized(out: &mut String, word: &str) {
    let mut chars = word.chars();
    if let Some(c) = chars.next() {
        out.push(c.to_ascii_uppercase());
        out.push_str(chars.as_str());
    }
}

/// Title case: parts may hold several words; `,` and `?` attach to the word
/// before. Small words stay lowercase unless they come first or last.
fn title_case(parts: &[&str]) -> String {
    let mut s = String::new();
    let words: Vec<&str> = parts.iter().flat_map(|p| p.split(' ')).collect();
    let last = words.iter().rposition(|w| *w != "," && *w != "?");
    for (k, &word) in words.iter().enumerate() {
        if word == "," || word == "?" {
            s.push_str(word);
            continue;
        }
        if s.is_empty() {
            push_capitalized(&mut s, word);
        } else {
            s.push(' ');
            if SMALL_WORDS.contains(&word) && Some(k) != last {
                s.push_str(word);
            } else {
                push_capitalized(&mut s, word);
            }
        }
    }
    s
}

fn word_count(s: &str) -> usize {
    s.split_whitespace().count()
}

// ---------------------------------------------------------------------------
// Plan: everything other articles need to know (slug, title, headings), made
// before any body so links can point at sections that really exist.

struct Heading {
    level: u8,
    text: String,
    id: String,
    classes: Vec<usize>,
}

struct Plan {
    slug: String,
    title: String,
    summary: String,
    themes: Vec<usize>,
    date: String,
    headings: Vec<Heading>,
    code: bool,
}

impl Plan {
    fn new(seed: u64, index: usize, theme_count: usize) -> Plan {
        let mut rng = Rng::new(seed, index as u64, 1);
        let title = make_title(&mut rng);
        let prefix = rng.pick(&["guide", "guide", "notes", "essay", "primer"]);
        let mut slug = format!("{prefix}-{:05}", index + 1);
        let id = heading_id(&title);
        let words: Vec<&str> = id.split('-').take(5).collect();
        let keep = words
            .iter()
            .rposition(|w| !SMALL_WORDS.contains(w) && !["when", "what", "how"].contains(w))
            .map_or(words.len(), |last| last + 1);
        for word in &words[..keep] {
            slug.push('-');
            slug.push_str(word);
        }
        let summary = make_summary(&mut rng);
        let count = rng.weighted(&[20, 40, 28, 12]) + 1;
        let themes = pick_themes(&mut rng, count, theme_count, &[]);
        let year = rng.range(2019, 2025);
        let month = rng.range(1, 12);
        let leap = year % 4 == 0;
        let days = match month {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        let date = format!("{year}-{month:02}-{:02}", rng.range(1, days));
        let headings = make_headings(&mut rng, &themes, theme_count);
        let code = rng.below(15) == 0;
        Plan {
            slug,
            title,
            summary,
            themes,
            date,
            headings,
            code,
        }
    }
}

/// `count` distinct theme indices, preferring `preferred` (the article's own
/// themes) and, among all themes, the first ones, so theme sizes vary.
fn pick_themes(rng: &mut Rng, count: usize, theme_count: usize, preferred: &[usize]) -> Vec<usize> {
    let mut chosen: Vec<usize> = Vec::with_capacity(count);
    let mut tries = 0;
    while chosen.len() < count.min(theme_count) {
        tries += 1;
        let t = if !preferred.is_empty() && tries < 20 && rng.chance(85) {
            rng.pick(preferred)
        } else if rng.chance(50) {
            rng.below(theme_count)
        } else {
            rng.below(theme_count).min(rng.below(theme_count))
        };
        if !chosen.contains(&t) {
            chosen.push(t);
        }
    }
    chosen
}

fn noun(rng: &mut Rng) -> &'static str {
    rng.pick(NOUNS).0
}

fn plural(rng: &mut Rng) -> &'static str {
    rng.pick(NOUNS).1
}

fn gerund(rng: &mut Rng) -> &'static str {
    rng.pick(VERBS).2
}

fn two_abstracts(rng: &mut Rng) -> (&'static str, &'static str) {
    let a = rng.pick(ABSTRACT);
    let mut b = rng.pick(ABSTRACT);
    while b == a {
        b = rng.pick(ABSTRACT);
    }
    (a, b)
}

fn make_title(rng: &mut Rng) -> String {
    let (a, b) = two_abstracts(rng);
    let parts: Vec<&str> = match rng.below(11) {
        0 => vec![gerund(rng), a, "after", b],
        1 => vec![
            "how to",
            rng.pick(VERBS).0,
            a,
            "when",
            b,
            "feels",
            rng.pick(FEELINGS),
        ],
        2 => vec!["the", rng.pick(ADJECTIVES), "work of", gerund(rng), a],
        3 => {
            let mut c = rng.pick(ABSTRACT);
            while c == a || c == b {
                c = rng.pick(ABSTRACT);
            }
            vec![a, ",", b, "and", c]
        }
        4 => vec!["when", a, "feels", rng.pick(FEELINGS)],
        5 => vec![rng.pick(ADJECTIVES), plural(rng), "for", gerund(rng), a],
        6 => {
            let adj = rng.pick(ADJECTIVES);
            vec![a_or_an(adj), adj, "guide to", a]
        }
        7 => vec![gerund(rng), "through", a],
        8 => vec!["what", a, "asks of both partners"],
        9 => vec![rng.pick(ADJECTIVES), "steps toward", a],
        _ => vec![gerund(rng), a, "one", noun(rng), "at a time"],
    };
    title_case(&parts)
}

fn make_summary(rng: &mut Rng) -> String {
    let (a, b) = two_abstracts(rng);
    let adj = rng.pick(ADJECTIVES);
    let text = match rng.below(6) {
        0 => format!(
            "{} {adj} look at {} {a} after {b}, with {} {} for both partners.",
            a_or_an(adj),
            gerund(rng),
            rng.pick(ADJECTIVES),
            plural(rng)
        ),
        1 => format!(
            "how {a} returns through {adj} {} and {} {b}.",
            plural(rng),
            rng.pick(ADJECTIVES)
        ),
        2 => format!(
            "what to do when {a} feels {}, and how {b} can help.",
            rng.pick(FEELINGS)
        ),
        3 => format!("{adj} {} for {} {a} and {b}.", plural(rng), gerund(rng)),
        4 => format!("why {a} takes time, and what {adj} {b} looks like in practice."),
        _ => format!(
            "{} {adj} {}, and what they teach about {a}.",
            rng.pick(NUMBERS),
            plural(rng)
        ),
    };
    let mut s = String::with_capacity(text.len());
    push_capitalized(&mut s, &text);
    s
}

fn make_headings(rng: &mut Rng, themes: &[usize], theme_count: usize) -> Vec<Heading> {
    let h2 = rng.range(4, 8);
    let mut subs: Vec<usize> = (0..h2).map(|_| rng.weighted(&[50, 35, 15])).collect();
    if subs.iter().all(|&n| n == 0) {
        let at = rng.below(h2);
        subs[at] = 1;
    }
    let mut ids: Vec<String> = Vec::new();
    let mut headings = Vec::new();
    for &sub in &subs {
        for level in std::iter::once(2).chain(std::iter::repeat_n(3, sub)) {
            let mut text = String::new();
            let mut id = String::new();
            for _ in 0..30 {
                text = if level == 2 {
                    h2_text(rng)
                } else {
                    h3_text(rng)
                };
                id = heading_id(&text);
                if !ids.contains(&id) {
                    break;
                }
            }
            let base = text.clone();
            let mut n = 1;
            while ids.contains(&id) {
                n += 1;
                text = format!("{base}, Part {n}");
                id = heading_id(&text);
            }
            ids.push(id.clone());
            let classes = if rng.chance(85) {
                let count = rng.weighted(&[55, 35, 10]) + 1;
                pick_themes(rng, count, theme_count, themes)
            } else {
                Vec::new()
            };
            headings.push(Heading {
                level,
                text,
                id,
                classes,
            });
        }
    }
    headings
}

fn h2_text(rng: &mut Rng) -> String {
    let (a, b) = two_abstracts(rng);
    let parts: Vec<&str> = match rng.below(15) {
        0 => vec![gerund(rng), rng.pick(&["the", "your", "shared"]), a],
        1 => vec!["why", a, "takes", b],
        2 => vec!["when", a, "feels", rng.pick(FEELINGS)],
        3 => vec![rng.pick(ADJECTIVES), plural(rng), "that help"],
        4 => vec!["it's okay to", rng.pick(VERBS).0, "the", noun(rng)],
        5 => vec!["your partner's", a],
        6 => vec!["how do you", rng.pick(VERBS).0, a, "?"],
        7 => vec![a, "and", b],
        8 => vec!["a note on", rng.pick(ADJECTIVES), a],
        9 => vec!["the first", rng.pick(NUMBERS), plural(rng)],
        10 => vec!["don't", rng.pick(VERBS).0, "the", noun(rng)],
        11 => vec!["what", rng.pick(ADJECTIVES), a, "looks like"],
        12 => vec![gerund(rng), "without", a],
        13 => vec!["before you", rng.pick(VERBS).0, "the", noun(rng)],
        _ => vec!["where", a, "comes from"],
    };
    title_case(&parts)
}

fn h3_text(rng: &mut Rng) -> String {
    let (a, b) = two_abstracts(rng);
    let adj = rng.pick(ADJECTIVES);
    let parts: Vec<&str> = match rng.below(10) {
        0 => vec![adj, plural(rng)],
        1 => vec!["if", a, "returns"],
        2 => vec![rng.pick(&[
            "words to try",
            "sample words",
            "a short script",
            "one exercise",
        ])],
        3 => vec![gerund(rng), a],
        4 => vec!["for the partner who", rng.pick(VERBS).1, a],
        5 => vec![a_or_an(adj), adj, "check"],
        6 => vec![adj, a, ",", rng.pick(ADJECTIVES), b],
        7 => vec!["when your partner", rng.pick(INTRANSITIVE).1],
        8 => vec!["a", rng.pick(&["week", "month", "season", "year"]), "of", a],
        _ => vec!["signs of", a],
    };
    title_case(&parts)
}

// ---------------------------------------------------------------------------
// Output buffer with soft wrapping and a word count that matches mend's
// (words of text outside code blocks, headings included).

struct Out {
    buf: String,
    line: usize,
    fresh: bool,
    cont: &'static str,
    words: usize,
}

impl Out {
    /// Start a wrapped block: `first` before its first line, `cont` before the others.
    fn start(&mut self, first: &str, cont: &'static str) {
        self.buf.push_str(first);
        self.line = first.len();
        self.fresh = true;
        self.cont = cont;
    }

    /// One unbreakable unit of text holding `words` words.
    fn unit(&mut self, s: &str, words: usize) {
        if !self.fresh {
            if self.line + 1 + s.len() > WIDTH {
                self.buf.push('\n');
                self.buf.push_str(self.cont);
                self.line = self.cont.len();
            } else {
                self.buf.push(' ');
                self.line += 1;
            }
        }
        self.fresh = false;
        self.buf.push_str(s);
        self.line += s.len();
        self.words += words;
    }

    /// Every space-separated word of `s` as its own unit.
    fn words(&mut self, s: &str) {
        for w in s.split(' ') {
            self.unit(w, 1);
        }
    }

    fn end(&mut self) {
        self.buf.push('\n');
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Tok {
    /// One or more words.
    W(&'static str),
    /// Punctuation attached to the word before.
    P(&'static str),
}

/// A link to another article, decided before the body is written.
struct LinkRef {
    target: usize,
    form: usize,
    heading: usize,
}

struct Writer<'a> {
    rng: Rng,
    out: Out,
    toks: Vec<Tok>,
    scratch: String,
    plans: &'a [Plan],
}

/// Blocks of an article body, planned before writing so word budgets and
/// link positions can be spread over the paragraphs.
#[derive(Clone, Copy)]
enum Block {
    Para,
    Bullets,
    Steps,
    Quote,
    Code,
    Heading(usize),
}

/// Words a non-paragraph block is expected to take, for budgeting.
fn estimate(block: Block, plan: &Plan) -> usize {
    match block {
        Block::Para | Block::Code => 0,
        Block::Bullets | Block::Steps => 50,
        Block::Quote => 22,
        Block::Heading(h) => word_count(&plan.headings[h].text),
    }
}

/// The whole file of article `index` and its word count.
fn article(
    plans: &[Plan],
    index: usize,
    seed: u64,
    themes: &[(&str, &str, &str)],
) -> (String, usize) {
    let plan = &plans[index];
    let mut rng = Rng::new(seed, index as u64, 2);
    let target = rng.range(TARGET_WORDS.0, TARGET_WORDS.1);

    // Structure.
    let mut blocks = vec![Block::Para; rng.range(1, 2)];
    let h2_count = plan.headings.iter().filter(|h| h.level == 2).count();
    let code_section = plan.code.then(|| rng.below(h2_count));
    let mut h2_seen = 0;
    for (h, heading) in plan.headings.iter().enumerate() {
        blocks.push(Block::Heading(h));
        if heading.level == 2 {
            let paras = rng.range(1, 3);
            blocks.push(Block::Para);
            if code_section == Some(h2_seen) {
                blocks.push(Block::Code);
            }
            match rng.below(100) {
                0..30 => blocks.push(Block::Bullets),
                30..50 => blocks.push(Block::Steps),
                _ => {}
            }
            for _ in 1..paras {
                blocks.push(Block::Para);
            }
            if rng.chance(20) {
                blocks.push(Block::Quote);
            }
            h2_seen += 1;
        } else {
            for _ in 0..rng.range(1, 2) {
                blocks.push(Block::Para);
            }
            if rng.chance(15) {
                blocks.push(Block::Bullets);
            }
        }
    }
    let para_count = blocks.iter().filter(|b| matches!(b, Block::Para)).count();

    // Links: distinct targets, some near this article and some anywhere.
    let n = plans.len();
    let link_count = rng.range(2, 5);
    let mut targets: Vec<usize> = Vec::with_capacity(link_count);
    while targets.len() < link_count {
        let t = if rng.chance(50) {
            let d = 1 + rng.below(20.min(n - 1));
            if rng.chance(50) {
                (index + d) % n
            } else {
                (index + n - d) % n
            }
        } else {
            rng.below(n)
        };
        if t != index && (!targets.contains(&t) || targets.len() >= n - 1) {
            targets.push(t);
        }
    }
    let mut links_at: Vec<Vec<LinkRef>> = (0..para_count).map(|_| Vec::new()).collect();
    for target in targets {
        let form = rng.weighted(&[30, 30, 20, 20]);
        let heading = rng.below(plans[target].headings.len());
        links_at[rng.below(para_count)].push(LinkRef {
            target,
            form,
            heading,
        });
    }

    let mut w = Writer {
        rng,
        out: Out {
            buf: String::with_capacity(12 * 1024),
            line: 0,
            fresh: true,
            cont: "",
            words: 0,
        },
        toks: Vec::with_capacity(64),
        scratch: String::with_capacity(256),
        plans,
    };
    w.front_matter(plan, themes);

    // Body, with each paragraph's budget taken from what is left.
    let mut pending: usize = blocks.iter().map(|&b| estimate(b, plan)).sum();
    let mut paras_left = para_count;
    let mut links = links_at.into_iter();
    for &block in &blocks {
        pending -= estimate(block, plan);
        match block {
            Block::Para => {
                let avail = target.saturating_sub(w.out.words + pending);
                let budget = if paras_left == 1 {
                    avail.max(12)
                } else {
                    (avail / paras_left * w.rng.range(60, 140) / 100).max(16)
                };
                paras_left -= 1;
                let here = links.next().unwrap_or_default();
                w.paragraph(budget, &here);
            }
            Block::Bullets => w.list(false),
            Block::Steps => w.list(true),
            Block::Quote => w.quote(),
            Block::Code => w.code(),
            Block::Heading(h) => w.heading(&plan.headings[h], themes),
        }
    }
    while w.out.words < 900 {
        w.paragraph(40, &[]);
    }
    // One newline at the end of the file, not a blank line.
    while w.out.buf.ends_with("\n\n") {
        w.out.buf.pop();
    }
    (w.out.buf, w.out.words)
}

impl Writer<'_> {
    fn front_matter(&mut self, plan: &Plan, themes: &[(&str, &str, &str)]) {
        let b = &mut self.out.buf;
        b.push_str("---\ntitle: \"");
        b.push_str(&plan.title);
        b.push_str("\"\nsummary: \"");
        b.push_str(&plan.summary);
        b.push_str("\"\nthemes: [");
        for (k, &t) in plan.themes.iter().enumerate() {
            if k > 0 {
                b.push_str(", ");
            }
            b.push_str(themes[t].0);
        }
        b.push_str("]\ndate: ");
        b.push_str(&plan.date);
        b.push_str("\n---\n\n");
    }

    fn heading(&mut self, h: &Heading, themes: &[(&str, &str, &str)]) {
        let b = &mut self.out.buf;
        b.push_str(if h.level == 2 { "## " } else { "### " });
        b.push_str(&h.text);
        if !h.classes.is_empty() {
            b.push_str(" {");
            for (k, &t) in h.classes.iter().enumerate() {
                if k > 0 {
                    b.push(' ');
                }
                b.push('.');
                b.push_str(themes[t].0);
            }
            b.push('}');
        }
        b.push_str("\n\n");
        self.out.words += word_count(&h.text);
    }

    fn paragraph(&mut self, budget: usize, links: &[LinkRef]) {
        self.out.start("", "");
        let goal = self.out.words + budget;
        let mut next_link = 0;
        let mut first = true;
        loop {
            // Stop when the next sentence would overshoot more than this one falls short.
            if !first && next_link == links.len() && self.out.words + 6 >= goal {
                break;
            }
            first = false;
            let link_now =
                next_link < links.len() && (self.out.words + 10 >= goal || self.rng.chance(25));
            if link_now {
                self.link_sentence(&links[next_link]);
                next_link += 1;
            } else {
                self.sentence();
                self.emit(true);
            }
        }
        self.out.end();
        self.out.buf.push('\n');
    }

    fn link_sentence(&mut self, link: &LinkRef) {
        let (before, after) = self.rng.pick(&[
            ("For more on this, see", "."),
            ("", "covers a related side of this."),
            ("There is more in", "."),
            ("If this feels familiar,", "may help."),
            ("Compare this with", ", which takes a different angle."),
            ("See also", "."),
            ("Some readers start with", "before coming back here."),
        ]);
        // A link that starts the sentence shows the title as written.
        let lead = before.is_empty();
        let t = &self.plans[link.target];
        let s = &mut self.scratch;
        s.clear();
        let text_words = match link.form {
            0 => {
                let words = if lead || self.rng.chance(50) {
                    s.push('[');
                    s.push_str(&t.title);
                    word_count(&t.title)
                } else {
                    s.push_str("[the guide on ");
                    s.push_str(&t.title.to_lowercase());
                    word_count(&t.title) + 3
                };
                s.push_str("](");
                s.push_str(&t.slug);
                s.push_str(".md)");
                words
            }
            1 => {
                let h = &t.headings[link.heading];
                s.push('[');
                s.push_str(&h.text);
                s.push_str("](");
                s.push_str(&t.slug);
                s.push_str(".md#");
                s.push_str(&h.id);
                s.push(')');
                word_count(&h.text)
            }
            2 => {
                s.push_str("[[");
                s.push_str(&t.slug);
                s.push_str("]]");
                1
            }
            _ => {
                s.push_str("[[");
                s.push_str(&t.slug);
                s.push('|');
                if lead {
                    s.push_str(&t.title);
                } else {
                    s.push_str(&t.title.to_lowercase());
                }
                s.push_str("]]");
                word_count(&t.title)
            }
        };
        if !lead {
            self.out.words(before);
        }
        match after.as_bytes().first() {
            Some(b'.' | b',') => {
                self.scratch.push_str(&after[..1]);
                self.out.unit(&self.scratch, text_words);
                let rest = after[1..].trim_start();
                if !rest.is_empty() {
                    self.out.words(rest);
                }
            }
            _ => {
                self.out.unit(&self.scratch, text_words);
                self.out.words(after);
            }
        }
    }

    /// Write `self.toks` as wrapped units: the first word capitalized when
    /// `capital`, maybe one word emphasized.
    fn emit(&mut self, capital: bool) {
        let emphasis = if self.rng.chance(12) {
            let k = self.rng.below(self.toks.len());
            match self.toks[k] {
                Tok::W(w) if k > 0 && w.len() > 3 && !w.contains(' ') => {
                    Some((k, if self.rng.chance(35) { "**" } else { "*" }))
                }
                _ => None,
            }
        } else {
            None
        };
        let mut first = capital;
        let toks = std::mem::take(&mut self.toks);
        for (k, tok) in toks.iter().enumerate() {
            let Tok::W(w) = *tok else { continue };
            let mark = emphasis.filter(|e| e.0 == k).map(|e| e.1);
            let mut pieces = w.split(' ').peekable();
            while let Some(piece) = pieces.next() {
                let s = &mut self.scratch;
                s.clear();
                if let Some(m) = mark {
                    s.push_str(m);
                }
                if first {
                    push_capitalized(s, piece);
                    first = false;
                } else {
                    s.push_str(piece);
                }
                if let Some(m) = mark {
                    s.push_str(m);
                }
                if pieces.peek().is_none() {
                    for next in &toks[k + 1..] {
                        match next {
                            Tok::P(p) => s.push_str(p),
                            Tok::W(_) => break,
                        }
                    }
                }
                self.out.unit(&self.scratch, 1);
            }
        }
        self.toks = toks;
        self.toks.clear();
    }

    fn w(&mut self, s: &'static str) {
        self.toks.push(Tok::W(s));
    }

    /// Push one of `items`.
    fn pick(&mut self, items: &[&'static str]) {
        let word = self.rng.pick(items);
        self.toks.push(Tok::W(word));
    }

    fn p(&mut self, s: &'static str) {
        self.toks.push(Tok::P(s));
    }

    fn adj(&mut self) -> &'static str {
        self.rng.pick(ADJECTIVES)
    }

    fn singular_np(&mut self) {
        let adj = self.rng.chance(45).then(|| self.adj());
        let noun = noun(&mut self.rng);
        let next = adj.unwrap_or(noun);
        let det = match self.rng.below(8) {
            0..=2 => a_or_an(next),
            3 | 4 => "the",
            5 => "your",
            6 => "one",
            _ => self.rng.pick(&["this", "that", "each", "every"]),
        };
        self.w(det);
        if let Some(adj) = adj {
            self.w(adj);
        }
        self.w(noun);
    }

    fn plural_np(&mut self) {
        if let Some(det) = self.rng.pick(&[
            None,
            None,
            Some("the"),
            Some("some"),
            Some("these"),
            Some("your"),
            Some("many"),
            Some("a few"),
        ]) {
            self.w(det);
        }
        if self.rng.chance(45) {
            let adj = self.adj();
            self.w(adj);
        }
        let p = plural(&mut self.rng);
        self.w(p);
    }

    fn abstract_np(&mut self) {
        match self.rng.below(4) {
            0 => {
                let adj = self.adj();
                self.w(adj);
            }
            1 => self.pick(&["your", "their", "the same", "some"]),
            _ => {}
        }
        self.pick(ABSTRACT);
    }

    fn np(&mut self) {
        match self.rng.below(3) {
            0 => self.singular_np(),
            1 => self.plural_np(),
            _ => self.abstract_np(),
        }
    }

    /// A subject; returns whether it takes a plural verb.
    fn subject(&mut self) -> bool {
        match self.rng.below(10) {
            0..=3 => {
                self.pick(SUBJECTS_PLURAL);
                true
            }
            4..=7 => {
                self.pick(SUBJECTS_SINGULAR);
                false
            }
            _ => {
                if self.rng.chance(30) {
                    let adj = self.adj();
                    self.w(adj);
                }
                self.pick(ABSTRACT);
                false
            }
        }
    }

    fn verb(&mut self, plural: bool) {
        let v = self.rng.pick(VERBS);
        self.w(if plural { v.0 } else { v.1 });
    }

    fn intransitive(&mut self, plural: bool) {
        let v = self.rng.pick(INTRANSITIVE);
        self.w(if plural { v.0 } else { v.1 });
    }

    fn base_verb(&mut self) {
        let v = self.rng.pick(VERBS).0;
        self.w(v);
    }

    fn clause(&mut self) {
        let plural = self.subject();
        self.verb(plural);
        self.np();
    }

    /// An optional ending that lengthens a statement.
    fn tail(&mut self) {
        match self.rng.below(12) {
            0 => {
                self.p(",");
                self.w("even when it feels");
                self.pick(FEELINGS);
            }
            1 => self.pick(TIMES),
            2 => {
                self.p(",");
                self.w("and that is normal");
            }
            3 => self.w("without rushing the other person"),
            4 => {
                self.w("because");
                self.pick(ABSTRACT);
                self.w("grows through");
                let adj = self.adj();
                self.w(adj);
                let p = plural(&mut self.rng);
                self.w(p);
            }
            5 => {
                self.p(",");
                self.w("one");
                let adj = self.adj();
                self.w(adj);
                self.w("step at a time");
            }
            6 | 7 => {
                self.pick(PREPOSITIONS);
                self.np();
            }
            _ => {}
        }
    }

    /// One sentence into `self.toks`.
    fn sentence(&mut self) {
        let stop = match self.rng.below(22) {
            0 | 1 => {
                self.clause();
                if self.rng.chance(50) {
                    self.pick(PREPOSITIONS);
                    self.np();
                }
                self.tail();
                "."
            }
            2 | 3 => {
                self.pick(OPENERS);
                self.p(",");
                self.clause();
                self.tail();
                "."
            }
            4 => {
                self.w("when");
                self.clause();
                self.p(",");
                self.subject();
                self.pick(&["can", "might", "may want to", "will often"]);
                self.base_verb();
                self.np();
                "."
            }
            5 => {
                self.w("it helps to");
                self.base_verb();
                self.np();
                self.pick(&["before", "after", "while"]);
                self.clause();
                "."
            }
            6 => {
                self.pick(ABSTRACT);
                self.w("is not");
                self.singular_np();
                self.p(";");
                self.w("it is");
                self.singular_np();
                self.w("that");
                self.intransitive(false);
                self.pick(ADVERBS);
                "."
            }
            7 => {
                self.pick(SHORT);
                "."
            }
            8 => {
                self.w("what would it look like to");
                self.base_verb();
                self.np();
                "?"
            }
            9 => {
                self.w("try to");
                self.base_verb();
                self.np();
                self.pick(TIMES);
                self.p(",");
                self.w("even when");
                let plural = self.subject();
                self.intransitive(plural);
                "."
            }
            10 => {
                let adj = self.adj();
                self.w(a_or_an(adj));
                self.w(adj);
                let n = noun(&mut self.rng);
                self.w(n);
                self.w("can");
                self.base_verb();
                self.np();
                self.w("more than any");
                let adj = self.adj();
                self.w(adj);
                let n = noun(&mut self.rng);
                self.w(n);
                "."
            }
            11 => {
                self.subject();
                self.w("might notice that");
                self.pick(ABSTRACT);
                self.w("needs");
                let adj = self.adj();
                self.w(adj);
                let p = plural(&mut self.rng);
                self.w(p);
                self.w("and");
                let adj = self.adj();
                self.w(adj);
                self.pick(ABSTRACT);
                "."
            }
            12 => {
                self.w("the goal is not to");
                self.base_verb();
                self.np();
                self.w("but to");
                self.base_verb();
                self.np();
                "."
            }
            13 => {
                self.w("if");
                self.clause();
                self.p(",");
                self.w("say so");
                self.pick(ADVERBS);
                "."
            }
            14 => {
                self.clause();
                self.p(",");
                self.w("and");
                self.clause();
                self.p(",");
                self.w("which");
                self.verb(false);
                self.np();
                self.pick(PREPOSITIONS);
                self.np();
                "."
            }
            15 => {
                self.w("some days");
                self.subject();
                self.w("will");
                let v = self.rng.pick(INTRANSITIVE).0;
                self.w(v);
                self.pick(ADVERBS);
                self.p(";");
                self.w("other days");
                self.subject();
                self.w("will");
                let v = self.rng.pick(INTRANSITIVE).0;
                self.w(v);
                self.pick(ADVERBS);
                "."
            }
            16 => {
                let plural = self.subject();
                self.w(if plural { "tend to" } else { "tends to" });
                let v = self.rng.pick(INTRANSITIVE).0;
                self.w(v);
                self.w("when");
                self.pick(ABSTRACT);
                self.w("feels");
                self.pick(FEELINGS);
                "."
            }
            17 => {
                self.w("neither partner has to");
                self.base_verb();
                self.np();
                self.w("alone");
                "."
            }
            18 => {
                self.w("how often");
                let plural = self.rng.chance(50);
                self.w(if plural { "do" } else { "does" });
                self.pick(if plural {
                    SUBJECTS_PLURAL
                } else {
                    SUBJECTS_SINGULAR
                });
                self.base_verb();
                self.np();
                "?"
            }
            19 => {
                self.w("there is no");
                let adj = self.adj();
                self.w(adj);
                self.w("way to");
                self.base_verb();
                self.np();
                self.p(",");
                self.w("but there are");
                let adj = self.adj();
                self.w(adj);
                self.w("ways to");
                self.base_verb();
                self.np();
                self.tail();
                "."
            }
            20 => {
                self.pick(&["last spring", "once", "at one point", "earlier"]);
                self.p(",");
                self.subject();
                let v = self.rng.pick(VERBS).3;
                self.w(v);
                self.np();
                self.pick(PREPOSITIONS);
                self.np();
                "."
            }
            _ => {
                self.w("this is where");
                let (a, b) = two_abstracts(&mut self.rng);
                self.w(a);
                self.w("and");
                self.w(b);
                self.w("meet");
                "."
            }
        };
        self.p(stop);
    }

    fn list(&mut self, ordered: bool) {
        let items = self.rng.range(3, 5);
        let bold = self.rng.chance(30);
        for i in 1..=items {
            if ordered {
                let marker = format!("{i}. ");
                self.out.start(&marker, "   ");
            } else {
                self.out.start("- ", "  ");
            }
            if bold {
                let v = self.rng.pick(VERBS).0;
                let a = self.rng.pick(ABSTRACT);
                self.scratch.clear();
                self.scratch.push_str("**");
                push_capitalized(&mut self.scratch, v);
                self.scratch.push(' ');
                self.scratch.push_str(a);
                self.scratch.push_str(".**");
                self.out.unit(&self.scratch, 2);
                self.sentence();
                self.emit(true);
            } else if self.rng.chance(50) {
                self.base_verb();
                self.np();
                if self.rng.chance(40) {
                    self.pick(TIMES);
                }
                if ordered {
                    self.p(".");
                }
                self.emit(true);
            } else {
                self.sentence();
                self.emit(true);
            }
            self.out.end();
        }
        self.out.buf.push('\n');
    }

    fn quote(&mut self) {
        self.out.start("> ", "> ");
        for _ in 0..self.rng.range(1, 2) {
            self.sentence();
            self.emit(true);
        }
        self.out.end();
        self.out.buf.push('\n');
    }

    fn code(&mut self) {
        let b = &mut self.out.buf;
        match self.rng.below(3) {
            0 => {
                b.push_str("```text\ncheck-in plan\n");
                let days = [
                    "monday",
                    "tuesday",
                    "wednesday",
                    "thursday",
                    "friday",
                    "sunday",
                ];
                let topics = [
                    "what went well",
                    "one worry, one hope",
                    "review the week",
                    "plans for the weekend",
                    "open questions",
                    "a walk without phones",
                ];
                let start = self.rng.below(days.len());
                for k in 0..self.rng.range(3, 5) {
                    let minutes = 5 * self.rng.range(2, 6);
                    let line = format!(
                        "  {:<10} {minutes:>2} min  {}\n",
                        days[(start + k) % days.len()],
                        self.rng.pick(&topics)
                    );
                    b.push_str(&line);
                }
                b.push_str("```\n\n");
            }
            1 => {
                let days = self.rng.range(3, 14);
                b.push_str(&format!(
                    "```rust\n/// Days to wait before revisiting a hard topic.\n\
                     fn revisit_after(days_since: u32) -> u32 {{\n    \
                     {days}u32.saturating_sub(days_since)\n}}\n```\n\n"
                ));
            }
            _ => {
                b.push_str("```text\nWhen you said ____, I felt ____.\nWhat I need now is ____.\n");
                if self.rng.chance(50) {
                    b.push_str("What I can offer is ____.\n");
                }
                b.push_str("```\n\n");
            }
        }
    }
}
