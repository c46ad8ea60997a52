//! Keys as data: one table binds keys to actions per context. The lookup, the footer's hints
//! and the `?` help screen are all built from this table, so they cannot disagree.

use super::action::Action;
use super::strings::{tr, S};
use crate::i18n::Lang;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Where the keyboard is: which part of the table applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ctx {
    /// Bindings shared by the tree and the records table.
    Main,
    Tree,
    Records,
    Form,
    /// Editing a line of text: bindings shared by every context that edits one (a form field,
    /// the find prompt, the date prompt, a picker's filter), so the same keys edit everywhere.
    Edit,
    Picker,
    Find,
    /// The prompt for an as-of date (`g`).
    DatePrompt,
    Confirm,
    Help,
    /// The history view of a unit or a record.
    History,
    /// Bindings that work in every context.
    Any,
}

impl Ctx {
    /// The contexts the help screen lists, in order, with their headings.
    pub const HELP_ORDER: [(Ctx, S); 12] = [
        (Ctx::Main, S::HelpMain),
        (Ctx::Tree, S::HelpTree),
        (Ctx::Records, S::HelpRecords),
        (Ctx::History, S::HelpHistory),
        (Ctx::Form, S::HelpForm),
        (Ctx::Edit, S::HelpEdit),
        (Ctx::Picker, S::HelpPicker),
        (Ctx::Find, S::HelpFind),
        (Ctx::DatePrompt, S::HelpDatePrompt),
        (Ctx::Confirm, S::HelpConfirm),
        (Ctx::Help, S::HelpHelp),
        (Ctx::Any, S::HelpAny),
    ];
}

/// A key with the modifiers that matter (Ctrl, Alt; Shift is part of the character).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key(pub KeyCode, pub KeyModifiers);

const fn k(code: KeyCode) -> Key {
    Key(code, KeyModifiers::NONE)
}

const fn c(ch: char) -> Key {
    Key(KeyCode::Char(ch), KeyModifiers::NONE)
}

const fn ctrl(ch: char) -> Key {
    Key(KeyCode::Char(ch), KeyModifiers::CONTROL)
}

const fn ctrl_k(code: KeyCode) -> Key {
    Key(code, KeyModifiers::CONTROL)
}

const fn alt(ch: char) -> Key {
    Key(KeyCode::Char(ch), KeyModifiers::ALT)
}

/// How a binding shows in the footer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Foot {
    /// Only in the help screen.
    No,
    /// Its own hint: first key and label.
    Yes,
    /// A hint under its own (shorter) label, shared with the `Join` bindings after it
    /// (`↑↓ move`).
    Group(S),
    /// Joined to the previous hint: its first key is added to that hint's keys.
    Join,
}

pub struct Binding {
    pub ctx: Ctx,
    pub keys: &'static [Key],
    pub action: Action,
    pub label: S,
    pub foot: Foot,
}

const fn b(ctx: Ctx, keys: &'static [Key], action: Action, label: S, foot: Foot) -> Binding {
    Binding {
        ctx,
        keys,
        action,
        label,
        foot,
    }
}

use Action as A;
use Ctx::*;
use Foot::{Group, Join, No, Yes};
use KeyCode as K;

