//! The words of problems with a record or a file: validation (`domain`), reading files
//! (`interchange`). A problem carries both texts (`Problem::said`), so the importer, the UI and
//! the commands each show it in the user's language.

catalogue! {
    /// The key of a text of a problem.
    P {
        Required => "必填，不能为空", "is required";
        // One field's value (`domain::fields`), the same in the importer and the forms.
        DateUnreadable =>
            "无法识别“{}”（可写 2021-11-08、2021/11/8、2021.11.8、2021年11月8日，只知年月或年份时写 2021-11 或 2021）",
            "cannot read the date “{}” (write 2021-11-08, 2021/11/8, 2021.11.8 or 2021年11月8日; 2021-11 or 2021 when only the month or year is known)";
        DateNotReal =>
            "“{}”不是真实存在的一天（年份须在 {}–{} 之间，月、日须真实存在）",
            "“{}” is not a real date (years {}–{}; the month and day must exist)";
        MoneyUnreadable =>
            "无法识别“{}”（以元为单位，可写 1700000、1,700,000.00、¥300、170万、1.5万元；冲正写负数）",
            "cannot read the amount “{}” (yuan: write 1700000, 1,700,000.00, ¥300, 170万 or 1.5万元; a correction is negative)";
        MoneyDecimals =>
            "“{}”超过两位小数（只能精确到分）",
            "the amount “{}” has more than two decimals (amounts are exact to the fen)";
        MoneyTooLarge => "“{}”太大", "the amount “{}” is too large";
        NotTenths =>
            "“{}”应为 0 到 {} 之间、最多一位小数的数",
            "“{}” is not a number from 0 to {} with at most one decimal";
        NotACount => "“{}”不是不小于 0 的整数", "“{}” is not a whole number of 0 or more";
        NotAWord => "“{}”不是可用的值（可填：{}）", "“{}” is not one of the accepted words: {}";
        // Validation of a record (`domain`).
        ParentIsItself => "不能是自身", "cannot be the unit itself";
        TooManyCharacters => "最多 {} 个字，现有 {}", "at most {} characters, has {}";
        OpenedOnRequired => "站点状态为“{}”时必须填写建站日期", "is required when the station is {}";
        ClosedOnRequired => "站点已撤销时必须填写撤站日期", "is required when the station is closed";
        ClosedBeforeOpened => "{} 早于建站日期 {}", "{} is before opened_on {}";
        ClosedOnWithoutClosing => "只有已撤销的站点才有撤站日期", "only a closed station has a closing date";
        CertifiedOverWorkers => "持证社工 {} 人多于专职社工 {} 人", "{} is more than social_workers {}";
        ScoreOutOfRange => "须在 0 到 100 之间", "must be between 0 and 100";
        GradeDisagreesWithScore =>
            "“{}”与得分 {} 不符（应为“{}”）",
            "{} does not agree with score {} (that is {})";
        MustBePositive => "须大于 0", "must be more than 0";
        MustNotBeZero => "不能为 0", "must not be zero";
        BadCode =>
            "“{}”无效：须为 1–32 位数字、字母、_ 或 -",
            "“{}” is not a valid code: 1–32 of 0-9 A-Z a-z _ -";
        DateOutOfYears => "日期 {} 不存在或超出 {}–{} 年", "{} is not a date between the years {} and {}";
        BadPhone =>
            "“{}”无效：只能含数字、空格、+、-、括号和分机号（如 0871-6818 1234 转 801）",
            "“{}” is not a phone number: digits, spaces, +, -, parentheses and an extension only (e.g. 0871-6818 1234 ext. 801)";
        AtMostCharacters => "最多 {} 个字", "at most {} characters";
        LooksLikeResidentId =>
            "第 {} 个字起像是居民身份证号码：本系统不保存个人身份证号码，请删去",
            "looks like a resident ID number from character {}: shegong does not keep personal ID numbers; remove it";

        // Checks against the stored units (`registry::rules`, and the importer's references).
        UnknownUnit => "没有编码为 {} 的单位", "no unit has the code {}";
        // The unit is named by the caller: "unit C1" by the importer, its name by the form.
        NoStation => "{} 没有社工站（站点状态为“无”），不能评估", "{} has no station (status none) to evaluate";
        UnitCoded => "单位 {}", "unit {}";
        CodeTwiceInFile => "编码 {} 在本文件中重复", "{} appears twice in this file";
        IdTwiceInFile => "编号 {} 在本文件中重复", "{} appears twice in this file";
        IdConflict =>
            "编号 {} 已存有内容不同的记录；不会覆盖",
            "{} is already stored with different content; it is not overwritten";
        LevelBelowParent => "层级“{}”须低于上级 {} 的层级“{}”", "{} must be deeper than its parent {} ({})";
        ParentCycle => "上级关系形成循环", "the parents form a cycle";
        LevelAboveChild =>
            "层级不能改为“{}”：下级单位 {} 的层级“{}”须低于它（请先改下级单位，或在同一文件中一并改）",
            "the level cannot become {}: its child {} ({}) must stay deeper (change the child first, or in the same file)";

        // The header and cells of a file being imported (`interchange::parse`).
        ColumnTwice => "此列出现了两次（与“{}”重复）", "this column appears twice (the same as “{}”)";
        // A Chinese file is named by its kind's word, an English one by its file kind.
        UnknownColumn => "未知的列（{}文件可用的列：{}）", "unknown column (a {} file has the columns {})";
        ColumnSeparator => "、", ", ";
        RequiredColumnMissing => "缺少必填的列“{}”", "the required column “{}” is missing";
        ImportedDateAfterToday => "日期 {} 在今天之后（已导入，请核对）", "the date {} is after today (imported; please check it)";
        UnlikelyCharacter =>
            "“{}”含不常见的字符“{}”：文件的编码可能不对（已导入，请核对）",
            "“{}” has the unlikely character “{}”: the file's encoding may be wrong (imported; please check it)";
        CellWithoutHeader =>
            "第 {} 列没有标题，这一行却在此填了“{}”（是否多了逗号或错了列？）",
            "column {} has no header, but this row has “{}” there (an extra comma or a shifted cell?)";

        // Reading files.
        OpenFolder => "无法打开：这是一个文件夹，不是文件", "cannot open it: it is a folder, not a file";
        OpenNoSuchFile => "无法打开文件：文件不存在", "cannot open the file: there is no such file";
        OpenNotAllowed => "无法打开文件：没有读取它的权限", "cannot open the file: you are not allowed to read it";
        OpenFailed => "无法打开文件：{}", "cannot open the file: {}";
        ReadFailed => "读取文件时出错：{}", "error while reading the file: {}";
        FileTooLargeForMemory =>
            "此文件有 {} MB，超过 Excel 或 JSON 文件可导入的上限 {} MB（这类文件须整个读入内存）。请另存为 CSV（UTF-8）后导入：CSV 文件不限大小",
            "this file has {} MB, more than the {} MB an Excel or JSON file may have (such files are read into memory whole); save it as CSV (UTF-8) and import that: a CSV file may have any size";
        NotJson => "JSON 格式错误：{}", "this is not valid JSON: {}";
        JsonNotUtf8 => "JSON 文件须为 UTF-8 编码", "a JSON file must be UTF-8 text";
        JsonValueNotText =>
            "值须为文字或数字，不能是列表或对象",
            "must be text or a number, not a list or an object";
        JsonTooManyKeys =>
            "JSON 文件中的不同键（列名）超过 {} 个，无法导入（每类文件最多 14 列）",
            "the JSON file uses more than {} different keys (column names); a file of any kind has at most 14 columns";
        DateBeforeOpened =>
            "日期 {} 早于单位 {} 的站点建站日期 {}（已导入，请核对）",
            "the date {} is before unit {}'s station opened on {} (imported; please check it)";
        UnitsFileWrongPath =>
            "内部错误：单位文件走错了导入路径",
            "internal error: a units file took the records' import path";
        LineUnreadable => "无法读取此行：{}", "cannot read this line: {}";
        BomUtf8Broken =>
            "文件开头标明是 UTF-8，但第 {} 个字节起不是 UTF-8 文字",
            "the file says it is UTF-8, but from byte {} on it is not UTF-8 text";
        RowNotUtf8 =>
            "此行不是 UTF-8 文字：文件前面是 UTF-8，这部分可能是用其他编码（如 GBK）存的",
            "this row is not UTF-8 text: the file before it is UTF-8, so this part was probably saved in another encoding (GBK?)";
        MixedEncodings =>
            "此行是 UTF-8 文字，而文件前面是 GBK：一个文件混用了两种编码，未导入任何数据。请把整个文件另存为 CSV（UTF-8）后再导入",
            "this row is UTF-8 text, but the file before it is GBK: the file mixes two encodings, and nothing was stored. Save the whole file as CSV (UTF-8) and import that";
        Utf16WithoutBom =>
            "文件像是没有字节顺序标记（BOM）的 UTF-16 文字，无法可靠读取。请另存为 CSV（UTF-8）后再导入",
            "the file looks like UTF-16 text without a byte-order mark, which cannot be read reliably; save it as CSV (UTF-8) and import that";
        EncodingUnsupported =>
            "无法读取文件的文字：编码像是 {}，本系统只读 UTF-8 或 GBK/GB18030。请另存为 CSV（UTF-8）后再导入",
            "cannot read the file's text: it looks like {}; shegong reads UTF-8 or GBK/GB18030 only. Save it as CSV (UTF-8) and import that";
        EncodingUnknown =>
            "无法识别文件的文字编码（应为 UTF-8 或 GBK/GB18030 的 CSV，或 .xlsx 工作簿）",
            "cannot read the file's text: it is neither UTF-8 nor GBK/GB18030 (expected CSV, or an .xlsx workbook)";
        FileEmpty => "文件是空的，没有标题行", "the file is empty: it has no header row";
        HeaderNotUtf8 =>
            "无法读取文件的文字：文件开头是 UTF-8，但标题行不是 UTF-8 文字",
            "cannot read the file's text: it begins as UTF-8, but its header row is not UTF-8 text";
        RowNotText =>
            "从此行起的文字既不是 UTF-8 也不是 GBK/GB18030（文件第 {} 字节起）",
            "from this row on the text is neither UTF-8 nor GBK/GB18030 (from byte {} of the file)";
        Utf16Broken =>
            "文件开头标明是 UTF-16，但从此行起（文件第 {} 字节起）不是 UTF-16 文字",
            "the file says it is UTF-16, but from this row on (from byte {}) it is not UTF-16 text";
        RowTooLong =>
            "此行超过 {} MB：多半是某个引号（\"）没有配对，使文件其余部分都成了一个单元格",
            "this row is longer than {} MB: most likely a quote (\") is never closed, which makes the rest of the file one cell";
        WorkbookUnreadable =>
            "无法读取此 Excel 工作簿（{}）。可在 Excel 中另存为 .xlsx 或 CSV（UTF-8）后再导入",
            "cannot read this Excel workbook ({}); save it again as .xlsx or as CSV (UTF-8) in Excel and import that";
        WorkbookNoSheet => "工作簿中没有工作表", "the workbook has no sheet";
        SheetTooWide =>
            "第 {} 列有内容：工作表最多读 {} 列（每类文件最多 14 列），请删去多余的列",
            "column {} has a value: a sheet is read up to column {} (a file of any kind has at most 14 columns); delete the extra columns";
        ExcelErrorCell =>
            "单元格是 Excel 错误值 {}，请先改正公式或填入数值",
            "the cell holds the Excel error {}: fix the formula or type the value";
        SheetEmpty =>
            "工作簿的第一个工作表是空的，没有标题行",
            "the workbook's first sheet is empty: it has no header row";
        MoreProblems =>
            "……另有 {} 处错误未列出（先改正以上各处，再导入一次即可看到）",
            "... and {} more problems not listed (fix the ones above and import again to see them)";
        // A unit's fields changed by an import: an empty value, and between two fields.
        EmptyValue => "（空）", "(empty)";
        ChangesSeparator => "；", "; ";
        CellNotUtf8 =>
            "不是 UTF-8 文字：文件前面是 UTF-8，这部分可能是用其他编码（如 GBK）存的",
            "is not UTF-8 text: the file before it is UTF-8, so this part was probably saved in another encoding (GBK?)";
        // A workbook too large: the `{}` says how (one of the three below).
        WorkbookTooLarge =>
            "此工作簿{}，超过可导入的上限。请另存为 CSV（UTF-8）后导入：CSV 文件不限大小",
            "this workbook {}, more than can be imported; save it as CSV (UTF-8) and import that: a CSV file may have any size";
        WorkbookUnzipsTo => "解压后有 {} MB", "unzips to {} MB";
        WorkbookSheetTooWide =>
            "的一个工作表有 {} 列（最多读 {} 列）",
            "has {} columns in a sheet (at most {} are read)";
        WorkbookSheetTooManyCells =>
            "的一个工作表展开后有 {} 个单元格（最多 {} 个）",
            "has {} cells in a sheet once its repeated rows are expanded (at most {})";
    }
}
