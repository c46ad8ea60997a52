//! The catalogue of words: every user-facing text, in Chinese and English, in one place and
//! looked up by key. Each area has its own file and key type (`ui::S`, `cli::C`, ...), written
//! with `catalogue!` as one entry per key: `Key => "中文", "English";`. A text takes arguments
//! in order where it says `{}`, or argument N where it says `{N}` (`fill`, `say`); `{ }` with
//! a space inside is only a brace.
//!
//! Outside this folder no code chooses between two texts by language: the tests below fail on
//! `match lang`, `Lang::pick(` or a two-language `Problem::new` anywhere else in `src/`, except
//! in the files of `ALLOWED` (each with its reason). `Lang::pick` reads a value that carries
//! both languages already (a problem's texts, a column's names) and is allowed with values.

use crate::i18n::Lang;
use std::fmt;

/// The key type of one area of the catalogue: each key has a name and its two texts.
pub trait Word: Copy + fmt::Debug + 'static {
    /// Every key of the area, in the order written.
    const ALL: &'static [Self];
    /// The key's name, as written in the catalogue.
    fn key(self) -> &'static str;
    /// The Chinese and the English text.
    fn texts(self) -> (&'static str, &'static str);
}

/// Declares one area's key type and its texts. Each key is written once, with both languages
/// beside it, so a text cannot be added in one language only.
macro_rules! catalogue {
    ($(#[$doc:meta])* $name:ident { $($key:ident => $zh:literal, $en:literal;)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($key,)*
        }

        impl $crate::words::Word for $name {
            const ALL: &'static [Self] = &[$($name::$key,)*];

            fn key(self) -> &'static str {
                match self {
                    $($name::$key => stringify!($key),)*
                }
            }

            fn texts(self) -> (&'static str, &'static str) {
                match self {
                    $($name::$key => ($zh, $en),)*
                }
            }
        }
    };
}

pub mod cli;
pub mod files;
pub mod journal;
pub mod problems;
pub mod report;
pub mod schemes;
pub mod server;
pub mod store;
pub mod ui;

pub use cli::C;
pub use files::F;
pub use journal::J;
pub use problems::P;
pub use report::R;
pub use schemes::K;
pub use server::N;
pub use store::D;
pub use ui::S;

/// How a language names large amounts: Chinese counts in 万 and 亿 (ten thousands, hundred
/// millions), English in k, M and B (thousands, millions, billions).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LargeNumbers {
    WanYi,
    Thousands,
}

pub fn large_numbers(lang: Lang) -> LargeNumbers {
    match lang {
        Lang::Zh => LargeNumbers::WanYi,
        Lang::En => LargeNumbers::Thousands,
    }
}

/// The text of a key in the user's language.
pub fn tr<W: Word>(lang: Lang, key: W) -> &'static str {
    let (zh, en) = key.texts();
    pick(lang, zh, en)
}

/// The one place that chooses between a Chinese and an English text; `Lang::pick` reads a
/// value carrying both languages through it.
pub fn pick<'a>(lang: Lang, zh: &'a str, en: &'a str) -> &'a str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// The text of a key in the user's language, with the arguments in place of its `{}`s.
pub fn say<W: Word>(lang: Lang, key: W, args: &[&dyn fmt::Display]) -> String {
    put(tr(lang, key), args)
}

/// The text of a key in both languages (Chinese, English), with the arguments in place: for
/// messages that carry both, such as a `Problem`.
pub fn both<W: Word>(key: W, args: &[&dyn fmt::Display]) -> (String, String) {
    let (zh, en) = key.texts();
    (put(zh, args), put(en, args))
}

/// The text of `outer` in both languages, its one `{}` filled with the text of `inner` (and
/// its arguments) in the same language: for a message that names its cause in words.
pub fn both_within<O: Word, I: Word>(outer: O, inner: I, args: &[&dyn fmt::Display]) -> (String, String) {
    let (zh, en) = both(inner, args);
    let (outer_zh, outer_en) = outer.texts();
    (put(outer_zh, &[&zh]), put(outer_en, &[&en]))
}

/// Puts the arguments in place of the `{}`s, in order.
pub fn fill(template: &str, args: &[&str]) -> String {
    let shown: Vec<&dyn fmt::Display> = args.iter().map(|a| a as &dyn fmt::Display).collect();
    put(template, &shown)
}

fn put(template: &str, args: &[&dyn fmt::Display]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut next = 0;
    let mut rest = template;
    while let Some(at) = rest.find('{') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        match placeholder(rest) {
            Some((len, index)) => {
                let index = index.unwrap_or_else(|| {
                    next += 1;
                    next - 1
                });
                if let Some(arg) = args.get(index) {
                    out.push_str(&arg.to_string());
                }
                rest = &rest[len..];
            }
            None => {
                out.push('{');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// At a `{`: the length of the placeholder there and its number, `{}` (the next argument) or
/// `{N}` (argument N, for a language that says things in another order); `None` for a `{`
/// that is only a brace.
fn placeholder(text: &str) -> Option<(usize, Option<usize>)> {
    let inside = &text[1..];
    let end = inside.find('}')?;
    let digits = &inside[..end];
    if digits.is_empty() {
        Some((2, None))
    } else if digits.len() <= 2 && digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse().ok().map(|n| (end + 2, Some(n)))
    } else {
        None
    }
}

/// The placeholders of a text, in a form to compare across languages: how many `{}`s, and
/// the numbers of the `{N}`s, sorted.
pub fn placeholders(text: &str) -> (usize, Vec<usize>) {
    let mut plain = 0;
    let mut numbered = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find('{') {
        rest = &rest[at..];
        match placeholder(rest) {
            Some((len, None)) => {
                plain += 1;
                rest = &rest[len..];
            }
            Some((len, Some(n))) => {
                numbered.push(n);
                rest = &rest[len..];
            }
            None => rest = &rest[1..],
        }
    }
    numbered.sort_unstable();
    (plain, numbered)
}

#[cfg(test)]
mod tests;
