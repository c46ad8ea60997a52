//! The keys of each context, one module per context: `App::apply` (in `app`) hands an action
//! to the context that has the keyboard. They are `impl App` blocks in child modules of `app`
//! rather than a layer of their own, so that the state they change stays private to `app`
//! and no field is widened for them.

mod confirm;
mod date_prompt;
mod find;
mod form;
mod help;
mod history;
mod main;
mod picker;