/// The table. Order matters: it is the order of the footer and of the help screen.
pub static BINDINGS: &[Binding] = &[
    // Shared by the tree and the records table.
    b(Main, &[c('?')], A::Help, S::KeyHelp, Yes),
    b(Main, &[c('q')], A::Quit, S::KeyQuit, Yes),
    b(Main, &[k(K::Up), c('k')], A::Up, S::KeyUp, Group(S::KeyMove)),
    b(Main, &[k(K::Down), c('j')], A::Down, S::KeyDown, Join),
    b(Main, &[c('[')], A::MonthBack, S::KeyMonthBack, Group(S::KeyMonth)),
    b(Main, &[c(']')], A::MonthForward, S::KeyMonthForward, Join),
    b(Main, &[c('{')], A::YearBack, S::KeyYearBack, Group(S::KeyYear)),
    b(Main, &[c('}')], A::YearForward, S::KeyYearForward, Join),
    b(Main, &[c('.')], A::Today, S::KeyToday, Group(S::FootToday)),
    b(Main, &[c('g')], A::GoToDate, S::KeyGoToDate, Group(S::FootGoToDate)),
    b(Main, &[k(K::PageUp)], A::PageUp, S::KeyPageUp, No),
    b(Main, &[k(K::PageDown)], A::PageDown, S::KeyPageDown, No),
    b(Main, &[k(K::Home)], A::Home, S::KeyHome, No),
    b(Main, &[k(K::End)], A::End, S::KeyEnd, No),
    b(Main, &[k(K::Tab)], A::NextTab, S::KeyTab, Group(S::FootTab)),
    b(Main, &[k(K::BackTab)], A::PrevTab, S::KeyPrevTab, No),
    b(Main, &[c('f')], A::ToggleFocus, S::KeyFocus, Group(S::FootFocus)),
    b(Main, &[c('t')], A::AddTraining, S::KeyAddTraining, Yes),
    b(Main, &[c('v')], A::AddEvaluation, S::KeyAddEvaluation, Yes),
    b(Main, &[c('b')], A::AddBudget, S::KeyAddBudget, Yes),
    b(Main, &[c('/')], A::Find, S::KeyFind, Yes),
    b(Main, &[c('n')], A::FindNext, S::KeyFindNext, Group(S::KeyFindNextPrev)),
    b(Main, &[c('N')], A::FindPrev, S::KeyFindPrev, Join),
    b(Main, &[c('s')], A::ToggleSubtree, S::KeySubtree, Yes),
    b(Main, &[c('+'), c('a')], A::AddUnit, S::KeyAddUnit, Yes),
    b(Main, &[c('e')], A::EditUnit, S::KeyEditUnit, Yes),
    // `h` is taken (close, back to the tree): History is the capital.
    b(Main, &[c('H')], A::History, S::KeyHistory, Group(S::FootHistory)),
    // Ctrl-Z for those whose hands expect it; raw mode delivers it as a key, not a suspend.
    b(Main, &[c('u'), ctrl('z')], A::Undo, S::KeyUndo, Group(S::FootUndo)),
    b(Main, &[c('z')], A::Zoom, S::KeyZoom, Yes),
    b(
        Main,
        &[c('J')],
        A::DetailsDown,
        S::KeyDetailsDown,
        Group(S::FootDetailsScroll),
    ),
    b(Main, &[c('K')], A::DetailsUp, S::KeyDetailsUp, Join),
    b(Main, &[k(K::Esc)], A::Cancel, S::KeyClearFind, No),
    // The tree.
    b(
        Tree,
        &[k(K::Right), k(K::Enter), c('l')],
        A::Open,
        S::KeyOpen,
        Group(S::KeyOpenClose),
    ),
    b(Tree, &[k(K::Left), c('h')], A::Close, S::KeyClose, Join),
    // Rare (a unit added by mistake): in the help, not the footer.
    b(Tree, &[c('d'), k(K::Delete)], A::DeleteUnit, S::KeyDeleteUnit, No),
    b(
        Tree,
        &[c('1'), c('2'), c('3'), c('4'), c('5')],
        A::Depth(0),
        S::KeyDepth,
        Group(S::FootDepth),
    ),
    // The records table.
    b(Records, &[c('d'), k(K::Delete)], A::Delete, S::KeyDelete, Yes),
    b(Records, &[c('r')], A::Reverse, S::KeyReverse, Yes),
    b(Records, &[c('c')], A::Correct, S::KeyCorrect, Yes),
    b(Records, &[k(K::Enter)], A::Open, S::KeyOpenStation, Yes),
    b(
        Records,
        &[k(K::Left), k(K::Esc), c('h')],
        A::ToggleFocus,
        S::KeyBackToTree,
        Yes,
    ),
    // Forms.
    b(Form, &[k(K::Enter), ctrl('s')], A::Save, S::KeySave, Yes),
    b(Form, &[k(K::Esc)], A::Cancel, S::KeyCancel, Yes),
    b(Form, &[k(K::Tab), k(K::Down)], A::NextField, S::KeyNextField, Yes),
    b(Form, &[k(K::BackTab), k(K::Up)], A::PrevField, S::KeyPrevField, Yes),
    b(Form, &[k(K::F(2)), ctrl('o')], A::Pick, S::KeyPick, Yes),
    // ← and → also change a choice: the form's own, so that its footer says so. The other
    // editing keys are the `Edit` ones below.
    b(Form, &[k(K::Left)], A::Left, S::KeyLeft, Group(S::KeyLeftRight)),
    b(Form, &[k(K::Right)], A::Right, S::KeyRight, Join),
    // Editing a line of text, in every context that has one (`applies`): a form field, the
    // find prompt, the date prompt, a picker's filter. Ctrl-←/→ and Alt-B/F are the usual word
    // moves of shells and editors; none of these keys means anything else in those contexts.
    b(Edit, &[k(K::Left)], A::Left, S::KeyCaretLeft, No),
    b(Edit, &[k(K::Right)], A::Right, S::KeyCaretRight, No),
    b(Edit, &[ctrl_k(K::Left), alt('b')], A::WordLeft, S::KeyWordLeft, No),
    b(Edit, &[ctrl_k(K::Right), alt('f')], A::WordRight, S::KeyWordRight, No),
    b(Edit, &[k(K::Home), ctrl('a')], A::LineStart, S::KeyLineStart, No),
    b(Edit, &[k(K::End), ctrl('e')], A::LineEnd, S::KeyLineEnd, No),
    b(Edit, &[k(K::Backspace)], A::Backspace, S::KeyBackspace, No),
    b(Edit, &[k(K::Delete)], A::DeleteForward, S::KeyDeleteForward, No),
    b(Edit, &[ctrl('u')], A::ClearField, S::KeyClearField, No),
    // Pickers.
    b(Picker, &[k(K::Enter)], A::Choose, S::KeyChoose, Yes),
    b(Picker, &[k(K::Esc)], A::Cancel, S::KeyCancel, Yes),
    b(Picker, &[k(K::Up)], A::Up, S::KeyUp, Group(S::KeyMove)),
    b(Picker, &[k(K::Down)], A::Down, S::KeyDown, Join),
    b(Picker, &[k(K::PageUp)], A::PageUp, S::KeyPageUp, No),
    b(Picker, &[k(K::PageDown)], A::PageDown, S::KeyPageDown, No),
    // Find.
    b(Find, &[k(K::Enter)], A::Choose, S::KeyGoTo, Yes),
    b(Find, &[k(K::Esc)], A::Cancel, S::KeyCancel, Yes),
    b(Find, &[k(K::Up)], A::Up, S::KeyUp, Group(S::KeyMove)),
    b(Find, &[k(K::Down)], A::Down, S::KeyDown, Join),
    // The as-of date prompt.
    b(DatePrompt, &[k(K::Enter)], A::Choose, S::KeyShowDate, Yes),
    b(DatePrompt, &[k(K::Esc)], A::Cancel, S::KeyCancel, Yes),
    // A confirmation: its own key confirms, every other key cancels.
    b(Confirm, &[c('y'), c('Y')], A::Confirm, S::KeyConfirm, Yes),
    b(Confirm, &[k(K::Esc), c('n')], A::Cancel, S::KeyCancel, Yes),
    // The history view.
    b(History, &[k(K::Up), c('k')], A::Up, S::KeyUp, Group(S::KeyMove)),
    b(History, &[k(K::Down), c('j')], A::Down, S::KeyDown, Join),
    b(History, &[k(K::PageUp)], A::PageUp, S::KeyPageUp, No),
    b(History, &[k(K::PageDown)], A::PageDown, S::KeyPageDown, No),
    b(History, &[k(K::Home)], A::Home, S::KeyHome, No),
    b(History, &[k(K::End)], A::End, S::KeyEnd, No),
    b(
        History,
        &[c('s')],
        A::ToggleSubtree,
        S::KeyHistorySubtree,
        Group(S::WithSubtree),
    ),
    b(History, &[k(K::Esc), c('q'), c('H')], A::Cancel, S::KeyCloseHelp, Yes),
    // Help.
    b(Help, &[k(K::Up), c('k')], A::Up, S::KeyUp, Group(S::KeyMove)),
    b(Help, &[k(K::Down), c('j')], A::Down, S::KeyDown, Join),
    b(Help, &[k(K::PageUp)], A::PageUp, S::KeyPageUp, Group(S::FootPage)),
    b(Help, &[k(K::PageDown)], A::PageDown, S::KeyPageDown, Join),
    b(Help, &[k(K::Home)], A::Home, S::KeyHome, Group(S::FootHomeEnd)),
    b(Help, &[k(K::End)], A::End, S::KeyEnd, Join),
    b(Help, &[k(K::Esc), c('?'), c('q')], A::Cancel, S::KeyCloseHelp, Yes),
    // Everywhere.
    b(Any, &[ctrl('c'), ctrl('q')], A::Quit, S::KeyQuitAnywhere, No),
];

