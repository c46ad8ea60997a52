//! The catalogue's own checks: both languages everywhere, the same placeholders, Chinese in
//! Chinese, unique keys; and no choosing by language outside the catalogue.

use super::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// One row per key of every area: (area, key, zh, en).
fn entries() -> Vec<(&'static str, &'static str, &'static str, &'static str)> {
    fn area<W: Word>(name: &'static str, rows: &mut Vec<(&'static str, &'static str, &'static str, &'static str)>) {
        for &w in W::ALL {
            let (zh, en) = w.texts();
            rows.push((name, w.key(), zh, en));
        }
    }
    let mut rows = Vec::new();
    area::<S>("ui", &mut rows);
    area::<C>("cli", &mut rows);
    area::<J>("journal", &mut rows);
    area::<F>("files", &mut rows);
    area::<P>("problems", &mut rows);
    area::<R>("report", &mut rows);
    area::<D>("store", &mut rows);
    area::<N>("server", &mut rows);
    area::<K>("schemes", &mut rows);
    rows
}

/// Chinese characters, or Chinese punctuation (a separator such as `，` is Chinese too).
fn has_cjk(text: &str) -> bool {
    text.chars().any(|c| {
        ('\u{4e00}'..='\u{9fff}').contains(&c)
            || ('\u{3000}'..='\u{303f}').contains(&c)
            || ('\u{ff00}'..='\u{ffef}').contains(&c)
    })
}

#[test]
fn every_key_has_both_languages() {
    for (area, key, zh, en) in entries() {
        assert!(!zh.trim().is_empty(), "{area}::{key} has no Chinese");
        assert!(!en.trim().is_empty(), "{area}::{key} has no English");
    }
}

#[test]
fn both_languages_take_the_same_arguments() {
    for (area, key, zh, en) in entries() {
        assert_eq!(
            placeholders(zh),
            placeholders(en),
            "{area}::{key}: the Chinese and the English take different numbers of arguments"
        );
    }
}

/// A Chinese text with Latin letters but no Chinese is a slip (English pasted twice), unless it
/// is written the same in both languages on purpose. A text of signs only (`{}{}`) is a form.
#[test]
fn chinese_texts_are_chinese() {
    for (area, key, zh, en) in entries() {
        assert!(
            has_cjk(zh) || zh == en || !zh.chars().any(|c| c.is_ascii_alphabetic()),
            "{area}::{key}: the Chinese text {zh:?} holds no Chinese and differs from the English"
        );
    }
}

#[test]
fn keys_are_unique_across_areas() {
    let mut seen = BTreeSet::new();
    for (area, key, _, _) in entries() {
        assert!(seen.insert(key), "{area}::{key} is a key of two areas");
    }
}

#[test]
fn fills_in_order() {
    assert_eq!(fill("截至 {}：{} 条", &["2021-11-09", "15"]), "截至 2021-11-09：15 条");
    assert_eq!(fill("{} and {}", &["a"]), "a and ");
    assert_eq!(fill("{ } year", &["a"]), "{ } year");
    assert_eq!(say(Lang::En, S::RowOf, &[&3, &10]), "row 3/10");
    assert_eq!(say(Lang::Zh, S::RowOf, &[&3, &10]), "第 3/10 行");
    assert_eq!(put("{1} of {0}", &[&"a", &"b"]), "b of a");
    assert_eq!(placeholders("{1}，{} 与 {0}{ }"), (1, vec![0, 1]));
}

const NOT_YET: &str = "not converted yet";

/// Files that may still choose by language themselves, and why. Only files with a lasting
/// reason belong here; a file added with the reason `NOT_YET` must shrink until it is taken off.
const ALLOWED: &[(&str, &str)] = &[(
    "src/domain/words.rs",
    "the domain's enumerations keep their own zh/en words: import reads both",
)];

/// What marks a text chosen by language outside the catalogue.
const MARKS: &[&str] = &[
    "match lang",
    "Lang::Zh =>",
    "Lang::Zh if",
    "Lang::En =>",
    "Lang::En if",
    "Lang::Zh) =>",
    "Lang::En) =>",
    "== Lang::Zh",
    "== Lang::En",
    ".pick(",
    "Lang::pick(",
    "Problem::new(",
];

