//! What a key means, apart from which key it is: the actions the keymap produces and the app
//! carries out. An action names an intent ("next field", "save"); the app decides what it does
//! in the current state.

/// Everything the user can ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    // Moving in a list (the tree, a table of records, a picker, the help).
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
    // The tree.
    Open,
    Close,
    /// Show the tree down to this many levels (1 = the roots only).
    Depth(u8),
    // The details pane.
    NextTab,
    PrevTab,
    ToggleFocus,
    ToggleSubtree,
    Zoom,
    /// Scroll the details pane (the overview, a table) without leaving the tree.
    DetailsUp,
    DetailsDown,
    // The as-of date.
    MonthBack,
    MonthForward,
    YearBack,
    YearForward,
    Today,
    /// Ask for an as-of date, in any form the importer reads.
    GoToDate,
    // Find.
    Find,
    FindNext,
    FindPrev,
    // Recording.
    AddTraining,
    AddEvaluation,
    AddBudget,
    AddUnit,
    EditUnit,
    Reverse,
    /// Correct the selected budget entry: its reversal and the corrected entry, saved together.
    Correct,
    Delete,
    /// Delete the selected unit (one with no units below and no records).
    DeleteUnit,
    // The change journal.
    /// The history of the selected unit or record.
    History,
    /// Take back the newest change (asks first).
    Undo,
    // Everywhere.
    Help,
    Quit,
    Cancel,
    // Forms, pickers, prompts.
    Save,
    NextField,
    PrevField,
    Left,
    Right,
    LineStart,
    LineEnd,
    /// The caret to the start of the word before it.
    WordLeft,
    /// The caret to the end of the word after it.
    WordRight,
    Backspace,
    DeleteForward,
    /// Empties the focused field.
    ClearField,
    Pick,
    Choose,
    Confirm,
    /// A typed character (text input).
    Input(char),
}

impl Action {
    /// Whether the action changes the store (refused, and not offered, when read-only).
    pub fn writes(self) -> bool {
        matches!(
            self,
            Action::AddTraining
                | Action::AddEvaluation
                | Action::AddBudget
                | Action::AddUnit
                | Action::EditUnit
                | Action::Reverse
                | Action::Correct
                | Action::Delete
                | Action::Undo
        )
    }
}