/// The key as the table spells it: Shift folded into the character, only Ctrl and Alt kept.
pub fn normalize(event: &KeyEvent) -> Key {
    let mods = event.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT);
    let code = match event.code {
        // Some terminals send Shift-Tab as Tab with Shift.
        KeyCode::Tab if event.modifiers.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
        KeyCode::Char(ch) if mods.contains(KeyModifiers::CONTROL) => KeyCode::Char(ch.to_ascii_lowercase()),
        other => other,
    };
    Key(code, mods)
}

/// The contexts that edit a line of text, where the `Edit` bindings apply.
pub const TEXT_CONTEXTS: [Ctx; 4] = [Form, Picker, Find, DatePrompt];

fn applies(binding: Ctx, ctx: Ctx) -> bool {
    binding == ctx
        || binding == Any
        || (binding == Main && matches!(ctx, Tree | Records))
        || (binding == Edit && TEXT_CONTEXTS.contains(&ctx))
}

/// The action a key means in a context. Text contexts turn other printable keys into input;
/// a confirmation turns every other key into "cancel".
pub fn lookup(ctx: Ctx, event: &KeyEvent) -> Option<Action> {
    let key = normalize(event);
    // Specific bindings win over shared ones (Esc in the records table, say).
    let mut best: Option<(u8, &Binding)> = None;
    for binding in BINDINGS.iter().filter(|b| applies(b.ctx, ctx)) {
        if binding.keys.contains(&key) {
            let rank = if binding.ctx == ctx {
                0
            } else if matches!(binding.ctx, Main | Edit) {
                1
            } else {
                2
            };
            if best.is_none_or(|(r, _)| rank < r) {
                best = Some((rank, binding));
            }
        }
    }
    if let Some((_, binding)) = best {
        return Some(match binding.action {
            Action::Depth(_) => match key.0 {
                KeyCode::Char(d) => Action::Depth(d.to_digit(10).unwrap_or(1) as u8),
                _ => Action::Depth(1),
            },
            other => other,
        });
    }
    match ctx {
        Form | Picker | Find | DatePrompt => match key {
            Key(KeyCode::Char(ch), m) if !m.contains(KeyModifiers::CONTROL) && !m.contains(KeyModifiers::ALT) => {
                Some(Action::Input(ch))
            }
            _ => None,
        },
        Confirm => Some(Action::Cancel),
        // The help closes only on its own keys (Esc, q, ?): a stray key does not lose the place.
        _ => None,
    }
}

