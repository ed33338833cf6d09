//! Diagnosis: questions, checks, verdicts and fixes; parsing of pasted error texts. Pure: no IO.

pub mod error_text;
