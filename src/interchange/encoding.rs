//! Which encoding a CSV file's text is in, and what it must not be: the one decision that both
//! the whole-file reader (`table::decode_text`) and the streamed one (`stream::Decoded`) make
//! the same way. Without a byte-order mark the text from the first byte that is not ASCII
//! decides: UTF-8 when it is UTF-8 and reads as likely characters, else what `chardetng` (by
//! the author of `encoding_rs`) detects, which for this registry is GBK/GB18030. A short GBK
//! name such as 谢叶 is valid UTF-8 by accident ("лҶ"): the unlikely characters give it away.
//!
//! Once GBK is chosen, a line that is UTF-8 (a file put together from two sources) disagrees:
//! decoded as GBK it would read "涓枃" for "中文", so it is refused by line instead.

/// What the text is read as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Choice {
    Utf8,
    Gb18030,
}

/// Why no encoding can be chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Refusal {
    /// The detector names an encoding shegong does not read.
    Other(&'static str),
}

/// Whether the start of a file is UTF-16 without a byte-order mark: ASCII text in UTF-16 has a
/// NUL in every other byte, which no CSV or text in UTF-8 or GBK has.
pub(super) fn is_utf16_without_bom(head: &[u8]) -> bool {
    let head = &head[..head.len().min(512)];
    if head.len() < 4 {
        return false;
    }
    let nuls = |offset: usize| head.iter().skip(offset).step_by(2).filter(|&&b| b == 0).count();
    let half = head.len() / 2;
    nuls(0) * 2 > half || nuls(1) * 2 > half
}