/// How a key is written on screen.
pub fn key_text(key: &Key, lang: Lang) -> String {
    let base = match key.0 {
        KeyCode::Up => "↑".to_string(),
        KeyCode::Down => "↓".to_string(),
        KeyCode::Left => "←".to_string(),
        KeyCode::Right => "→".to_string(),
        KeyCode::Enter => "Enter".to_string(),
        KeyCode::Esc => "Esc".to_string(),
        KeyCode::Tab => "Tab".to_string(),
        KeyCode::BackTab => "Shift-Tab".to_string(),
        KeyCode::PageUp => "PgUp".to_string(),
        KeyCode::PageDown => "PgDn".to_string(),
        KeyCode::Home => "Home".to_string(),
        KeyCode::End => "End".to_string(),
        KeyCode::Backspace => "Backspace".to_string(),
        KeyCode::Delete => "Del".to_string(),
        KeyCode::F(n) => format!("F{n}"),
        KeyCode::Char(' ') => tr(lang, S::SpaceKey).to_string(),
        KeyCode::Char(ch) => ch.to_string(),
        _ => "?".to_string(),
    };
    if key.1.contains(KeyModifiers::CONTROL) {
        format!("Ctrl-{}", base.to_uppercase())
    } else if key.1.contains(KeyModifiers::ALT) {
        format!("Alt-{base}")
    } else {
        base
    }
}

/// Every key of a binding, for the help screen (`↑/k`, `1-5`).
pub fn keys_text(binding: &Binding, lang: Lang) -> String {
    if let Action::Depth(_) = binding.action {
        return "1-5".to_string();
    }
    binding
        .keys
        .iter()
        .map(|k| key_text(k, lang))
        .collect::<Vec<_>>()
        .join("/")
}

/// The footer's hints for a context: (keys, label), in table order; in the tree and the
/// records table the context's own keys come right after help, quit and moving.
pub fn hints(ctx: Ctx, lang: Lang) -> Vec<(String, &'static str)> {
    hints_for(ctx, lang, false)
}

/// The footer's hints; with `readonly`, without the keys that write (they would only be
/// refused).
pub fn hints_for(ctx: Ctx, lang: Lang, readonly: bool) -> Vec<(String, &'static str)> {
    hints_except(ctx, lang, readonly, &[])
}

