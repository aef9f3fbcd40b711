//! Machine-read outputs: the Atom feed, the sitemap and robots.txt.
//!
//! Written directly with XML escaping rather than through templates, so no
//! theme can produce an unescaped title in them. They need absolute URLs:
//! without a `base_url` there is no feed and no sitemap, and robots.txt names
//! none. Pure.

use crate::link::KnowledgeBase;
use crate::parse::{Article, Date};
use crate::render::escape;
use crate::urls::Page;
use crate::write::OutputFile;

/// The feed's and the sitemap's files, and robots.txt.
pub(crate) fn files(kb: &KnowledgeBase) -> Vec<OutputFile> {
    let mut out = Vec::new();
    let mut robots = String::from("User-agent: *\nAllow: /\n");
    if let Some(base) = &kb.site.base_url {
        out.push(OutputFile {
            path: "feed.xml".into(),
            bytes: atom(kb, base).into_bytes(),
        });
        out.push(OutputFile {
            path: "sitemap.xml".into(),
            bytes: sitemap(kb, base).into_bytes(),
        });
        robots.push_str(&format!("Sitemap: {base}sitemap.xml\n"));
    }
    out.push(OutputFile {
        path: "robots.txt".into(),
        bytes: robots.into_bytes(),
    });
    out
}

/// The date an article last changed, if it says.
fn last_changed(a: &Article) -> Option<Date> {
    a.updated.or(a.date)
}

/// Atom 1.0: dated articles newest first, undated ones after in reading order.
fn atom(kb: &KnowledgeBase, base: &str) -> String {
    let latest = kb
        .articles
        .iter()
        .filter_map(|a| last_changed(a))
        .max()
        .map_or_else(|| "1970-01-01T00:00:00Z".to_string(), |d| d.timestamp());
    let site = &kb.site;
    let mut xml = String::new();
    xml.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    xml.push_str(&format!(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n",
        escape(&site.language)
    ));
    xml.push_str(&format!("  <title>{}</title>\n", escape(&site.title)));
    if !site.description.is_empty() {
        xml.push_str(&format!(
            "  <subtitle>{}</subtitle>\n",
            escape(&site.description)
        ));
    }
    xml.push_str(&format!(
        "  <link href=\"{}\" rel=\"alternate\" type=\"text/html\"/>\n",
        escape(base)
    ));
    xml.push_str(&format!(
        "  <link href=\"{}feed.xml\" rel=\"self\" type=\"application/atom+xml\"/>\n",
        escape(base)
    ));
    xml.push_str(&format!("  <id>{}</id>\n", escape(base)));
    xml.push_str(&format!("  <updated>{}</updated>\n", latest));
    xml.push_str(&format!(
        "  <author><name>{}</name></author>\n",
        escape(&site.title)
    ));
    for (_, a) in feed_order(kb) {
        push_entry(&mut xml, a, base, &latest);
    }
    xml.push_str("</feed>\n");
    xml
}

/// The feed's articles: dated ones newest first, then undated ones in
/// reading order; each with its place in reading order.
fn feed_order(kb: &KnowledgeBase) -> Vec<(usize, &Article)> {
    let mut entries: Vec<(usize, &Article)> =
        kb.articles.iter().map(|a| &**a).enumerate().collect();
    // Stable: undated keep reading order after all dated ones.
    entries.sort_by(|(ia, a), (ib, b)| match (a.date, b.date) {
        (Some(x), Some(y)) => y.cmp(&x).then(ia.cmp(ib)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => ia.cmp(ib),
    });
    entries
}

/// Push article `a`'s `<entry>` to `xml`: its page at `base`, `latest` as
/// its date if it has none.
fn push_entry(xml: &mut String, a: &Article, base: &str, latest: &str) {
    let url = format!("{base}{}", Page::Article(&a.slug).path());
    xml.push_str("  <entry>\n");
    xml.push_str(&format!("    <title>{}</title>\n", escape(&a.title)));
    xml.push_str(&format!(
        "    <link href=\"{}\" rel=\"alternate\" type=\"text/html\"/>\n",
        escape(&url)
    ));
    xml.push_str(&format!("    <id>{}</id>\n", escape(&url)));
    if let Some(date) = &a.date {
        xml.push_str(&format!(
            "    <published>{}</published>\n",
            date.timestamp()
        ));
    }
    xml.push_str(&format!(
        "    <updated>{}</updated>\n",
        last_changed(a).map_or_else(|| latest.to_string(), |d| d.timestamp())
    ));
    xml.push_str(&format!("    <summary>{}</summary>\n", escape(&a.summary)));
    for theme in &a.themes {
        xml.push_str(&format!("    <category term=\"{}\"/>\n", escape(theme)));
    }
    xml.push_str("  </entry>\n");
}

/// Every page a search engine should know, with last-modified dates where known.
fn sitemap(kb: &KnowledgeBase, base: &str) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut url = |path: &str, lastmod: Option<Date>| {
        xml.push_str(&format!(
            "  <url><loc>{}</loc>",
            escape(&format!("{base}{path}"))
        ));
        if let Some(date) = lastmod {
            xml.push_str(&format!("<lastmod>{date}</lastmod>"));
        }
        xml.push_str("</url>\n");
    };
    url(&Page::Home.path(), None);
    url(&Page::Articles.path(), None);
    for a in &kb.articles {
        url(&Page::Article(&a.slug).path(), last_changed(a));
    }
    url(&Page::Themes.path(), None);
    for t in &kb.site.themes {
        url(&Page::Theme(&t.id).path(), None);
    }
    if kb.site.safety.is_some() {
        url(&Page::Safety.path(), None);
    }
    xml.push_str("</urlset>\n");
    xml
}
