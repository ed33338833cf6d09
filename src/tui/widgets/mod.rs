//! Reusable drawing pieces: JSON with statement ranges, filterable lists, the spinner.

pub mod json;
pub mod list;
pub mod spinner;