/// The footer's hints without the bindings of `hidden` actions: those the screen would only
/// refuse (deleting a budget entry, reversing anything else).
pub fn hints_except(ctx: Ctx, lang: Lang, readonly: bool, hidden: &[Action]) -> Vec<(String, &'static str)> {
    let collect = |filter: &dyn Fn(&Binding) -> bool| {
        let mut out: Vec<(String, &'static str)> = Vec::new();
        for binding in BINDINGS
            .iter()
            .filter(|b| filter(b) && !(readonly && b.action.writes()) && !hidden.contains(&b.action))
        {
            let first = match binding.action {
                Action::Depth(_) => "1-5".to_string(),
                _ => binding.keys.first().map(|k| key_text(k, lang)).unwrap_or_default(),
            };
            match binding.foot {
                Foot::No => {}
                Foot::Yes => out.push((first, tr(lang, binding.label))),
                Foot::Group(label) => out.push((first, tr(lang, label))),
                Foot::Join => {
                    if let Some(last) = out.last_mut() {
                        // `↑↓`, `[]`, but `PgUp/PgDn`.
                        if first.chars().count() > 1 {
                            last.0.push('/');
                        }
                        last.0.push_str(&first);
                    }
                }
            }
        }
        out
    };
    if matches!(ctx, Tree | Records) {
        let mut out = collect(&|b| b.ctx == Main);
        let own = collect(&|b| b.ctx == ctx);
        let at = out.len().min(3);
        out.splice(at..at, own);
        return out;
    }
    collect(&|b| b.ctx == ctx)
}

/// The bindings of a context, for the help screen.
pub fn bindings_of(ctx: Ctx) -> impl Iterator<Item = &'static Binding> {
    BINDINGS.iter().filter(move |b| b.ctx == ctx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyEvent;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn no_key_is_bound_twice_in_one_context() {
        for (i, a) in BINDINGS.iter().enumerate() {
            for b in &BINDINGS[i + 1..] {
                if a.ctx == b.ctx {
                    for k in a.keys {
                        assert!(!b.keys.contains(k), "{k:?} twice in {:?}", a.ctx);
                    }
                }
            }
        }
    }

    /// A key of the shared editing bindings, bound again in a text context, must mean the
    /// same there (the form's ←/→, bound again only for its footer's hint): no context takes
    /// an editing key for something else.
    #[test]
    fn editing_keys_mean_the_same_in_every_text_context() {
        for edit in BINDINGS.iter().filter(|b| b.ctx == Edit) {
            for ctx in TEXT_CONTEXTS {
                for k in edit.keys {
                    let event = KeyEvent::new(k.0, k.1);
                    assert_eq!(lookup(ctx, &event), Some(edit.action), "{k:?} in {ctx:?}");
                }
            }
        }
        for (ctx, code, mods) in [
            (Find, KeyCode::Left, KeyModifiers::CONTROL),
            (DatePrompt, KeyCode::Char('b'), KeyModifiers::ALT),
            (Picker, KeyCode::Char('f'), KeyModifiers::ALT),
            (Form, KeyCode::Right, KeyModifiers::CONTROL),
        ] {
            assert!(
                matches!(
                    lookup(ctx, &KeyEvent::new(code, mods)),
                    Some(Action::WordLeft | Action::WordRight)
                ),
                "{code:?} {mods:?} in {ctx:?}"
            );
        }
        // Outside text the editing keys keep their own meanings.
        assert_eq!(lookup(Tree, &key(KeyCode::Left)), Some(Action::Close));
        assert_eq!(lookup(Tree, &key(KeyCode::Home)), Some(Action::Home));
        assert_eq!(
            lookup(Help, &KeyEvent::new(KeyCode::Char('b'), KeyModifiers::ALT)),
            None
        );
    }

    #[test]
    fn specific_bindings_win() {
        assert_eq!(lookup(Records, &key(KeyCode::Esc)), Some(Action::ToggleFocus));
        assert_eq!(lookup(Tree, &key(KeyCode::Esc)), Some(Action::Cancel));
        assert_eq!(lookup(Tree, &key(KeyCode::Char('3'))), Some(Action::Depth(3)));
        assert_eq!(lookup(Form, &key(KeyCode::Char('q'))), Some(Action::Input('q')));
        assert_eq!(lookup(Confirm, &key(KeyCode::Char('d'))), Some(Action::Cancel));
        assert_eq!(lookup(Help, &key(KeyCode::Char('x'))), None);
        assert_eq!(lookup(Help, &key(KeyCode::PageDown)), Some(Action::PageDown));
    }
}
