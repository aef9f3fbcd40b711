//! The site theme's Tera templates, compiled once per build, with errors
//! that name the template file, line and column.

use std::collections::HashMap;

use tera::Tera;

use crate::error::{Diagnostic, Kind, did_you_mean};
use crate::load::SiteTheme;

use super::{REQUIRED_TEMPLATES, cap, escape};

/// Compiled templates and where each came from.
pub struct Templates {
    pub(super) tera: Tera,
    pub(super) paths: HashMap<String, String>,
    pub(super) theme: String,
}

impl Templates {
    /// Parse every template of the theme; syntax errors name file, line and column.
    pub fn compile(theme: &SiteTheme) -> Result<Templates, Vec<Diagnostic>> {
        let mut tera = tera_with_mend_settings();
        let paths: HashMap<String, String> = theme
            .templates
            .iter()
            .map(|(name, f)| (name.clone(), f.path.to_string_lossy().replace('\\', "/")))
            .collect();
        let mut errors = Vec::new();
        for (name, file) in &theme.templates {
            // Parse each alone first, so a syntax error names its own file and line.
            if let Err(e) = tera::Template::new(name, None, &file.text) {
                errors.push(template_error(&paths, name, &e, &file.text));
            }
        }
        if errors.is_empty()
            && let Err(e) =
                tera.add_raw_templates(theme.templates.iter().map(|(n, f)| (n.as_str(), &*f.text)))
        {
            errors.push(
                Diagnostic::error(format!("in theme `{}`: {}", theme.name, chain(&e)))
                    .in_file(format!("themes/{}/templates", theme.name)),
            );
        }
        if errors.is_empty()
            && let Some(cycle) = reference_cycle(theme)
        {
            errors.push(
                Diagnostic::usage(format!(
                    "templates include or extend each other in a cycle: {}",
                    cycle.join(" -> ")
                ))
                .in_file(format!("themes/{}/templates/{}", theme.name, cycle[0])),
            );
        }
        missing_required(theme, &paths, &mut errors);
        if errors.is_empty() {
            Ok(Templates {
                tera,
                paths,
                theme: theme.name.clone(),
            })
        } else {
            Err(errors)
        }
    }
}

/// A Tera that escapes with [`escape`], has mend's `range` and no `get_env`.
fn tera_with_mend_settings() -> Tera {
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html", ".htm", ".xml"]);
    // Same safety as tera's default, without turning every `/` in a URL into `&#x2F;`.
    tera.set_escape_fn(escape);
    tera.register_function("range", cap::range);
    tera.register_function(
        "get_env",
        |_: &HashMap<String, tera::Value>| -> tera::Result<tera::Value> {
            Err(tera::Error::msg(
                "function get_env is disabled: templates cannot read the environment",
            ))
        },
    );
    tera
}

/// An error for each template the site needs that `theme` lacks (its
/// templates being `paths`), with a did-you-mean.
fn missing_required(
    theme: &SiteTheme,
    paths: &HashMap<String, String>,
    errors: &mut Vec<Diagnostic>,
) {
    for required in REQUIRED_TEMPLATES {
        if !paths.contains_key(required) {
            let available: Vec<&str> = paths.keys().map(String::as_str).collect();
            let mut d = Diagnostic::error(format!(
                "template `{required}` not found in theme `{}`",
                theme.name
            ))
            .in_file(format!("themes/{}/templates", theme.name));
            if let Some(near) = did_you_mean(required, available.iter().copied()) {
                d = d.with_hint(format!("did you mean `{near}`?"));
            }
            errors.push(d);
        }
    }
}

/// The templates a template pulls in with `include`, `extends` or `import`.
fn template_refs(text: &str) -> Vec<&str> {
    let mut refs = Vec::new();
    for (at, _) in text.match_indices("{%") {
        let tag = text[at + 2..].trim_start_matches('-').trim_start();
        let Some(rest) = ["include", "extends", "import"]
            .iter()
            .find_map(|k| tag.strip_prefix(k))
        else {
            continue;
        };
        let rest = rest.trim_start();
        let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            continue;
        };
        if let Some(end) = rest[1..].find(quote) {
            refs.push(&rest[1..1 + end]);
        }
    }
    refs
}

/// A cycle of includes or extends (which would recurse without end when
/// rendered), as the chain of template names.
fn reference_cycle(theme: &SiteTheme) -> Option<Vec<String>> {
    let graph: HashMap<&str, Vec<&str>> = theme
        .templates
        .iter()
        .map(|(name, f)| (name.as_str(), template_refs(&f.text)))
        .collect();
    fn visit<'a>(
        node: &'a str,
        graph: &HashMap<&'a str, Vec<&'a str>>,
        path: &mut Vec<&'a str>,
        done: &mut Vec<&'a str>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|n| *n == node) {
            let mut cycle: Vec<String> = path[start..].iter().map(|s| s.to_string()).collect();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(&node) {
            return None;
        }
        path.push(node);
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.push(node);
        None
    }
    let mut names: Vec<&str> = graph.keys().copied().collect();
    names.sort_unstable();
    let mut done = Vec::new();
    names
        .into_iter()
        .find_map(|n| visit(n, &graph, &mut Vec::new(), &mut done))
}

/// A template syntax error at `path:line:col` when tera gives a position.
fn template_error(
    paths: &HashMap<String, String>,
    name: &str,
    e: &tera::Error,
    text: &str,
) -> Diagnostic {
    let message = chain(e);
    let d = Diagnostic {
        kind: Kind::Usage,
        ..Diagnostic::error(format!("template syntax error: {}", first_line(&message)))
    }
    .in_file(paths.get(name).cloned().unwrap_or_else(|| name.to_string()));
    match position_in(&message) {
        Some((line, col)) => {
            let line_text = text.lines().nth(line.saturating_sub(1)).unwrap_or("");
            d.at(line, col, line_text, 1)
        }
        None => d,
    }
}

/// What a Tera parse error says, without its snippet (the diagnostic shows
/// its own): the `= expected ...` line, or the message's other lines.
fn first_line(message: &str) -> String {
    let lines: Vec<&str> = message
        .lines()
        .map(str::trim)
        .filter(|l| {
            let snippet = l.starts_with("-->")
                || l.starts_with('|')
                || l.split_once(" |")
                    .is_some_and(|(n, _)| n.parse::<usize>().is_ok());
            !l.is_empty() && !snippet
        })
        .collect();
    let text = match lines.iter().find_map(|l| l.strip_prefix("= ")) {
        Some(reason) => reason.to_string(),
        None => lines.join(" "),
    };
    text.chars().take(300).collect()
}

/// Tera's pest errors read `--> 12:7`.
pub(super) fn position_in(message: &str) -> Option<(usize, usize)> {
    let at = message.find("--> ")?;
    let rest = &message[at + 4..];
    let end = rest
        .find(|c: char| !c.is_ascii_digit() && c != ':')
        .unwrap_or(rest.len());
    let (line, col) = rest[..end].split_once(':')?;
    Some((line.parse().ok()?, col.parse().ok()?))
}

/// An error and all its sources, one sentence each.
pub(super) fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}
