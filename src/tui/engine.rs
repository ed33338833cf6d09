//! The one place the console calls the diagnosis engine, so the Explain pane, the
//! walkthrough and `crossdock explain` all render the same `Diagnosis`.

use crate::diagnose::model::Diagnosis;
use crate::inventory::{AccountPair, Question};

/// Runs the diagnosis for `question` over `pair`; the error is the engine's message.
pub fn diagnose(pair: &AccountPair, question: &Question) -> Result<Diagnosis, String> {
    crate::diagnose::diagnose(pair, question).map_err(|e| e.to_string())
}
