//! The words of the commands (`cli`, `main`): their reports and their failures.

catalogue! {
    /// The key of a text of the commands.
    C {
        Placeholder => "占位", "placeholder";
    }
}
