//! The index files: the manifest, the term shards and the document chunks,
//! as `search/*.js` scripts (see `docs/search-index.md`).

use super::count::themes_of;
use super::*;

#[derive(Serialize)]
pub(super) struct Manifest<'a> {
    v: u32,
    docs: usize,
    chunk: usize,
    shards: Vec<&'a str>,
    themes: Vec<(&'a str, &'a str)>,
    stop: &'a [&'a str],
    syn: Vec<Vec<String>>,
}

/// The index files of what was counted, handed to `emit` in batches.
pub(super) fn emit_files(
    kb: &KnowledgeBase,
    counted: Share,
    portable: bool,
    emit: &Emit<'_>,
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Result<(usize, Vec<Diagnostic>), Diagnostic> {
    let Share {
        docs: numbered,
        lengths,
        analyzer,
        frequencies,
        mut warnings,
        ..
    } = counted;
    crate::error::sort(&mut warnings);
    let (docs, body_len, numbers) = documents(numbered, lengths);
    let scored = scored(analyzer.stems, frequencies, &numbers, &docs, &body_len);
    if cancelled() {
        return Ok((0, Vec::new()));
    }
    let shards = shards(&scored);
    emit(vec![script("manifest", &manifest(kb, &shards, docs.len()))])?;
    let shard_files = emit_shards(&shards, emit, cancelled)?;
    let document_files = emit_documents(kb, &docs, portable, emit)?;
    Ok((1 + shard_files + document_files, warnings))
}

/// The documents in number order, numbered again from 0 without gaps
/// (sections that are no result were never kept), the body length of each,
/// and per number given while counting, the final number (`u32::MAX`: none).
fn documents(
    mut numbered: Vec<(usize, Document)>,
    lengths: Vec<(usize, usize)>,
) -> (Vec<Document>, Vec<usize>, Vec<u32>) {
    numbered.sort_unstable_by_key(|(n, _)| *n);
    let last = numbered.last().map_or(0, |(n, _)| n + 1);
    let mut numbers = vec![u32::MAX; last];
    for (new, (old, _)) in numbered.iter().enumerate() {
        numbers[*old] = new as u32;
    }
    let docs: Vec<Document> = numbered.into_iter().map(|(_, d)| d).collect();
    let mut body_len = vec![0usize; docs.len()];
    for (n, len) in lengths {
        if let Some(slot) = numbers.get(n).and_then(|&m| body_len.get_mut(m as usize)) {
            *slot = len;
        }
    }
    (docs, body_len, numbers)
}

/// Each stem found (`stems[t]` is term `t`, whose weighted frequencies are
/// `frequencies[t]`) with its postings, BM25-scored.
///
/// A document is scored as if at least half the average length: a section
/// of a few words would otherwise reach the highest score a term can get on
/// its heading alone, above sections that answer the question.
fn scored(
    stems: Vec<String>,
    frequencies: Vec<Vec<(u32, f32)>>,
    numbers: &[u32],
    docs: &[Document],
    body_len: &[usize],
) -> Vec<(String, Vec<Posting>)> {
    let n = docs.len().max(1) as f64;
    let avg_len = (body_len.iter().sum::<usize>() as f64 / n).max(1.0);
    let norms: Vec<f64> = body_len
        .iter()
        .map(|&len| length_norm(len as f64, avg_len))
        .collect();
    let mut lists: Vec<(String, Vec<(u32, f32)>)> = stems
        .into_iter()
        .zip(
            frequencies
                .into_iter()
                .chain(std::iter::repeat_with(Vec::new)),
        )
        .filter(|(_, list)| !list.is_empty())
        .collect();
    lists
        .par_drain(..)
        .map(|(stem, mut list)| {
            list.retain_mut(|(d, _)| match numbers.get(*d as usize) {
                Some(&m) if m != u32::MAX => {
                    *d = m;
                    true
                }
                _ => false,
            });
            (stem, postings(list, n, &norms, docs))
        })
        .filter(|(_, postings)| !postings.is_empty())
        .collect()
}

/// BM25's length norm of a document of `len` words, `avg_len` being the
/// average: as if at least half the average long (see [`scored`]).
fn length_norm(len: f64, avg_len: f64) -> f64 {
    K1 * (1.0 - B + B * len.max(avg_len / 2.0) / avg_len)
}

/// The best postings of one term, best first, from its weighted frequency
/// in each document (`norms` being the documents' length norms, `n` their
/// number).
fn postings(list: Vec<(u32, f32)>, n: f64, norms: &[f64], docs: &[Document]) -> Vec<Posting> {
    let df = list.len() as f64;
    let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
    let mut postings: Vec<Posting> = list
        .into_iter()
        .map(|(d, tf)| {
            let i = d as usize;
            let tf = f64::from(tf);
            let score = idf * tf * (K1 + 1.0) / (tf + norms[i]);
            let quantized = (score * 100.0).round().max(1.0) as u32;
            (d, quantized, docs[i].mask)
        })
        .collect();
    // Best first; only the best MAX_POSTINGS are kept, so only
    // they are sorted.
    let order = |a: &Posting, b: &Posting| b.1.cmp(&a.1).then(a.0.cmp(&b.0));
    if postings.len() > MAX_POSTINGS {
        postings.select_nth_unstable_by(MAX_POSTINGS, order);
        postings.truncate(MAX_POSTINGS);
        // A common word's list held every document it is in:
        // give back what the cut freed (tens of MB in all).
        postings.shrink_to_fit();
    }
    postings.sort_unstable_by(order);
    postings
}

/// The term shards: per shard key, its stems and their postings.
type Shards<'a> = BTreeMap<String, BTreeMap<&'a str, &'a [Posting]>>;

fn shards(scored: &[(String, Vec<Posting>)]) -> Shards<'_> {
    let mut shards: Shards = BTreeMap::new();
    for (stem, list) in scored {
        shards
            .entry(shard_key(stem))
            .or_default()
            .insert(stem.as_str(), list.as_slice());
    }
    shards
}