/// Chooses the encoding from `window`: the file's text from its first byte that is not ASCII
/// (up to `stream::SNIFF_BYTES`); `eof` when the file ends with it.
pub(super) fn choose(window: &[u8], eof: bool) -> Result<Choice, Refusal> {
    let valid = match std::str::from_utf8(window) {
        Ok(_) => window.len(),
        // A character cut off at the window's end (the file goes on) does not count against it.
        Err(e) if e.error_len().is_none() && !eof => e.valid_up_to(),
        Err(e) => e.valid_up_to(),
    };
    let all_utf8 = valid == window.len() || (!eof && window.len() - valid < 4);
    // The lines that are UTF-8: all of it, or up to the last line break before the first byte
    // that is not (a file that begins in UTF-8 is UTF-8; a later line in another encoding is
    // refused at that line by the CSV reader).
    let utf8_part = if all_utf8 {
        &window[..valid]
    } else {
        &window[..memchr::memrchr(b'\n', &window[..valid]).unwrap_or(0)]
    };
    if let Ok(text) = std::str::from_utf8(utf8_part) {
        if !text.is_ascii() && unlikely_char(text).is_none() {
            return Ok(Choice::Utf8);
        }
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(window, eof);
    let guess = detector.guess(Some(b"cn"), chardetng::Utf8Detection::Deny);
    if guess == encoding_rs::GBK || guess == encoding_rs::GB18030 {
        return Ok(Choice::Gb18030);
    }
    if all_utf8 {
        // UTF-8 with unlikely characters and no better guess: read as UTF-8; the import lists
        // the cells with unlikely characters as warnings.
        return Ok(Choice::Utf8);
    }
    let (_, bad) = encoding_rs::GB18030.decode_without_bom_handling(window);
    if bad {
        Err(Refusal::Other(guess.name()))
    } else {
        Ok(Choice::Gb18030)
    }
}

/// Whether a line of a file read as GBK is in fact UTF-8: it is valid UTF-8 of likely
/// characters, and read as GBK it is mostly not the common characters (GB2312 level 1, which
/// make up nearly all of real Chinese text). "中文" in UTF-8 read as GBK is 涓枃, rare characters.
pub(super) fn utf8_line_in_gbk(line: &[u8]) -> bool {
    if line.is_ascii() {
        return false;
    }
    match std::str::from_utf8(line) {
        Ok(text) if unlikely_char(text).is_none() => {}
        _ => return false,
    }
    let (mut pairs, mut common) = (0usize, 0usize);
    let mut i = 0;
    while i < line.len() {
        let lead = line[i];
        if lead < 0x80 {
            i += 1;
            continue;
        }
        let trail = line.get(i + 1).copied().unwrap_or(0);
        pairs += 1;
        if (0xB0..=0xD7).contains(&lead) && (0xA1..=0xFE).contains(&trail) {
            common += 1;
        }
        i += 2;
    }
    common * 2 < pairs
}

/// The first character that Chinese registry text is unlikely to hold: text in the wrong
/// encoding shows up as Cyrillic, Armenian, IPA letters, box pieces and the like. Likely are
/// ASCII, Latin-1, general and CJK punctuation, CJK ideographs, full-width forms, and a few
/// symbol blocks clerks type (№, ①, ℃, Ⅱ, ※).
pub fn unlikely_char(text: &str) -> Option<char> {
    text.chars().find(|&c| {
        !matches!(c as u32,
            0x00..=0xFF
            | 0x2000..=0x206F // general punctuation
            | 0x2100..=0x218F // letterlike, number forms
            | 0x2190..=0x21FF // arrows
            | 0x2200..=0x22FF // mathematical operators (×, ≤)
            | 0x2460..=0x24FF // enclosed numbers
            | 0x25A0..=0x25FF // geometric shapes (□, ○)
            | 0x2600..=0x26FF // ★, ☆
            | 0x3000..=0x303F // CJK punctuation
            | 0x3040..=0x30FF // kana (in names of Japanese partners)
            | 0x3100..=0x312F // bopomofo
            | 0x3200..=0x33FF // enclosed CJK, CJK compatibility (㎡)
            | 0x3400..=0x4DBF // CJK extension A
            | 0x4E00..=0x9FFF // CJK unified ideographs
            | 0xF900..=0xFAFF // CJK compatibility ideographs
            | 0xFE30..=0xFE4F // CJK compatibility forms
            | 0xFF00..=0xFFEF // full-width forms
            | 0xFEFF
            | 0x20000..=0x3134F // CJK extensions B–G
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gbk(text: &str) -> Vec<u8> {
        encoding_rs::GBK.encode(text).0.into_owned()
    }

    #[test]
    fn short_gbk_names_that_are_valid_utf8_are_gbk() {
        for name in ["谢叶", "毛史"] {
            let bytes = gbk(name);
            assert!(std::str::from_utf8(&bytes).is_ok(), "{name}");
            assert_eq!(choose(&bytes, true), Ok(Choice::Gb18030), "{name}");
        }
    }

    #[test]
    fn utf8_is_utf8_and_utf8_lines_in_gbk_are_found() {
        assert_eq!(choose("中文,西苑街道\n".as_bytes(), true), Ok(Choice::Utf8));
        assert_eq!(choose("中文\n".as_bytes(), true), Ok(Choice::Utf8));
        assert!(utf8_line_in_gbk("中文".as_bytes()));
        assert!(utf8_line_in_gbk("西苑街道社会工作服务站".as_bytes()));
        for text in ["西苑街道社会工作服务站", "谢叶", "毛史", "中文", "碧鸡街道"] {
            assert!(!utf8_line_in_gbk(&gbk(text)), "{text}");
        }
    }

    #[test]
    fn a_file_that_begins_in_utf8_is_utf8() {
        let mut bytes = "中文,1\n".as_bytes().to_vec();
        bytes.extend(gbk("西苑,2\n"));
        assert_eq!(choose(&bytes, true), Ok(Choice::Utf8));
    }

    #[test]
    fn utf16_without_bom_is_seen() {
        let le: Vec<u8> = "code,name\n".encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert!(is_utf16_without_bom(&le));
        assert!(!is_utf16_without_bom(b"code,name\n"));
    }

    #[test]
    fn unlikely_characters() {
        assert_eq!(unlikely_char("лҶ"), Some('л'));
        assert_eq!(unlikely_char("ëʷ"), Some('ʷ'));
        assert_eq!(unlikely_char("西苑街道 No.1 ①（新）café ㎡"), None);
    }
}
