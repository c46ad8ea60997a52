//! The user's language: detected from the locale, or chosen with `--lang`. Every message type
//! renders itself in either language; this module only decides which.

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    /// Chinese when LC_ALL, LC_MESSAGES or LANG (the first one set) names a Chinese locale.
    pub fn from_env() -> Lang {
        for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let Ok(value) = std::env::var(var) {
                if !value.is_empty() {
                    return Lang::from_locale(&value);
                }
            }
        }
        Lang::En
    }

    pub fn from_locale(locale: &str) -> Lang {
        if locale.to_ascii_lowercase().starts_with("zh") {
            Lang::Zh
        } else {
            Lang::En
        }
    }

    pub fn parse(text: &str) -> Option<Lang> {
        match text.trim().to_ascii_lowercase().as_str() {
            "zh" | "cn" | "zh_cn" | "chinese" | "中文" => Some(Lang::Zh),
            "en" | "english" => Some(Lang::En),
            _ => None,
        }
    }

    /// Reads a value that carries both languages (a problem's texts, a column's names): the
    /// Chinese or the English one. Texts themselves come from the catalogue (`words`), which
    /// is where this choice is made.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        crate::words::pick(self, zh, en)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_locales() {
        assert_eq!(Lang::from_locale("zh_CN.UTF-8"), Lang::Zh);
        assert_eq!(Lang::from_locale("en_US.UTF-8"), Lang::En);
        assert_eq!(Lang::from_locale("C"), Lang::En);
    }
}