/// The manifest of an index of `docs` documents in `shards`.
fn manifest<'a>(kb: &'a KnowledgeBase, shards: &'a Shards, docs: usize) -> Manifest<'a> {
    let stemmer = Stemmer::create(Algorithm::English);
    Manifest {
        v: 2,
        docs,
        chunk: CHUNK,
        shards: shards.keys().map(String::as_str).collect(),
        themes: kb
            .site
            .themes
            .iter()
            .map(|t| (t.id.as_str(), t.title.as_str()))
            .collect(),
        stop: STOP_WORDS,
        syn: kb
            .site
            .synonyms
            .iter()
            .map(|group| {
                let mut stems: Vec<String> =
                    group.iter().flat_map(|w| terms(w, &stemmer)).collect();
                stems.dedup();
                stems
            })
            .collect(),
    }
}

/// Emit the term shards (`t/KEY`); their number.
fn emit_shards(
    shards: &Shards,
    emit: &Emit<'_>,
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Result<usize, Diagnostic> {
    let shard_list: Vec<(&String, &BTreeMap<&str, &[Posting]>)> = shards.iter().collect();
    shard_list.par_chunks(EMIT_BATCH).try_for_each(|batch| {
        if cancelled() {
            return Ok(());
        }
        emit(
            batch
                .iter()
                .map(|(key, shard)| script(&format!("t/{key}"), shard))
                .collect(),
        )
    })?;
    Ok(shard_list.len())
}

/// What the browser shows of a document: URL, article title, heading,
/// themes and snippet.
type Row<'a> = (String, &'a str, &'a str, Vec<usize>, &'a str);

/// Emit the document chunks (`d/N`, [`CHUNK`] documents each); their number.
fn emit_documents(
    kb: &KnowledgeBase,
    docs: &[Document],
    portable: bool,
    emit: &Emit<'_>,
) -> Result<usize, Diagnostic> {
    // Documents link to their pages from the site root.
    let from_root = Urls::at(Page::Home, LinkStyle::portable_if(portable));
    let chunks: Vec<(usize, &[Document])> = docs.chunks(CHUNK).enumerate().collect();
    chunks.par_chunks(EMIT_BATCH).try_for_each(|batch| {
        emit(
            batch
                .iter()
                .map(|&(i, chunk)| {
                    let rows: Vec<Row> = chunk.iter().map(|d| row(kb, &from_root, d)).collect();
                    script(&format!("d/{i}"), &rows)
                })
                .collect(),
        )
    })?;
    Ok(chunks.len())
}

fn row<'k>(kb: &'k KnowledgeBase, from_root: &Urls, d: &'k Document) -> Row<'k> {
    let article = &kb.articles[d.article];
    let heading = d.heading.and_then(|h| article.headings.get(h));
    let base = from_root.to(Page::Article(&article.slug));
    let url = match heading {
        Some(h) => format!("{base}#{}", h.id),
        None => base,
    };
    (
        url,
        article.title.as_str(),
        heading.map_or("", |h| h.text.as_str()),
        themes_of(kb, heading),
        d.snippet.as_str(),
    )
}

/// Index files handed to `emit` at once.
pub(super) const EMIT_BATCH: usize = 256;

/// `search/NAME.js`: `mendSearchLoad("NAME", DATA);` with DATA as JSON that
/// cannot end a script element.
pub(super) fn script<T: Serialize>(name: &str, data: &T) -> OutputFile {
    let json = serde_json::to_string(data).unwrap_or_else(|_| "null".to_string());
    let mut out = String::with_capacity(json.len() + name.len() + 24);
    out.push_str("mendSearchLoad(\"");
    out.push_str(name);
    out.push_str("\",");
    out.push_str(&script_safe(&json));
    out.push_str(");\n");
    OutputFile {
        path: format!("search/{name}.js"),
        bytes: out.into_bytes(),
    }
}

/// Escape what could end or confuse a script: `<`, `>`, `&`, U+2028, U+2029.
/// Inside JSON these only occur in strings, where `\uXXXX` means the same.
pub(super) fn script_safe(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + json.len() / 16);
    let bytes = json.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        // All five are found by their first byte; U+2028 and U+2029 are
        // E2 80 A8 and E2 80 A9 in UTF-8, and cut at the E2 (a char boundary).
        let (with, len) = match b {
            b'<' => ("\\u003c", 1),
            b'>' => ("\\u003e", 1),
            b'&' => ("\\u0026", 1),
            0xE2 if bytes.get(i + 1) == Some(&0x80) => match bytes.get(i + 2) {
                Some(0xA8) => ("\\u2028", 3),
                Some(0xA9) => ("\\u2029", 3),
                _ => continue,
            },
            _ => continue,
        };
        out.push_str(&json[start..i]);
        out.push_str(with);
        start = i + len;
    }
    out.push_str(&json[start..]);
    out
}

#[cfg(test)]
mod tests {
    use super::length_norm;

    #[test]
    fn a_tiny_document_is_scored_as_if_half_the_average_length() {
        let avg = 120.0;
        assert_eq!(length_norm(3.0, avg), length_norm(60.0, avg));
        assert_eq!(length_norm(1.0, avg), length_norm(60.0, avg));
        assert!(length_norm(60.0, avg) < length_norm(120.0, avg));
        assert!(length_norm(240.0, avg) > length_norm(120.0, avg));
    }
}