/// Whether the line holds the mark as a whole word (`FileProblem::new(` is not
/// `Problem::new(`). A `pick` counts when it is given texts (a literal, a `format!`, or its
/// arguments on the next lines); picking between two values that carry both languages (a
/// problem's, a column's zh and en names) is how such values are read.
fn marks(line: &str, mark: &str) -> bool {
    line.match_indices(mark).any(|(at, _)| {
        let before = line[..at].chars().next_back();
        let after = line[at + mark.len()..].trim_start();
        let whole = mark.starts_with('.') || !before.is_some_and(|c| c.is_alphanumeric() || c == '_');
        let given_texts = !mark.ends_with("pick(")
            || after.is_empty()
            || after.starts_with('"')
            || after.starts_with("&format!")
            || after.starts_with("format!");
        whole && given_texts
    })
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
    for entry in entries {
        let path = entry
            .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
            .path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_choosing_by_language_outside_the_catalogue() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    sources(&root.join("src"), &mut files);
    let mut found = Vec::new();
    let mut used = BTreeSet::new();
    for path in files {
        let name = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        if name.starts_with("src/words/") || name == "src/domain/problem.rs" {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {name}: {e}"));
        // Tests may build texts in both languages by hand.
        let code = text.split("#[cfg(test)]\nmod tests").next().unwrap_or("");
        let hits: Vec<String> = code
            .lines()
            .enumerate()
            .filter(|(_, line)| MARKS.iter().any(|m| marks(line, m)))
            .map(|(n, line)| format!("{name}:{}: {}", n + 1, line.trim()))
            .collect();
        if hits.is_empty() {
            continue;
        }
        match ALLOWED.iter().find(|(allowed, _)| name.starts_with(allowed)) {
            Some((allowed, _)) => {
                used.insert(*allowed);
            }
            None => found.extend(hits),
        }
    }
    assert!(
        found.is_empty(),
        "texts chosen by language outside src/words/ (add them to the catalogue):\n{}",
        found.join("\n")
    );
    // Another helper's file may change under its owner; a file left to convert must shrink.
    let stale: Vec<&str> = ALLOWED
        .iter()
        .filter(|(a, why)| *why == NOT_YET && !used.contains(a))
        .map(|(a, _)| *a)
        .collect();
    assert!(
        stale.is_empty(),
        "allowed but converted already; take them off ALLOWED: {stale:?}"
    );
}

/// Every key is used somewhere in `src/` as `Area::Key` (a key nothing says is a text that
/// drifted away from the code, or was left behind by a change).
#[test]
fn every_key_is_used() {
    fn area<W: Word>(letter: &str, out: &mut Vec<String>) {
        for &w in W::ALL {
            out.push(format!("{letter}::{}", w.key()));
        }
    }
    let mut keys = Vec::new();
    area::<S>("S", &mut keys);
    area::<C>("C", &mut keys);
    area::<J>("J", &mut keys);
    area::<F>("F", &mut keys);
    area::<P>("P", &mut keys);
    area::<R>("R", &mut keys);
    area::<D>("D", &mut keys);
    area::<N>("N", &mut keys);
    area::<K>("K", &mut keys);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    sources(&root.join("src"), &mut files);
    let mut text = String::new();
    // A key that only tests say is unused too.
    for path in files.iter().filter(|p| !p.ends_with("tests.rs")) {
        let code = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        text.push_str(code.split("#[cfg(test)]\nmod tests").next().unwrap_or(""));
        text.push('\n');
    }
    let used = |key: &str| {
        text.match_indices(key).any(|(at, _)| {
            let before = text[..at].chars().next_back();
            let after = text[at + key.len()..].chars().next();
            !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
                && !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
        })
    };
    let unused: Vec<&String> = keys.iter().filter(|k| !used(k)).collect();
    assert!(unused.is_empty(), "keys that nothing uses (delete them): {unused:?}");
}
